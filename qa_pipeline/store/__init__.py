"""The store: the only code that talks to DuckDB.

``db`` owns the connections and runs the named queries of ``sql/*.sql``; ``frames`` turns
records into the frames it inserts; ``lock`` shares the file between processes (brief waits
on DuckDB's lock, one run at a time).
"""

from qa_pipeline.store.db import CallDetail, Override, Store, StoredState, named_queries
from qa_pipeline.store.lock import RunHolder, RunInProgress, StoreBusy, run_lock

__all__ = [
    "CallDetail",
    "Override",
    "RunHolder",
    "RunInProgress",
    "Store",
    "StoreBusy",
    "StoredState",
    "named_queries",
    "run_lock",
]
