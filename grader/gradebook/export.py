"""Gradebook files an LMS imports: Canvas's gradebook CSV and Moodle's offline grading worksheet.

- Canvas (Grades > Import): Student, ID, SIS User ID, SIS Login ID, Section, then one column per
  assignment (a new name creates the assignment); the row "Points Possible" gives its maximum.
  ID is the Canvas user id, which Canvas's download names carry.
- Moodle (Assignment > "Upload grading worksheet"): Identifier "Participant N" (the number in
  Moodle's download folder names), Full name, Email address, Status, Grade, Maximum Grade, ...

A row with no grade (not graded, no submission) has an empty grade: the LMS records nothing.
Only a student's own row is exported: an older duplicate upload (folder `id~2`) is left out.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from grader.atomic import atomic_write_text
from grader.batch.gradebook import GRAND_TOTAL, POINTS_POSSIBLE, number
from grader.gradebook.merge import read_rows
from grader.usage import UsageError

if TYPE_CHECKING:
    from grader.rubric.model import Rubric

LMS = ("canvas", "moodle")
TOTALS = ("autograded", "all")  # all: autograded plus the manual items (needs a merged manual.csv)


def grade_of(row: dict[str, str], total: str) -> str:
    """The exported grade: blank when the row has none (not graded, or manual items missing for 'all')."""
    return row.get("total", "") if total == "autograded" else row.get(GRAND_TOTAL, "")


def export_gradebook(
    grades: str | Path,
    lms: str,
    out: str | Path,
    total: str = "autograded",
    assignment: str = "Lab 1",
    rubric: Rubric | str | Path | None = None,
) -> tuple[Path, int, int]:
    """Write the import file; returns (path, rows with a grade, rows left blank)."""
    from grader.usage import resolve_rubric

    if lms not in LMS:
        raise UsageError(f"unknown --lms {lms!r}: use {' or '.join(LMS)}")
    if total not in TOTALS:
        raise UsageError(f"unknown --total {total!r}: use {' or '.join(TOTALS)}")
    loaded = resolve_rubric(rubric)
    _, rows = read_rows(Path(grades))
    students = [r for r in rows if r.get("id") != POINTS_POSSIBLE and "~" not in r.get("folder", "")]
    maximum = loaded.total_points + (sum(m.points for m in loaded.manual.values()) if total == "all" else 0)
    text = _canvas(students, total, assignment, maximum) if lms == "canvas" else _moodle(students, total, maximum)
    graded = sum(1 for r in students if grade_of(r, total))
    return atomic_write_text(Path(out), text), graded, len(students) - graded


def _canvas(rows: list[dict[str, str]], total: str, assignment: str, maximum: float) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    writer.writerow(["    " + POINTS_POSSIBLE, "", "", "", "", number(maximum)])
    for row in rows:
        writer.writerow([row.get("name", ""), row["id"], "", "", "", grade_of(row, total)])
    return buffer.getvalue()


def _moodle(rows: list[dict[str, str]], total: str, maximum: float) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "Identifier",
            "Full name",
            "Email address",
            "Status",
            "Grade",
            "Maximum Grade",
            "Grade can be changed",
            "Last modified (submission)",
            "Last modified (grade)",
            "Feedback comments",
        ]
    )
    for row in rows:
        status = "No submission" if row.get("status") == "no submission" else "Submitted for grading"
        writer.writerow(
            [
                f"Participant {row['id']}",
                row.get("name", ""),
                "",
                status,
                grade_of(row, total),
                number(maximum),
                "Yes",
                "",
                "",
                row.get("error", ""),
            ]
        )
    return buffer.getvalue()
