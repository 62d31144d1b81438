"""Batch jobs: plan -> process -> store, import, rescore, and the run summary.

What the CLI and the Prefect flows call. ``plan`` decides which recordings need work,
``process`` turns one recording into a CallOutcome (no store access, so it runs in workers),
``run`` stores outcomes and holds the plain loops, ``params`` is a run's typed parameters.
"""
