"""`grade batch` end to end with the real grader, as a separate process (never pytest inside pytest)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from grader.batch.gradebook import read_gradebook
from grader.sandbox import strict
from tests.batch.batch_support import FAST_RUBRIC, REFERENCE, STUDENT, copy_submission, zip_folder
from tests.support.fixtures import fixture_path
from tests.support.processes import wait_until_gone
from tests.support.runner import GraderProcess, run_grader

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
RUN_TIMEOUT = 600


def grade_batch(tmp_path, inp, out, *args) -> GraderProcess:
    """Run `python -m grader batch` with its own TMPDIR; fail if it leaves a process behind."""
    tmp = Path(tempfile.mkdtemp(prefix=f"tmp-{out.name}-", dir=tmp_path))
    done = run_grader(["batch", str(inp), "--out", str(out), *args], tmp, RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert wait_until_gone(tmp, 5) == [], "processes left behind"
    assert not list(tmp.glob("lab1-*")), "temporary folders left behind"
    return done


def gradebook(out) -> dict[str, dict]:
    return {row["id"]: row for row in read_gradebook(out / "gradebook.csv")}


@pytest.fixture(scope="module")
def real_input(tmp_path_factory):
    """The reference (as a zip with a top folder), the skeleton and two fixtures."""
    inp = tmp_path_factory.mktemp("real") / "in"
    inp.mkdir()
    zip_folder(REFERENCE, inp / "1001_Ada Lovelace_lab1.zip", prefix="lab1", macosx=True)
    copy_submission(STUDENT, inp / "1002_Bob Stone_lab1")
    for number, name in ((1003, "grad_half_scale"), (1004, "framework_import_torch")):
        copy_submission(fixture_path(name), inp / f"{number}_{name}_lab1")
    return inp


def test_real_batch_is_the_same_with_one_two_workers_and_dask(real_input, tmp_path):
    one, two, dask = tmp_path / "one", tmp_path / "two", tmp_path / "dask"
    # Reports and figures only where they are looked at (`two`): the gradebooks are compared byte for byte.
    grade_batch(tmp_path, real_input, one, "--jobs", "1", "--no-report")
    done = grade_batch(tmp_path, real_input, two, "--jobs", "2")
    assert "0 not graded" in done.stdout
    grade_batch(tmp_path, real_input, dask, "--jobs", "2", "--executor", "dask", "--no-report")
    book = (one / "gradebook.csv").read_bytes()
    assert (two / "gradebook.csv").read_bytes() == book
    assert (dask / "gradebook.csv").read_bytes() == book

    rows = gradebook(two)
    assert rows["1001"]["total"] == "100" and rows["1001"]["status"] == "ok"
    assert rows["1002"]["total"] == "0" and rows["1002"]["status"] == "ok"  # not attempted is not an error
    assert rows["1003"]["backward"] == "12.5" and rows["1003"]["status"] == "ok"  # half credit: one constant factor
    assert "torch" in rows["1004"]["flags"]
    tier = "strict" if strict.available()[0] else "default"  # --sandbox auto: strict where it works
    assert {row["sandbox"] for row in rows.values()} == {tier}
    results = json.loads((two / "1001" / "results.json").read_text())
    assert results["extra_data"]["student"] == {
        "id": "1001",
        "name": "Ada Lovelace",
        "source": "1001_Ada Lovelace_lab1.zip",
    }
    assert results["extra_data"]["submission_sha256"] and results["extra_data"]["sandbox"] == tier
    assert (two / "1001" / "report.html").is_file() and list((two / "1001" / "figures").glob("*.png"))
    summary = (two / "summary.html").read_text()
    assert "Pass rate per item" in summary and "<svg" in summary

    again = grade_batch(tmp_path, real_input, two, "--jobs", "2", "--resume")
    assert f"{len(rows)} kept from an earlier run" in again.stdout
    assert (two / "gradebook.csv").read_bytes() == book


def test_hostile_submissions_do_not_stop_the_batch(tmp_path):
    inp = tmp_path / "in"
    names = ["infinite_loop_in_train", "os_exit_in_train", "memory_blowup_in_train", "infinite_loop_at_import"]
    for number, name in enumerate(names, start=1):
        copy_submission(fixture_path(name), inp / f"{number}_{name}_lab1")
    copy_submission(REFERENCE, inp / "9_reference_lab1")
    out = tmp_path / "out"
    grade_batch(tmp_path, inp, out, "--jobs", "2", "--rubric", str(FAST_RUBRIC), "--no-report")
    rows = gradebook(out)
    assert len(rows) == len(names) + 1
    assert all(row["status"] == "ok" for row in rows.values()), rows  # the grader handled each of them
    assert rows["9"]["total"] == "100"
    assert all(float(rows[str(n)]["total"]) < 100 for n in range(1, len(names) + 1))
