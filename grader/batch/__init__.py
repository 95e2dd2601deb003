"""`grade batch`: grade a folder of submission folders and zips into a gradebook, reports and a summary.

    from grader.batch import run_batch
    summary = run_batch("exports/", "grades/", jobs=2)     # BatchSummary
    summary.gradebook, summary.summary, summary.errors

Modules: discover (find and name submissions), unzip (safe extraction), jobs (one submission),
forked (grandchild with a hard timeout), workers (warm local pool), dask_executor, similarity
(near-identical code), gradebook, summary, log, progress, run (the whole batch), cli.
"""

from grader.batch.errors import BatchError

__all__ = ["BatchError", "BatchSummary", "run_batch"]


def __getattr__(name: str):
    """run_batch and BatchSummary on first use: `grade check` loads grader.batch.cli, not the pool."""
    if name in ("BatchSummary", "run_batch"):
        from grader.batch import run

        return getattr(run, name)
    raise AttributeError(f"module 'grader.batch' has no attribute {name!r}")
