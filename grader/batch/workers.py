"""Warm worker processes: import numpy, pytest and the grader once, then grade many submissions.

Each submission is graded in a grandchild forked from the warm worker (grader.batch.forked),
so nothing a grading does leaks into the next one. The pool lives in the batch's main process:
it hands one submission at a time to an idle worker, replaces a worker that dies, and on
Ctrl-C terminates them all (a worker kills its grandchild before it exits).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable
from multiprocessing.connection import wait

from grader.batch.discover import Submission
from grader.batch.forked import die_with_parent
from grader.batch.jobs import JobOutcome, JobSettings, error_outcome, grade_job

# What a real grading imports; a worker pays for it once, its grandchildren inherit it.
WARM_MODULES = (
    "numpy",
    "pytest",
    "pytest_jsonreport.plugin",
    "grader.check",
    "grader.check.reference_curves",
    "grader.report",
    "grader.report.html",
    "grader.report.junit",
    "grader.report.figures",
    "grader.report.plotting",
)
# With an injected grade function (tests, bench --fake) only the report writing is warmed.
LIGHT_MODULES = ("numpy", "grader.report", "grader.report.html", "grader.report.junit")
STOP_SECONDS = 10.0


def warm_up(modules: Iterable[str]) -> None:
    """Import the modules a grading needs and draw one figure of each kind (fonts, caches) once."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional module only costs its import later
            pass
    figures = sys.modules.get("grader.report.figures") if "grader.report.figures" in modules else None
    if figures is not None and hasattr(figures, "warm_up"):
        try:
            figures.warm_up()
        except Exception:  # noqa: BLE001 - drawing will pay for it later
            pass


def worker_main(conn, settings: JobSettings, modules: tuple[str, ...], parent: int) -> None:
    """A worker's loop: receive a Submission, send back its JobOutcome; None or EOF ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    signal.signal(signal.SIGTERM, _exit_on_term)
    die_with_parent(parent)  # a killed batch takes its workers (and their gradings) with it
    warm_up(modules)
    while True:
        try:
            sub = conn.recv()
        except (EOFError, OSError):
            return
        if sub is None:
            return
        try:
            outcome = grade_job(sub, settings)
        except Exception as exc:  # noqa: BLE001 - grade_job already catches; this is the last resort
            outcome = error_outcome(sub, settings, "error", f"the worker failed ({type(exc).__name__}: {exc})")
        try:
            conn.send(outcome)
        except (BrokenPipeError, OSError):
            return


def _exit_on_term(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def pool_context():
    """fork where the platform has it (workers inherit the main process's imports), else the default."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class _Worker:
    def __init__(self, ctx, settings: JobSettings, modules: tuple[str, ...]):
        self.conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(
            target=worker_main,
            args=(child_conn, settings, modules, os.getpid()),
            daemon=False,
            name="lab1-batch-worker",
        )
        self.process.start()
        child_conn.close()
        self.job: Submission | None = None

    def send(self, sub: Submission | None) -> None:
        self.job = sub
        self.conn.send(sub)

    def stop(self, force: bool) -> None:
        if not force and self.process.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.process.join(STOP_SECONDS)
        if self.process.is_alive():
            self.process.terminate()  # SIGTERM: the worker stops its grandchild's tree, then exits
            self.process.join(STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def run_local(
    subs: list[Submission],
    settings: JobSettings,
    jobs: int,
    on_start: Callable[[Submission, str], None],
    on_done: Callable[[JobOutcome], None],
    modules: tuple[str, ...] | None = None,
) -> None:
    """Grade subs on `jobs` warm worker processes; on_done is called in the main process as each finishes."""
    if modules is None:
        modules = WARM_MODULES if settings.grade_fn is None else LIGHT_MODULES
    pending = deque(subs)
    if not pending:
        return
    ctx = pool_context()
    workers = [_Worker(ctx, settings, modules) for _ in range(max(1, min(jobs, len(pending))))]
    interrupted = True
    try:
        for worker in workers:
            _dispatch(worker, pending, on_start)
        while any(w.job is not None for w in workers):
            busy = [w for w in workers if w.job is not None]
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for index, worker in enumerate(workers):
                if worker.job is None:
                    continue
                outcome = _receive(worker)
                if outcome is None:
                    continue
                sub, worker.job = worker.job, None
                if outcome is _DEAD:
                    code = worker.process.exitcode
                    worker.stop(force=True)
                    outcome = error_outcome(sub, settings, "crashed", f"the grading worker died (exit status {code})")
                    workers[index] = worker = _Worker(ctx, settings, modules)
                on_done(outcome)
                _dispatch(worker, pending, on_start)
        interrupted = False
    finally:
        for worker in workers:
            worker.stop(force=interrupted)


_DEAD = object()


def _receive(worker: _Worker):
    """The worker's outcome if it sent one, _DEAD if it died without sending, else None."""
    try:
        if worker.conn.poll():
            return worker.conn.recv()
        if not worker.process.is_alive():
            return worker.conn.recv() if worker.conn.poll() else _DEAD
    except (EOFError, OSError):
        return _DEAD
    return None


def _dispatch(worker: _Worker, pending: deque, on_start) -> None:
    if pending:
        sub = pending.popleft()
        worker.send(sub)
        on_start(sub, f"pid {worker.process.pid}")
