"""Forked grandchildren: results, timeouts, crashes, nothing leaks into the caller, nothing left running."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from grader.batch.forked import run_forked
from tests.support.processes import gone


def test_ok_and_output_tail(tmp_path):
    out = tmp_path / "out.txt"
    outcome = run_forked(lambda: print("hello from the grandchild"), timeout=10, output_path=out)
    assert outcome.status == "ok" and outcome.exit_code == 0
    assert "hello from the grandchild" in outcome.output


def test_state_does_not_leak_into_the_caller(tmp_path):
    import json

    def target():
        sys.modules["leaky_submission_module"] = object()
        json.dumps = None  # a submission monkeypatching a library
        (tmp_path / "ran").write_text("yes")

    assert run_forked(target, timeout=10).status == "ok"
    assert (tmp_path / "ran").read_text() == "yes"
    assert "leaky_submission_module" not in sys.modules and json.dumps is not None


def test_exception_crash_and_exit_status():
    def boom():
        raise ValueError("grader bug")

    failed = run_forked(boom, timeout=10, output_path=os.devnull)
    assert failed.status == "failed" and failed.exit_code == 70
    killed = run_forked(lambda: os.kill(os.getpid(), 11), timeout=10)
    assert killed.status == "killed" and killed.signal == "SIGSEGV"
    exited = run_forked(lambda: os._exit(3), timeout=10)
    assert exited.status == "failed" and exited.exit_code == 3


def test_timeout_kills_the_grandchild_and_what_it_left(tmp_path):
    pid_file = tmp_path / "pid"

    def target():
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
        pid_file.write_text(str(child.pid))
        time.sleep(60)

    outcome = run_forked(target, timeout=1.0)
    assert outcome.status == "timeout"
    orphan = int(pid_file.read_text())
    assert gone(orphan)


def test_grandchild_ignoring_sigterm_is_killed(tmp_path, monkeypatch):
    import signal

    from grader.batch import forked

    monkeypatch.setattr(forked, "TERM_GRACE", 0.3)  # SIGKILL follows SIGTERM this much later

    pid_file = tmp_path / "pid"

    def stubborn():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        pid_file.write_text(str(os.getpid()))
        time.sleep(60)

    assert run_forked(stubborn, timeout=0.5).status == "timeout"
    stubborn_pid = int(pid_file.read_text())  # SIGTERM alone would have left it sleeping
    assert gone(stubborn_pid)
