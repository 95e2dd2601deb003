"""The grader as a separate process: one way to run `python -m grader ...` from a test.

Never run_check or pytest.main in the test process: pytest inside pytest would share sys.modules.
Each run gets its own TMPDIR, so the sandbox's temporary folder (and the cwd of every process the
submission starts) lives under a path no other run uses: `tests.support.processes` finds what a
run left behind by that path.

`RunPool` queues such jobs on one executor shared by the whole session, two at a time (one per core
of the project's machines), caches them by key, and lets a test wait only for its own run. The pools
of tests/check and tests/attacks start when collection ends and the root conftest runs their readers
last, so the runs overlap the rest of the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_EXIT = -999  # returncode of a run killed by its timeout
# Variables of the developer's or CI's shell that would change what the grader does.
SCRUBBED_ENV = ("LAB1_SECRET_SEED", "GITHUB_STEP_SUMMARY", "PYTEST_ADDOPTS")


@dataclass
class GraderProcess:
    """One finished `python -m grader ...` process."""

    argv: list[str]
    returncode: int  # TIMEOUT_EXIT when the run was killed by its timeout
    stdout: str
    stderr: str
    seconds: float  # reported by the session summaries, never asserted


def run_grader(
    args: Iterable[str], tmpdir: Path | None, timeout: float, env: Mapping[str, str] | None = None, cwd: Path = ROOT
) -> GraderProcess:
    """`python -m grader ARGS` with TMPDIR=tmpdir, no stdin, the variables of SCRUBBED_ENV removed
    and then `env` added; a run still going after `timeout` seconds is killed and reported as such.
    tmpdir None keeps this process's TMPDIR (for a run whose leftovers nobody looks for)."""
    argv = [sys.executable, "-m", "grader", *args]
    full_env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    full_env.update(env or {})
    if tmpdir is not None:
        full_env["TMPDIR"] = str(tmpdir)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            argv, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        code, err = TIMEOUT_EXIT, f"grader still running after {timeout} s"
    return GraderProcess(argv, code, out, err, time.perf_counter() - started)


K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


_SHARED: list[ThreadPoolExecutor] = []
_POOLS: list[RunPool] = []


def shared_executor() -> ThreadPoolExecutor:
    """The session's two grader-run threads, whichever pool queues the run."""
    if not _SHARED:
        _SHARED.append(ThreadPoolExecutor(max_workers=2, thread_name_prefix="grader-run"))
    return _SHARED[0]


class RunPool(Generic[K, R]):
    """Runs `work(key)` on the shared executor (each a grader process), once per key."""

    def __init__(self, work: Callable[[K], R]):
        self.work = work
        self.pool = shared_executor()
        self.futures: dict[K, Future[R]] = {}
        _POOLS.append(self)

    def start(self, keys: Iterable[K]) -> None:
        """Queue these runs (in this order: put the slowest first) unless already queued."""
        for key in keys:
            if key not in self.futures:
                self.futures[key] = self.pool.submit(self.work, key)

    def get(self, key: K) -> R:
        self.start([key])
        return self.futures[key].result()

    def finished(self) -> list[R]:
        """The runs that ended normally, for a session summary."""
        return [f.result() for f in self.futures.values() if f.done() and not f.cancelled() and not f.exception()]

    def close(self) -> None:
        """Drop the runs not started and wait for the others (their processes must not outlive the session)."""
        for future in self.futures.values():
            future.cancel()
        wait(list(self.futures.values()))


def close_pools() -> None:
    """Close every pool: a session that ends early (-x, Ctrl-C, --collect-only) does not wait for
    queued runs nobody will read."""
    for pool in _POOLS:
        pool.close()
