"""Course-site downloads as a TA gets them: every LMS's naming, archives in folders, loose files, a roster."""

from __future__ import annotations

import pytest

from grader.batch import BatchError, run_batch
from grader.batch.discover import discover
from grader.batch.gradebook import read_gradebook
from grader.batch.roster import load_roster, normalize_id, skeleton
from grader.batch.seeds import batch_salt, seed_hash
from grader.batch.unzip import ZipLimits
from grader.results import read_results
from tests.batch.batch_support import REFERENCE, copy_submission
from tests.batch.lms_exports import (
    blackboard_download,
    canvas_download,
    canvas_roster,
    gradescope_export,
    moodle_download,
)
from tests.support.fake_grader import cell, fake_grade, reference_total

FULL = cell(reference_total())  # the reference, bonus extras included


def run(inp, out, **kwargs):
    kwargs.setdefault("jobs", 2)
    kwargs.setdefault("timeout", 60)
    return run_batch(inp, out, grade_fn=fake_grade, progress=False, reports=False, **kwargs)


def by_id(out) -> dict[str, dict]:
    return {row["id"]: row for row in read_gradebook(out / "gradebook.csv")}


def test_canvas_names_are_recognized_and_grouped_per_student(tmp_path):
    found = discover(canvas_download(tmp_path / "canvas"))
    assert found.preset == "canvas"
    subs = {s.student_id: s for s in found.submissions}
    assert sorted(subs) == ["10001", "10002", "10004", "10005", "10006", "10009"]
    assert (subs["10001"].kind, subs["10001"].name) == ("zip", "andersonalice")
    assert (subs["10002"].kind, subs["10002"].late) == ("tar", "late")
    assert subs["10004"].kind == "files" and len(subs["10004"].files) == 8
    assert "network.py" in {own for _, own in subs["10004"].files}  # Canvas's network-1.py
    assert subs["10005"].kind == "unsupported"
    assert found.skipped == []


def test_a_canvas_class_with_a_roster_gets_one_row_per_student(tmp_path):
    inp = canvas_download(tmp_path / "canvas")
    out = tmp_path / "grades"
    summary = run(
        inp, out, roster=canvas_roster(tmp_path / "roster.csv"), zip_limits=ZipLimits(max_files=50), secret_seed=77
    )
    book = by_id(out)
    assert sorted(book) == ["10001", "10002", "10004", "10005", "10006", "10007", "10008", "10009"]
    assert book["10001"]["name"] == "Anderson, Alice"  # the roster's name
    assert (book["10001"]["total"], book["10001"]["status"], book["10001"]["late"]) == (FULL, "ok", "")
    assert (book["10002"]["total"], book["10002"]["late"]) == (FULL, "late")  # .tar.gz, marked late
    assert book["10004"]["total"] == FULL  # loose files, one renamed network-1.py
    assert (out / "10004" / "files" / "report.pdf").is_file()  # kept for the TA
    dana = book["10005"]
    assert dana["status"] == "unsupported" and ".rar" in dana["error"] and dana["total"] == ""
    assert book["10006"]["total"] == FULL  # a repo with .venv: 60 files skipped before the 50-file cap
    assert not (out / "10006" / "files" / "repo" / ".venv").exists()
    for missing in ("10007", "10008"):
        row = book[missing]
        assert row["status"] == "no submission" and row["total"] == "" and row["activations"] == ""
    assert "not on the roster" in book["10009"]["flags"]
    assert summary.roster.unknown == ["10009"] and len(summary.roster.missing) == 2
    assert book["10001"]["seed"] == "secret"
    page = (out / "summary.html").read_text()
    assert 'href="10004/files/"' in page and "report.pdf" in page


def test_moodle_folders_with_a_zip_loose_files_and_online_text(tmp_path):
    inp = moodle_download(tmp_path / "moodle")
    out = tmp_path / "grades"
    summary = run(inp, out)
    assert summary.preset == "moodle"
    book = by_id(out)
    assert sorted(book) == ["500001", "500002", "500003"]  # Bob's two folders are one submission
    assert book["500001"]["name"] == "Alice Anderson" and book["500001"]["total"] == FULL
    assert book["500002"]["total"] == FULL and "duplicate" not in book["500002"]["flags"]
    assert (out / "500002" / "files" / "onlinetext.html").is_file()
    assert book["500003"]["total"] == "0" and book["500003"]["status"] == "ok"  # a .tgz of the skeleton
    assert (out / "500001" / "files" / "report.pdf").is_file()


