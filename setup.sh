#!/usr/bin/env bash
# Sets up qa-pipeline on a fresh Debian/Ubuntu machine: system packages, a virtualenv in .venv,
# and the package with its test tools. Safe to run again.
# The core needs no torch; the semantic extra (similar_to detectors) does, so torch's CPU
# build is pinned and installed first.
set -euo pipefail
cd "$(dirname "$0")"

# flite regenerates the sample calls; a machine with its own Python 3.11 (pyenv, a container
# image) needs no system Python.
apt_packages=(flite)
command -v python3.11 >/dev/null 2>&1 || apt_packages+=(python3 python3-venv python3-dev)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

python=$(command -v python3.11 || command -v python3)
"$python" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' || {
  echo "qa-pipeline needs Python 3.11; found $("$python" --version)" >&2
  exit 1
}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e '.[test,semantic]'
echo "qa-pipeline is installed in .venv: .venv/bin/qa-pipeline --help"
