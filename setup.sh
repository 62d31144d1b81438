#!/usr/bin/env bash
# Sets up qa-pipeline on a fresh Debian/Ubuntu machine: system packages, a virtualenv in .venv,
# and the package with its test tools, the semantic detectors and the offline diariser.
# Safe to run again.
#
#   bash setup.sh                   # everything the main job and the tests need
#   bash setup.sh --with-pyannote   # also pyannote.audio, for users with a pyannote pipeline
#
# The core needs no torch; the extras do, so torch's CPU build is pinned and installed first
# (a bare torch requirement would pull gigabytes of CUDA packages).
set -euo pipefail
cd "$(dirname "$0")"

with_pyannote=0
for arg in "$@"; do
  case "$arg" in
    --with-pyannote) with_pyannote=1 ;;
    *) echo "usage: bash setup.sh [--with-pyannote]" >&2; exit 2 ;;
  esac
done

# flite regenerates the sample calls; chromium and its driver run the page tests (reports and
# the review app) in a real browser. A machine with its own Python 3.11 (pyenv, a container
# image) needs no system Python.
apt_packages=(flite chromium chromium-driver)
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
pip=(.venv/bin/python -m pip install -q)
"${pip[@]}" --upgrade pip
"${pip[@]}" torch==2.13.0
extras="test,semantic,diarize"
[ $with_pyannote -eq 1 ] && extras="$extras,pyannote"
"${pip[@]}" -e ".[$extras]"
# Resemblyzer's own requirements would build webrtcvad from source; the diarize extra
# already brought what it imports.
"${pip[@]}" --no-deps resemblyzer==0.1.4

if [ $with_pyannote -eq 1 ]; then
  # PyPI's torchaudio is a CUDA build pinned to another torch; its Python code runs on
  # torch 2.13's CPU build once its compiled extension (which needs CUDA libraries) is gone.
  "${pip[@]}" --no-deps pyannote.audio==4.0.7 torchaudio==2.11.0 \
    torch-audiomentations==0.12.0 torch-pitch-shift==1.2.5
  site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  rm -f "$site"/torchaudio/lib/*.so
  .venv/bin/python - <<'PY'
from qa_pipeline.speech.diarise.options import import_pyannote_pipeline
import_pyannote_pipeline()
print("pyannote.audio imports on this CPU machine")
PY
fi
echo "qa-pipeline is installed in .venv: .venv/bin/qa-pipeline --help"
