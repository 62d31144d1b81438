"""The layout's rules, checked on the source: dependencies point one way, no import cycles,
only store/ talks to DuckDB, only ingest/audio.py decodes audio, tests and bench stay apart."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

# Lower layers never import higher ones; a layer may import itself and anything below it.
LAYERS = {
    "records": 0,
    "errors": 0,
    "resources": 0,
    "bulk": 0,
    "ingest": 1,
    "speech": 2,
    "redact": 3,
    "scoring": 3,
    "store": 4,
    "batch": 5,
    "reports": 5,
    "review": 6,
    "cli": 7,
}


def _modules(folder: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path) -> set[str]:
    """Modules imported at run time (imports under ``if TYPE_CHECKING:`` are for types only)."""
    tree = ast.parse(path.read_text())
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from pkg import submodule` imports the submodule; else it imports pkg itself.
            subs = {f"{node.module}.{a.name}" for a in node.names} & set(PACKAGE)
            names.update(subs or {node.module})
    return names


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


PACKAGE = _modules("qa_pipeline")


@pytest.mark.parametrize("module", sorted(m for m in PACKAGE if _layer(m) in LAYERS))
def test_dependencies_point_down(module: str) -> None:
    own = LAYERS[_layer(module)]
    for name in _imports(PACKAGE[module]):
        if name.startswith(("flows", "tests", "bench")):
            pytest.fail(f"{module} imports {name}: the package never imports its front ends")
        if name.startswith("qa_pipeline.") and _layer(name) in LAYERS:
            assert LAYERS[_layer(name)] <= own, f"{module} (layer {own}) imports {name}"


def test_no_import_cycles_between_modules() -> None:
    graph = {m: {n for n in _imports(p) if n in PACKAGE and n != m} for m, p in PACKAGE.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for module in graph:
        if module not in state:
            visit(module, [])


def test_only_the_store_talks_to_duckdb_and_only_audio_decodes() -> None:
    for module, path in PACKAGE.items():
        imported = _imports(path)
        if "duckdb" in imported:
            assert module.startswith("qa_pipeline.store"), module
        if imported & {"av", "faster_whisper.audio"}:
            assert module == "qa_pipeline.ingest.audio", module


def test_flows_call_only_batch() -> None:
    for module, path in _modules("flows").items():
        for name in _imports(path):
            if name.startswith("qa_pipeline."):
                assert _layer(name) in ("batch", "records", "errors"), f"{module} imports {name}"


def test_tests_and_bench_do_not_import_each_other() -> None:
    for folder, other in (("tests", "bench"), ("bench", "tests")):
        for module, path in _modules(folder).items():
            assert not any(n.startswith(other) for n in _imports(path)), module


def test_help_loads_no_heavy_library() -> None:
    """`qa-pipeline --help` must stay quick: no numpy, polars, duckdb, prefect or models."""
    code = (
        "import sys, qa_pipeline.cli; "
        "print(' '.join(m for m in ('numpy', 'polars', 'duckdb', 'prefect', 'pydantic', "
        "'faster_whisper', 'torch', 'yaml') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == ""


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version

    done = subprocess.run(
        [sys.executable, "-m", "qa_pipeline", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"qa-pipeline {version('qa-pipeline')}"
