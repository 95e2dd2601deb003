"""FigureWorker: the helper process draws the same files as in-process drawing, and falls back."""

import os
import signal

import pytest

from grader.report.figure_split import draw_split
from grader.report.figure_worker import FigureWorker, draw_figures


@pytest.mark.parametrize("processes", [1, 2])
def test_worker_draws_the_same_files_as_in_process(drawn, tmp_path, processes):
    artifacts, expected = drawn
    with FigureWorker.start(processes=processes) as worker:
        worker.submit(artifacts, tmp_path)
        paths = worker.result(timeout=60)
        assert worker.fallbacks == []
        assert worker.alive
    assert list(paths) == list(expected)
    for name, path in paths.items():
        assert path.parent == tmp_path.resolve()
        assert path.read_bytes() == expected[name].read_bytes(), name


def test_worker_is_ready_after_importing_and_can_be_reused(drawn, tmp_path):
    artifacts, expected = drawn
    with FigureWorker.start() as worker:
        assert worker.wait_ready(30)
        assert worker.ready_info["seconds"] > 0
        for sub in ("a", "b"):
            assert set(draw_figures(artifacts, tmp_path / sub, worker=worker)) == set(expected)
        assert worker.fallbacks == []


def test_draw_split_forks_share_the_work(drawn, tmp_path):
    artifacts, expected = drawn
    names = list(expected)
    paths = draw_split(artifacts, str(tmp_path), names, processes=3)
    assert list(paths) == names
    assert all(paths[n].read_bytes() == expected[n].read_bytes() for n in names)


def test_dead_worker_falls_back_to_in_process(drawn, tmp_path):
    artifacts, expected = drawn
    with FigureWorker.start() as worker:
        os.kill(worker.proc.pid, signal.SIGKILL)
        worker.proc.wait()
        worker.submit(artifacts, tmp_path)
        paths = worker.result(timeout=60)
        assert worker.fallbacks
    assert set(paths) == set(expected)


def test_worker_dying_mid_request_falls_back(drawn, tmp_path):
    artifacts, expected = drawn
    with FigureWorker.start() as worker:
        worker.submit(artifacts, tmp_path)
        os.kill(worker.proc.pid, signal.SIGKILL)
        paths = worker.result(timeout=60)
        assert worker.fallbacks and not worker.alive
    assert set(paths) == set(expected)


def test_worker_that_cannot_start_falls_back(drawn, tmp_path):
    artifacts, expected = drawn
    with FigureWorker.start(python=str(tmp_path / "no-such-python")) as worker:
        worker.submit(artifacts, tmp_path)
        assert set(worker.result(60)) == set(expected)
        assert worker.fallbacks


def test_worker_that_hangs_is_killed_after_the_timeout(drawn, tmp_path):
    artifacts, expected = drawn
    with FigureWorker.start() as worker:
        proc = worker.proc
        try:
            os.kill(proc.pid, signal.SIGSTOP)  # frozen: never reads its request, never answers
            worker.submit(artifacts, tmp_path)
            paths = worker.result(timeout=0.5)
            assert proc.poll() is not None  # killed
            assert any("timed out" in f for f in worker.fallbacks)
        finally:
            if proc.poll() is None:  # never leave a stopped process behind, whatever failed
                proc.kill()
                proc.wait()
    assert set(paths) == set(expected)


def test_close_is_idempotent_and_reaps_the_child():
    worker = FigureWorker.start()
    proc = worker.proc
    worker.close()
    worker.close()
    assert proc.poll() is not None


def test_nothing_to_draw_sends_nothing(tmp_path):
    with FigureWorker.start() as worker:
        worker.submit({}, tmp_path)
        assert worker.result(5) == {}
        assert worker.alive and worker.fallbacks == []
    with pytest.raises(RuntimeError):
        worker.result(1)


@pytest.mark.parametrize("processes", [1, 2, 3, 9])
def test_balanced_shares_cover_every_figure_once(drawn, processes):
    from grader.report.figure_split import balanced_shares

    names = list(drawn[1])
    shares = balanced_shares(names, processes)
    flat = [n for share in shares for n in share]
    assert sorted(flat) == sorted(names)
    assert len(shares) == min(processes, len(names))
    assert max(map(len, shares)) - min(map(len, shares)) <= 2