def test_gradescope_export_uses_the_metadata_ids_and_gives_each_group_member_a_row(tmp_path):
    inp = gradescope_export(tmp_path / "gs")
    out = tmp_path / "grades"
    summary = run(inp, out, lms="gradescope")
    assert summary.preset == "gradescope"
    book = by_id(out)
    assert sorted(book) == ["10001", "10002", "chen@uni.example"]
    assert book["10002"]["total"] == book["chen@uni.example"]["total"] == FULL
    assert "group submission with chen@uni.example" in book["10002"]["flags"]
    assert {frozenset((p.a, p.b)) for p in summary.similar} == {
        frozenset(("10001", "10002")),
        frozenset(("10001", "chen_uni.example")),
    }  # one upload's two rows: no pair
    with pytest.raises(BatchError, match=r"submission_metadata\.yml"):
        run(canvas_download(tmp_path / "canvas"), tmp_path / "g2", lms="gradescope")


def test_blackboard_takes_the_latest_attempt(tmp_path):
    inp = blackboard_download(tmp_path / "bb")
    summary = run(inp, tmp_path / "grades")
    assert summary.preset == "blackboard"
    book = by_id(tmp_path / "grades")
    assert sorted(book) == ["akim", "jsmith"]
    assert book["jsmith"]["total"] == FULL  # the second attempt is the reference, the first the skeleton
    assert "1 earlier attempt(s) ignored" in book["jsmith"]["flags"]


def test_roster_normalizes_ids_and_flags_look_alikes(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    copy_submission(REFERENCE, inp / "s1007_Ann_lab1")
    copy_submission(REFERENCE, inp / "s1ОО8_Eve_lab1")  # Cyrillic О: looks like s1008, is not
    copy_submission(REFERENCE, inp / "ｓ1009_Fay_lab1")  # fullwidth s: the same id after NFKC
    copy_submission(REFERENCE, inp / "s1007_Ann again_lab1")  # a duplicated id
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1007,Ann Lee\ns1008,Ed Ma\ns1009,Fay Wu\n")
    out = tmp_path / "grades"
    summary = run(inp, out, roster=roster, lms="folders")
    book = read_gradebook(out / "gradebook.csv")
    ids = [row["id"] for row in book]
    assert ids.count("s1008") == 1 and dict(zip(ids, book))["s1008"]["status"] == "no submission"
    eve = next(row for row in book if row["id"] == "s1ОО8")
    assert "only looks like roster id 's1008'" in eve["flags"]
    assert "s1009" in ids and "ｓ1009" not in ids
    assert sum(1 for row in book if row["id"] == "s1007") == 2
    assert all("duplicate id" in row["flags"] for row in book if row["id"] == "s1007")
    assert summary.roster.lookalike and normalize_id("ｓ1009") == "s1009" and skeleton("s1ОО8") == skeleton("s1008")


def test_roster_errors_name_the_line(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("id,name\n1,A\n\n2,B\n1,C\n")
    with pytest.raises(BatchError, match=r"line 5: id '1' is already on line 2"):
        load_roster(bad)
    bad.write_text("name,email\nA,a@x\n")
    with pytest.raises(BatchError, match="line 1: no id column"):
        load_roster(bad)
    bad.write_text("id,name\n,A\n")
    with pytest.raises(BatchError, match="line 2: the id is empty"):
        load_roster(bad)


def test_resume_after_the_seed_changed_regrades_and_only_regrades_chosen_students(tmp_path, monkeypatch):
    monkeypatch.delenv("LAB1_SECRET_SEED", raising=False)
    inp = canvas_download(tmp_path / "canvas")
    out = tmp_path / "grades"
    first = run(inp, out, secret_seed=1, only="10001,10004", zip_limits=ZipLimits(max_files=100))
    assert sorted(first.outcomes) == ["10001", "10004"]  # as if interrupted after two
    again = run(inp, out, secret_seed=1, resume=True, zip_limits=ZipLimits(max_files=100))
    assert again.resumed == 2 and again.graded == 3 and again.errors == {"unsupported": 1}
    changed = run(inp, out, secret_seed=2, resume=True, zip_limits=ZipLimits(max_files=100))
    assert changed.graded == 5 and changed.resumed == 1  # only the .rar row does not depend on the seed
    hidden = read_results(out / "10001" / "results.json").meta["hidden_seed"]
    assert hidden == {"source": "secret", "hash": seed_hash(2, batch_salt(out))}  # a salted hash, never the seed
    public = run(inp, out, resume=True, zip_limits=ZipLimits(max_files=100), secret_seed=None)
    assert public.seed_source == "public" and public.graded == 5
    assert {row["seed"] for row in read_gradebook(out / "gradebook.csv") if row["status"] == "ok"} == {"public"}
    assert "PUBLIC hidden-point seed" in (out / "summary.html").read_text()
    flags_before = {r["id"]: r["flags"] for r in read_gradebook(out / "gradebook.csv")}
    only = run(inp, out, only=["10004"], secret_seed=2)
    assert only.graded == 1 and only.resumed == 5 and len(read_gradebook(out / "gradebook.csv")) == 6
    assert {r["id"]: r["flags"] for r in read_gradebook(out / "gradebook.csv")} == flags_before  # pairs kept
    with pytest.raises(BatchError, match="--only 99999: no submission"):
        run(inp, out, only="99999")
