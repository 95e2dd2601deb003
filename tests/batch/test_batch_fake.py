"""run_batch with the fake grader: outputs, order independence, resume, failures, atomic publishing."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from grader.batch import BatchError, run_batch
from grader.batch.gradebook import read_gradebook
from grader.batch.log import read_events
from grader.results import read_results
from tests.batch.batch_support import REFERENCE, copy_submission
from tests.support.fake_grader import cell, fake_grade, reference_total


def run(inp, out, **kwargs):
    kwargs.setdefault("jobs", 2)
    kwargs.setdefault("timeout", 30)
    return run_batch(inp, out, grade_fn=fake_grade, progress=False, **kwargs)


def rows(out) -> list[dict]:
    return read_gradebook(out / "gradebook.csv")


def test_outputs_of_a_mixed_batch(mixed_input, tmp_path, rubric):
    out = tmp_path / "out"
    summary = run(mixed_input, out)
    assert summary.total == 5 and not summary.interrupted
    assert summary.errors == {"refused": 1}
    book = rows(out)
    assert [r["id"] for r in book] == ["1001", "1002", "1003", "1004", "1010"]
    header = next(csv.reader(io.StringIO((out / "gradebook.csv").read_text())))
    assert header == [
        "id",
        "name",
        "late",
        *rubric.items,
        "total",
        "flags",
        *rubric.manual,
        "total_with_manual",
        "status",
        "sandbox",
        "seed",
        "error",
        "folder",
    ]
    ada, bob, cy, eve, zoe = book
    assert (ada["name"], ada["total"], ada["status"], ada["error"]) == (
        "Ada Lovelace",
        cell(reference_total()),
        "ok",
        "",
    )
    assert bob["total"] == "0" and bob["activations"] == "0" and bob["status"] == "ok"
    assert cy["loss"] == "0" and cy["total"] == cell(reference_total() - 10)
    assert eve["status"] == "refused" and "leaving its folder" in eve["error"]
    assert eve["total"] == "" and eve["activations"] == ""  # not graded: blank, so an import records nothing
    assert zoe["total"] == cell(reference_total())  # zipped, with a top folder and __MACOSX
    assert all(r[key] == "" for r in book for key in rubric.manual)
    assert "near-identical code" in ada["flags"] and "1010" in ada["flags"]
    assert "near-identical" not in bob["flags"]  # the skeleton is nobody's copy
    for key in ("1001", "1002", "1003", "1004", "1010"):
        assert (out / key / "results.json").is_file() and (out / key / "report.html").is_file()
    assert read_results(out / "1004" / "results.json").meta["batch_status"] == "refused"
    assert read_results(out / "1001" / "results.json").meta["student"]["name"] == "Ada Lovelace"
    assert not (out / ".staging").exists() or not any((out / ".staging").iterdir())
    page = (out / "summary.html").read_text()
    for text in (
        "<svg",
        "Pass rate per item",
        "grad_scale_half",
        "Near-identical code",
        "refused",
        "Slowest submissions",
        "README.txt",
        'href="1001/report.html"',
    ):
        assert text in page, text
    events = read_events(out / "batch.log.jsonl")
    kinds = [e["event"] for e in events]
    assert kinds[0] == "batch_started" and kinds[-1] == "batch_finished"
    assert kinds.count("started") == 5 and kinds.count("finished") == 4 and kinds.count("error") == 1
    assert all("seconds" in e for e in events if e["event"] in ("finished", "error"))


def test_gradebook_is_the_same_whatever_the_order_of_completion(mixed_input, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    run(mixed_input, one, jobs=1)
    run(mixed_input, two, jobs=3)
    assert (one / "gradebook.csv").read_bytes() == (two / "gradebook.csv").read_bytes()


def test_resume_keeps_unchanged_results_and_regrades_changed_ones(mixed_input, tmp_path):
    out = tmp_path / "out"
    run(mixed_input, out)
    before = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/results.json")}
    first_book = (out / "gradebook.csv").read_bytes()
    summary = run(mixed_input, out, resume=True)
    assert summary.resumed == 5 and summary.graded == 0
    assert {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/results.json")} == before
    assert (out / "gradebook.csv").read_bytes() == first_book
    network = mixed_input / "1002_Bob Stone_lab1" / "network.py"
    network.write_text(network.read_text() + "\n# a change\n")
    summary = run(mixed_input, out, resume=True)
    assert summary.resumed == 4 and [k for k, o in summary.outcomes.items() if not o.resumed] == ["1002"]
    events = read_events(out / "batch.log.jsonl")
    assert sum(e["event"] == "batch_started" for e in events) == 3


def test_resume_regrades_everything_for_another_rubric(mixed_input, tmp_path, rubric):
    out = tmp_path / "out"
    run(mixed_input, out)
    other = tmp_path / "rubric.toml"
    other.write_text(rubric.path.read_text() + "\n# another revision\n")
    summary = run(mixed_input, out, resume=True, rubric=other)
    assert summary.resumed == 0


def test_crash_hang_and_grader_error_are_rows_not_failures(tmp_path):
    inp = tmp_path / "in"
    copy_submission(REFERENCE, inp / "1_ok_lab1")
    copy_submission(REFERENCE, inp / "2_crash_lab1", "FAKE_CRASH")
    copy_submission(REFERENCE, inp / "3_hang_lab1", "FAKE_HANG")
    copy_submission(REFERENCE, inp / "4_raise_lab1", "FAKE_RAISE")
    copy_submission(REFERENCE, inp / "5_ok_lab1")
    out = tmp_path / "out"
    summary = run(inp, out, timeout=1.5)
    status = {r["id"]: (r["status"], r["error"]) for r in rows(out)}
    assert status["1"] == ("ok", "") and status["5"] == ("ok", "")
    assert status["2"][0] == "crashed" and "SIGSEGV" in status["2"][1]
    assert status["3"][0] == "timeout" and "1.5 s" in status["3"][1]
    assert status["4"][0] == "error" and "FAKE_RAISE" in status["4"][1]
    assert summary.errors == {"crashed": 1, "error": 1, "timeout": 1}
    (inp / "3_hang_lab1" / "FAKE_HANG").unlink()
    again = run(inp, out, resume=True, timeout=5)  # transient failures are graded again
    assert sorted(k for k, o in again.outcomes.items() if not o.resumed) == ["2", "3", "4"]
    assert again.outcomes["3"].status == "ok"


def test_usage_errors(tmp_path, mixed_input):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BatchError, match="no submission"):
        run(tmp_path / "empty", tmp_path / "out")
    with pytest.raises(BatchError, match="--scheduler needs --executor dask"):
        run(mixed_input, tmp_path / "out", scheduler="tcp://x:1")
    with pytest.raises(BatchError, match="cannot read rubric"):
        run(mixed_input, tmp_path / "out", rubric=tmp_path / "missing.toml")
    with pytest.raises(BatchError, match="must not be the input folder"):
        run(mixed_input, mixed_input)


def test_batch_survives_its_own_bugs(mixed_input, tmp_path, monkeypatch):
    from grader.batch import jobs

    def broken(*args, **kwargs):
        raise OSError("disk trouble while hashing")

    monkeypatch.setattr(jobs, "submission_hash", broken)  # inherited by the forked workers
    summary = run(mixed_input, tmp_path / "out", jobs=1)
    assert summary.errors == {"error": 4, "refused": 1}
    assert "disk trouble" in summary.outcomes["1001"].result.output


def test_unreadable_output_entries_do_not_stop_a_resume(mixed_input, tmp_path):
    out = tmp_path / "out"
    run(mixed_input, out)
    (out / "1001" / "results.json").write_text("{ not json")
    shutil.rmtree(out / "1002")
    (out / ".staging" / "1003-leftover").mkdir(parents=True)
    summary = run(mixed_input, out, resume=True)
    assert sorted(k for k, o in summary.outcomes.items() if not o.resumed) == ["1001", "1002"]
    assert not (out / ".staging" / "1003-leftover").exists()
    assert json.loads((out / "1001" / "results.json").read_text())["score"] == reference_total()
