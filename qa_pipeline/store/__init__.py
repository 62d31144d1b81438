"""The store: the only code that talks to DuckDB.

``db`` owns the connection and runs the named queries of ``sql/*.sql``; ``frames`` turns
records into the frames it inserts.
"""

from qa_pipeline.store.db import CallDetail, Store, StoredState, named_queries

__all__ = ["CallDetail", "Store", "StoredState", "named_queries"]
