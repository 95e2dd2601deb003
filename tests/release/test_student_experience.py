"""`grade check` as a student meets it: wrong folders, partial work, read-only folders, Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.usage import UsageError, check_fail_under, require_submission_folder
from tests.release.installs import ROOT
from tests.support.fixtures import materialize
from tests.support.processes import live_processes
from tests.support.runner import GraderProcess, run_grader

FAST_RUBRIC = ROOT / "tests" / "check" / "fast_limits.toml"


def _grade(*args: str, cwd: Path) -> GraderProcess:
    return run_grader(["check", *args], cwd, 300, cwd=cwd)


def test_a_folder_without_the_lab_modules_is_a_usage_error_naming_them(tmp_path):
    shutil.copytree(ROOT / "student", tmp_path / "student")
    with pytest.raises(
        UsageError,
        match=r"not a submission folder: it holds none of activations\.py.*"
        r"Did you mean `grade check .*student`\?",
    ):
        require_submission_folder(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="not a submission folder") as info:
        require_submission_folder(tmp_path / "empty")
    assert "Did you mean" not in str(info.value)


def test_partial_folder_is_graded_and_its_missing_modules_named(tmp_path):
    for name in ("activations.py", "losses.py"):
        shutil.copy(ROOT / "reference" / name, tmp_path / name)
    assert require_submission_folder(tmp_path) == ["network.py", "optimizers.py", "train.py", "config.py"]


@pytest.mark.parametrize("value,ok", [(0, True), (100, True), (60.5, True), (-1, False), (100.5, False)])
def test_fail_under_must_lie_within_the_rubric_points(value, ok):
    if ok:
        check_fail_under(value, 100)
    else:
        with pytest.raises(UsageError, match=r"outside 0\.\.100"):
            check_fail_under(value, 100)


@pytest.mark.e2e
def test_grade_check_dot_at_a_starter_root_says_what_a_submission_is(tmp_path):
    shutil.copytree(ROOT / "student", tmp_path / "student")
    done = _grade(".", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Did you mean `grade check student`?" in done.stderr
    assert done.stdout == "" and not (tmp_path / "grade-report").exists()


@pytest.mark.e2e
@pytest.mark.parametrize("args", [("--fail-under", "101"), ("--fail-under", "-5")])
def test_fail_under_outside_the_points_is_a_usage_error(tmp_path, args):
    done = _grade(str(ROOT / "reference"), *args, cwd=tmp_path)
    assert done.returncode == 2 and "outside 0..100" in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.e2e
@pytest.mark.slow
def test_partial_folder_gets_one_note_and_no_thread_traceback(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    for name in ("activations.py", "losses.py"):
        shutil.copy(ROOT / "reference" / name, sub / name)
    done = _grade("sub", "--out", "report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Exception in thread" not in done.stderr, done.stderr
    assert done.stderr.splitlines() == [
        "grade: note: sub has no network.py, optimizers.py, train.py, config.py: the items that need them score 0"
    ]
    assert "20 / 100" in done.stdout


@pytest.mark.e2e
@pytest.mark.slow
def test_unwritable_report_folder_costs_one_line_not_the_score(tmp_path):
    (tmp_path / "blocker").write_text("a file where the report folder should go\n")
    done = _grade(str(ROOT / "reference"), "--out", "blocker/report", "--fail-under", "100", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "100 / 100" in done.stdout
    assert done.stderr.splitlines() == [
        "grade: error: cannot write the report to blocker/report: Not a directory (pass --out DIR or --no-report)"
    ]


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.2, 2.5])  # while the grader loads; while the child trains
def test_ctrl_c_is_one_line_status_130_and_nothing_left_behind(tmp_path, delay):
    sub = materialize("infinite_loop_in_train", tmp_path / "sub")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "check", str(sub), "--rubric", str(FAST_RUBRIC), "--out", "report"],
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends to its foreground group
    out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.fail(f"grading ended before the interrupt; raise the fixture's cost\n{out}")
    assert proc.returncode == 130, err
    assert err == "grade: interrupted (Ctrl-C)\n"
    deadline = time.monotonic() + 10
    while _processes_under(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_under(tmp_path) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("lab1-grader")], list(tmp_path.iterdir())


def _processes_under(folder: Path) -> list[str]:
    """Command lines of live processes whose cwd or arguments mention folder."""
    return [process.cmdline for process in live_processes() if process.mentions(str(folder))]
