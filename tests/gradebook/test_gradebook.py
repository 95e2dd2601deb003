"""The TA's loop after grade batch: fill manual.csv, merge it, export what Canvas and Moodle import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.batch import run_batch
from grader.batch.gradebook import read_gradebook
from grader.batch.unzip import ZipLimits
from grader.cli import cli
from tests.batch.lms_exports import canvas_download, canvas_roster
from tests.support.fake_grader import cell, fake_grade, reference_total

FULL = cell(reference_total())

REPORT = {
    "report_introduction": "18",
    "report_setup": "25",
    "report_results": "20",
    "report_discussion": "27.5",
    "report_extra": "10",
}  # 100.5 of 110
WITH_REPORT = cell(reference_total() + 100.5)  # the reference's autograded points (bonus included) + the report


@pytest.fixture
def graded(tmp_path) -> Path:
    """A Canvas class graded with a roster: 5 graded rows, a .rar row, two students with no submission."""
    out = tmp_path / "grades"
    run_batch(
        canvas_download(tmp_path / "canvas"),
        out,
        roster=canvas_roster(tmp_path / "roster.csv"),
        grade_fn=fake_grade,
        progress=False,
        reports=False,
        jobs=2,
        secret_seed=5,
        zip_limits=ZipLimits(max_files=100),
    )
    return out


def fill(sheet: Path, edit=None) -> list[list[str]]:
    """Fill every student's report scores (edit may change the rows before they are written)."""
    rows = list(csv.reader(io.StringIO(sheet.read_text())))
    header = rows[0]
    for row in rows[2:]:
        for key, value in REPORT.items():
            row[header.index(key)] = value
        row[header.index("comment")] = "clear plots"
    if edit:
        edit(header, rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    sheet.write_text(buffer.getvalue())
    return rows


def grade(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_merge_fills_the_report_columns_and_each_feedback_page(graded):
    sheet = graded / "manual.csv"
    rows = list(csv.reader(io.StringIO(sheet.read_text())))
    assert rows[0][:3] == ["id", "name", "folder"] and rows[1][0] == "Points Possible"
    assert rows[1][3:8] == ["20", "30", "20", "30", "10"] and len(rows) == 2 + 8  # every gradebook row
    fill(sheet)
    done = grade("gradebook", "merge", str(graded))
    assert done.exit_code == 0, done.output
    book = {r["id"]: r for r in read_gradebook(graded / "gradebook.csv")}
    assert book["10001"]["report_discussion"] == "27.5" and book["10001"]["total_with_manual"] == WITH_REPORT
    assert book["10007"]["report_setup"] == "25" and book["10007"]["total_with_manual"] == ""  # no submission
    page = (graded / "10001" / "feedback.html").read_text()
    assert "27.5" in page and "clear plots" in page and WITH_REPORT in page
    # a later batch (here: one student regraded) keeps the merged scores
    run_batch(
        graded.parent / "canvas",
        graded,
        only="10004",
        grade_fn=fake_grade,
        progress=False,
        reports=False,
        secret_seed=5,
        roster=graded.parent / "roster.csv",
    )
    assert {r["id"]: r for r in read_gradebook(graded / "gradebook.csv")}["10004"]["report_extra"] == "10"


def test_a_bad_sheet_names_each_line_and_changes_nothing(graded):
    before = (graded / "gradebook.csv").read_bytes()

    def spoil(header, rows):
        rows[2][header.index("report_setup")] = "31"  # above 30
        rows[3][header.index("report_extra")] = "ten"
        rows[4][0], rows[4][header.index("folder")] = "99999", ""  # unknown id
        del rows[5]  # a missing student

    fill(graded / "manual.csv", spoil)
    done = grade("gradebook", "merge", str(graded))
    assert done.exit_code == 2
    for text in (
        "line 3, report_setup: 31 is outside 0..30",
        "line 4, report_extra: 'ten' is not a number",
        "line 5: '99999' is not a student of this batch",
        "no line for",
        "nothing was merged",
    ):
        assert text in done.output, text
    assert (graded / "gradebook.csv").read_bytes() == before
    assert not (graded / "10001" / "feedback.html").exists()


def test_canvas_and_moodle_exports_leave_ungraded_rows_empty(graded, tmp_path):
    fill(graded / "manual.csv")
    assert grade("gradebook", "merge", str(graded)).exit_code == 0
    canvas = tmp_path / "canvas.csv"
    done = grade("gradebook", "export", str(graded), "--lms", "canvas", "--total", "all", "--out", str(canvas))
    assert done.exit_code == 0, done.output
    rows = list(csv.reader(io.StringIO(canvas.read_text())))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 1"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][5] == "210"
    grades = {r[1]: r[5] for r in rows[2:]}
    assert grades["10001"] == WITH_REPORT and grades["10005"] == "" and grades["10008"] == ""  # .rar, no submission
    assert grades["10009"] == "100.5" and len(grades) == 8  # the skeleton (0) plus its report; not on the roster
    moodle = tmp_path / "moodle.csv"
    assert grade("gradebook", "export", str(graded), "--lms", "moodle", "--out", str(moodle)).exit_code == 0
    table = list(csv.DictReader(io.StringIO(moodle.read_text())))
    first = next(r for r in table if r["Identifier"] == "Participant 10001")
    assert (first["Grade"], first["Maximum Grade"]) == (FULL, "100")
    assert next(r for r in table if r["Identifier"] == "Participant 10008")["Status"] == "No submission"


def test_an_export_has_one_row_per_student_the_newest_upload(tmp_path):
    import os

    from tests.batch.batch_support import REFERENCE, STUDENT, copy_submission

    inp = tmp_path / "in"
    inp.mkdir()
    old = copy_submission(REFERENCE, inp / "7_Ann_lab1")
    copy_submission(STUDENT, inp / "7_Ann_lab1_again")  # the newer upload: the skeleton
    os.utime(old, (1_000_000, 1_000_000))
    out = tmp_path / "grades"
    run_batch(
        inp, out, grade_fn=fake_grade, progress=False, reports=False, name_pattern=r"^(?P<id>\d+)_(?P<name>[A-Za-z]+)"
    )
    book = read_gradebook(out / "gradebook.csv")
    assert sorted(r["folder"] for r in book) == ["7", "7~2"]
    assert all("duplicate id" in r["flags"] for r in book)
    target = tmp_path / "canvas.csv"
    assert grade("gradebook", "export", str(out), "--lms", "canvas", "--out", str(target)).exit_code == 0
    rows = list(csv.reader(io.StringIO(target.read_text())))[2:]
    assert [(r[1], r[5]) for r in rows] == [("7", "0")]  # the newest upload's row, once
