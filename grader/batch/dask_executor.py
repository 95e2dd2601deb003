"""Run a batch's gradings on a Dask distributed cluster (the optional `cluster` extra).

Every task is grader.batch.jobs.grade_job: the same work as a local warm worker, forked
grandchild included. Workers must see the input and output folders at the same paths
(one machine, or a shared file system). Without --scheduler a LocalCluster is started.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from grader.batch.discover import Submission
from grader.batch.errors import BatchError
from grader.batch.jobs import JobOutcome, JobSettings, error_outcome, grade_job

CONNECT_SECONDS = 30


def _distributed():
    try:
        import distributed
    except ImportError as exc:
        raise BatchError(
            f"--executor dask needs Dask distributed ({exc.name or 'distributed'} is not installed): "
            "pip install 'lab1-grader[cluster]'"
        ) from None
    return distributed


def run_dask(
    subs: list[Submission],
    settings: JobSettings,
    jobs: int,
    on_start: Callable[[Submission, str], None],
    on_done: Callable[[JobOutcome], None],
    scheduler: str | None = None,
) -> None:
    """Grade subs as Dask tasks; on_done is called in this process as each finishes."""
    distributed = _distributed()
    if not subs:
        return
    cluster = None
    try:
        if scheduler:
            client = distributed.Client(scheduler, timeout=CONNECT_SECONDS)
        else:
            cluster = distributed.LocalCluster(
                n_workers=max(1, min(jobs, len(subs))),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = distributed.Client(cluster)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise BatchError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    futures = {}
    token = uuid.uuid4().hex[:8]
    try:
        for sub in subs:
            future = client.submit(grade_job, sub, settings, key=f"lab1-grade-{sub.key}-{token}", pure=False)
            futures[future] = sub
            on_start(sub, scheduler or "local cluster")
        for future in distributed.as_completed(list(futures)):
            sub = futures.pop(future)
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: this student's error only
                outcome = error_outcome(sub, settings, "crashed", f"the Dask task failed ({type(exc).__name__}: {exc})")
            on_done(outcome)
    finally:
        if futures:
            client.cancel(list(futures), force=True)
        client.close()
        if cluster is not None:
            cluster.close()
