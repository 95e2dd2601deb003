"""Ctrl-C stops a batch cleanly and keeps what finished; a killed batch leaves no half-written folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

from grader.batch.gradebook import read_gradebook
from grader.batch.log import read_events
from grader.results import read_results
from tests.batch.batch_support import REFERENCE, ROOT, copy_submission
from tests.support.fake_grader import reference_total
from tests.support.processes import processes_mentioning, wait_until_gone

DRIVER = """
import functools, sys
from grader.batch import run_batch
from tests.support.fake_grader import fake_grade
token = sys.argv[3]  # in every forked process's command line, to find leftovers
summary = run_batch(sys.argv[1], sys.argv[2], jobs=2, grade_fn=functools.partial(fake_grade, burn=0.2),
                    progress=False, timeout=120)
sys.exit(130 if summary.interrupted else 0)
"""


def _start(tmp_path, inp, out):
    token = uuid.uuid4().hex
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the driver imports tests.support.fake_grader
    proc = subprocess.Popen(
        [sys.executable, str(script), str(inp), str(out), token],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, token


def _wait_for_finished(out, count: int, proc, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        log = out / "batch.log.jsonl"
        if log.exists() and sum(e["event"] == "finished" for e in read_events(log)) >= count:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("the batch did not get going")


def _processes_with(token: str) -> list[int]:
    return [p.pid for p in processes_mentioning(token)]


def _input(tmp_path, hanging: int, quick: int):
    inp = tmp_path / "in"
    for i in range(quick):
        copy_submission(REFERENCE, inp / f"{100 + i}_quick_lab1")
    for i in range(hanging):
        copy_submission(REFERENCE, inp / f"{900 + i}_hang_lab1", "FAKE_HANG")
    return inp


def test_ctrl_c_stops_workers_and_keeps_what_finished(tmp_path):
    inp, out = _input(tmp_path, hanging=6, quick=2), tmp_path / "out"
    proc, token = _start(tmp_path, inp, out)
    try:
        _wait_for_finished(out, 2, proc)
        time.sleep(0.3)  # both workers are now inside hanging gradings
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    book = read_gradebook(out / "gradebook.csv")
    assert [r["id"] for r in book] == ["100", "101"] and all(r["status"] == "ok" for r in book)
    events = read_events(out / "batch.log.jsonl")
    assert events[-1]["event"] == "batch_interrupted" and events[-1]["finished"] == 2
    assert "Interrupted" in (out / "summary.html").read_text()
    assert wait_until_gone(token, 10) == []  # workers, supervisors and grandchildren are gone
    assert not any(p.name.startswith("9") for p in out.iterdir())  # nothing half-graded published


def test_killed_batch_leaves_only_complete_student_folders(tmp_path):
    inp, out = _input(tmp_path, hanging=0, quick=12), tmp_path / "out"
    proc, token = _start(tmp_path, inp, out)
    try:
        _wait_for_finished(out, 3, proc)
        proc.kill()  # SIGKILL: no clean-up at all in the main process
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    wait_until_gone(token, 20)  # orphaned workers finish their job
    for pid in _processes_with(token):
        os.kill(pid, signal.SIGKILL)
    published = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(published) >= 3
    for folder in published:
        assert {"results.json", "report.html"} <= {p.name for p in folder.iterdir()}, folder
        assert read_results(folder / "results.json").score == reference_total()
    assert not list(out.glob("*.tmp")) and not list(out.glob("*/.*.tmp"))
