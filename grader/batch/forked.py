"""Run a function in a forked grandchild under a supervisor that enforces a hard timeout and kills all it left.

    caller (warm worker) --fork--> supervisor (own session, child subreaper)
                                      --fork--> grandchild: runs target(), then os._exit

The grandchild inherits the caller's imports (numpy, pytest, grader) but nothing it does
survives it: submission modules, pytest state, monkeypatched libraries. The supervisor
kills the grandchild at the deadline, and every process the grandchild left behind (for
example a sandbox child of a grandchild that was killed) is re-parented to the supervisor,
which kills it. Ctrl-C never reaches them directly: the batch's main process decides.
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.sandbox import procs
from grader.sandbox.process import SANDBOX_PREFIX

TERM_GRACE = 2.0  # seconds between SIGTERM (let the grader close its sandbox) and SIGKILL
REAP_SECONDS = 5.0
OUTPUT_TAIL = 2000
FAILED_EXIT = 70


@dataclass
class ForkOutcome:
    """How the grandchild ended."""

    status: str  # "ok", "failed" (raised or exited non-zero), "killed" (by a signal), "timeout", "lost"
    seconds: float
    exit_code: int | None = None
    signal: str = ""
    output: str = ""  # tail of the grandchild's stdout and stderr


class _Stop(BaseException):
    """The supervisor was asked to stop (SIGTERM, or its caller died)."""


def can_fork() -> bool:
    """Whether this platform can run targets in forked grandchildren."""
    return hasattr(os, "fork") and sys.platform != "win32"


def run_forked(target: Callable[[], None], *, timeout: float, output_path: str | Path | None = None) -> ForkOutcome:
    """Run target() in a grandchild with a hard timeout; its stdout/stderr go to output_path."""
    if not can_fork():
        return _run_inline(target)
    caller = os.getpid()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # supervisor
        os.close(read_fd)
        _supervisor_main(target, timeout, output_path, write_fd, caller)
    os.close(write_fd)
    try:
        data = _read_all(read_fd)
        procs.wait_for(pid, None)
    except BaseException:  # the caller is being stopped: stop the supervisor and its tree first
        _stop_supervisor(pid)
        raise
    finally:
        os.close(read_fd)
    try:
        return ForkOutcome(**json.loads(data.decode("utf-8")))
    except (ValueError, TypeError):
        return ForkOutcome(status="lost", seconds=0.0, output="the grading supervisor process died")


def _run_inline(target: Callable[[], None]) -> ForkOutcome:
    started = time.monotonic()
    try:
        target()
    except Exception:  # noqa: BLE001 (whatever the job raises is its outcome, not the batch's)
        return ForkOutcome(
            "failed", time.monotonic() - started, FAILED_EXIT, output=traceback.format_exc()[-OUTPUT_TAIL:]
        )
    return ForkOutcome("ok", time.monotonic() - started, 0)


def _supervisor_main(target, timeout, output_path, write_fd, caller) -> None:
    code = 1
    try:
        os.setsid()  # terminal signals (Ctrl-C) go to the batch's main process only
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _raise_stop)
        # PDEATHSIG follows the forking thread; it is blocked in run_forked for this process's whole
        # life, so the signal comes only when the caller dies (a killed batch, a closed Dask worker).
        die_with_parent(caller)
        procs.prctl(procs.PR_SET_CHILD_SUBREAPER, 1)
        outcome = _supervise(target, timeout, output_path)
        data = json.dumps(asdict(outcome)).encode("utf-8")
        while data:
            data = data[os.write(write_fd, data) :]
        code = 0
    except BaseException:  # noqa: BLE001 (a reader gone away: the exit code says it)
        pass
    finally:
        os._exit(code)


def _supervise(target, timeout: float, output_path) -> ForkOutcome:
    started = time.monotonic()
    gpid = os.fork()
    if gpid == 0:
        _grandchild_main(target, output_path)
    try:
        os.setpgid(gpid, gpid)
    except OSError:
        pass  # the grandchild already did it, or is gone
    status = None
    timed_out = False
    try:
        status = procs.wait_for(gpid, timeout)
        if status is None:
            timed_out = True
            procs.signal_group(gpid, signal.SIGTERM)
            status = procs.wait_for(gpid, TERM_GRACE)
    finally:
        if status is None:
            procs.signal_group(gpid, signal.SIGKILL)
            status = procs.wait_for(gpid, REAP_SECONDS)
        procs.reap_descendants(REAP_SECONDS)
        # a grandchild killed mid-grading could not delete its sandbox folders: its pid is gone now
        procs.remove_orphan_folders(tempfile.gettempdir(), SANDBOX_PREFIX)
    seconds = time.monotonic() - started
    output = _tail(output_path)
    if timed_out:
        return ForkOutcome("timeout", seconds, None, "", output)
    code = os.waitstatus_to_exitcode(status) if status is not None else None
    if code is None:
        return ForkOutcome("lost", seconds, None, "", output)
    if code < 0:
        return ForkOutcome("killed", seconds, code, signal.Signals(-code).name, output)
    return ForkOutcome("ok" if code == 0 else "failed", seconds, code, "", output)


def _grandchild_main(target, output_path) -> None:
    code = FAILED_EXIT
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGTERM, _raise_exit)  # SystemExit unwinds with-blocks: sandboxes close
        _redirect_output(output_path)
        target()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 (the forked job's failure, printed for its log)
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 (a closed stream must not stop os._exit)
                pass
        os._exit(code)


def _redirect_output(output_path) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    fd = os.open(str(output_path) if output_path else os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    # sys.stdout may be someone's capture object (pytest's, a worker's): write to the new fds instead
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    if faulthandler.is_enabled():  # it may hold another fd of the terminal (pytest's does)
        faulthandler.enable(sys.stderr)


def _raise_stop(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Stop


def _raise_exit(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def die_with_parent(parent: int, sig: int = signal.SIGTERM) -> None:
    """Get `sig` when the parent process (its forking thread) dies; SystemExit if it already has (Linux)."""
    procs.prctl(procs.PR_SET_PDEATHSIG, sig)
    if os.getppid() != parent:
        raise SystemExit(1)


def _stop_supervisor(pid: int) -> None:
    """SIGTERM the supervisor (it kills its grandchild and reaps), SIGKILL it if it lingers."""
    procs.signal_group(pid, signal.SIGTERM)
    if procs.wait_for(pid, TERM_GRACE + REAP_SECONDS) is None:
        procs.signal_group(pid, signal.SIGKILL)
        procs.wait_for(pid, REAP_SECONDS)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _tail(output_path) -> str:
    if not output_path:
        return ""
    try:
        with open(output_path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - OUTPUT_TAIL))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
