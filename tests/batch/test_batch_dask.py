"""--executor dask on a LocalCluster(2 workers, 1 thread, processes) gives the local workers' gradebook."""

from __future__ import annotations

import builtins

import pytest

from grader.batch import BatchError, run_batch
from tests.support.fake_grader import fake_grade

pytest.importorskip("distributed")


def test_dask_matches_local_workers(mixed_input, tmp_path):
    """A LocalCluster of our own (by --scheduler address) and the one run_batch starts without one."""
    from distributed import LocalCluster

    local, started, own = tmp_path / "local", tmp_path / "started", tmp_path / "own"
    run_batch(mixed_input, local, jobs=2, grade_fn=fake_grade, progress=False)
    summary = run_batch(mixed_input, started, jobs=2, grade_fn=fake_grade, progress=False, executor="dask")
    assert summary.errors == {"refused": 1}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        by_address = run_batch(
            mixed_input, own, grade_fn=fake_grade, progress=False, executor="dask", scheduler=cluster.scheduler_address
        )
    book = (local / "gradebook.csv").read_bytes()
    assert (started / "gradebook.csv").read_bytes() == book
    assert (own / "gradebook.csv").read_bytes() == book
    workers = {o.worker for o in by_address.outcomes.values()}
    assert len(workers) >= 1 and all(":" in w for w in workers)
    assert (own / "1001" / "report.html").is_file()


def test_missing_cluster_extra_is_a_clear_usage_error(mixed_input, tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    with pytest.raises(BatchError, match=r"pip install 'lab1-grader\[cluster\]'"):
        run_batch(mixed_input, tmp_path / "out", grade_fn=fake_grade, progress=False, executor="dask")


def test_unreachable_scheduler_is_a_usage_error(mixed_input, tmp_path, monkeypatch):
    from grader.batch import dask_executor

    monkeypatch.setattr(dask_executor, "CONNECT_SECONDS", 1)
    with pytest.raises(BatchError, match="cannot reach the Dask scheduler"):
        run_batch(
            mixed_input,
            tmp_path / "out",
            grade_fn=fake_grade,
            progress=False,
            executor="dask",
            scheduler="tcp://127.0.0.1:9",
        )
