"""``python -m qa_pipeline.batch.guarded_server ARGS``: uvicorn with ARGS, exiting when the
process that started it dies (see stopping.guard_prefect_server)."""

from __future__ import annotations

import runpy
import sys

from qa_pipeline.batch.stopping import watch_parent

if __name__ == "__main__":
    watch_parent()
    sys.argv = ["uvicorn", *sys.argv[1:]]
    runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
