"""Copies of the answer: the instructor's reference (shipped only as a fingerprint) and the grader's own math."""

from __future__ import annotations

from pathlib import Path

from grader.batch import run_batch
from grader.batch.copies import (
    PRINTS_PATH,
    copy_flags,
    main,
    packaged_reference_prints,
    unlabeled_shingles,
)
from grader.batch.gradebook import read_gradebook
from grader.batch.similarity import fingerprint
from tests.batch.batch_support import REFERENCE, STUDENT, copy_submission
from tests.support.fake_grader import fake_grade
from tests.support.fixtures import fixture_path

LAB = Path(__file__).resolve().parents[2] / "grader" / "lab"


def test_the_packaged_fingerprint_is_up_to_date_and_holds_no_source():
    assert main(["--check"]) == 0  # python -m grader.batch.copies regenerates it
    text = PRINTS_PATH.read_text()
    assert "def " not in text and "np." not in text
    assert packaged_reference_prints() == frozenset(fingerprint(REFERENCE, STUDENT))


def test_a_reference_copy_a_near_copy_and_a_math_copy_are_flagged_the_skeleton_is_not(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    copy_submission(REFERENCE, inp / "1_Copy_lab1")
    copy_submission(fixture_path("grad_half_scale"), inp / "2_Near_lab1")
    copy_submission(STUDENT, inp / "3_Skeleton_lab1")
    math = copy_submission(STUDENT, inp / "4_Math_lab1")
    spec = "\n".join((LAB / name).read_text() for name in ("spec.py", "gradcheck.py"))
    (math / "network.py").write_text((math / "network.py").read_text() + "\n" + spec)
    out = tmp_path / "grades"
    summary = run_batch(inp, out, grade_fn=fake_grade, progress=False, reports=False, jobs=2)
    book = {row["id"]: row for row in read_gradebook(out / "gradebook.csv")}
    assert "copy of the instructor's reference" in book["1"]["flags"]
    assert "copy of the instructor's reference" in book["2"]["flags"]  # one line changed
    assert "copy of" not in book["3"]["flags"]
    assert "copy of the grader's own math" in book["4"]["flags"]
    assert "copy of the instructor&#x27;s reference" in (out / "summary.html").read_text()
    assert summary.graded == 4


def test_copy_flags_need_enough_code_of_the_students_own():
    baseline = frozenset(unlabeled_shingles(STUDENT))
    assert copy_flags(STUDENT, [], frozenset({1, 2, 3}), baseline, 0.9) == []


def test_reference_option_reads_the_tas_checkout(tmp_path):
    import pytest

    from grader.batch import BatchError

    inp = tmp_path / "in"
    inp.mkdir()
    copy_submission(fixture_path("grad_half_scale"), inp / "1_Ann_lab1")
    other = copy_submission(STUDENT, tmp_path / "other_reference")  # a reference nobody copied
    (other / "network.py").write_text((other / "network.py").read_text() + "\nEXTRA = [i * 2 for i in range(3)]\n")
    run_batch(inp, tmp_path / "g", grade_fn=fake_grade, progress=False, reports=False, reference=other)
    assert "copy of" not in read_gradebook(tmp_path / "g" / "gradebook.csv")[0]["flags"]
    with pytest.raises(BatchError, match="--reference"):
        run_batch(inp, tmp_path / "g2", grade_fn=fake_grade, progress=False, reference=tmp_path / "missing")
