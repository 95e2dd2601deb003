"""Merge the TA's filled manual.csv into a batch: gradebook.csv's manual columns and each student's feedback.html."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.atomic import atomic_write_text
from grader.batch.gradebook import GRAND_TOTAL, POINTS_POSSIBLE, number
from grader.gradebook.sheet import ManualScores, read_sheet, save_merged
from grader.usage import UsageError

if TYPE_CHECKING:
    from grader.rubric.model import Rubric

GRADEBOOK = "gradebook.csv"
FEEDBACK = "feedback.html"


@dataclass(frozen=True)
class MergeResult:
    """What a merge changed."""

    students: int  # rows given manual scores
    blank: int  # cells left blank in the sheet
    gradebook: Path


def read_rows(grades: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows (points row included) of OUT/gradebook.csv; UsageError when it is not a batch's."""
    path = grades / GRADEBOOK
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise UsageError(f"{path} does not exist: pass the --out folder of a `grade batch` run") from None
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    header = list(reader.fieldnames or [])
    if "folder" not in header or "total" not in header:
        raise UsageError(f"{path} was written by an older grader (no folder column): run grade batch --resume first")
    return header, rows


def merge_sheet(grades: str | Path, sheet: str | Path, rubric: Rubric | str | Path | None = None) -> MergeResult:
    """Check the whole sheet first (nothing is written when a line is wrong), then update the batch's files."""
    from grader.usage import resolve_rubric

    grades = Path(grades)
    loaded = resolve_rubric(rubric)
    header, rows = read_rows(grades)
    students = [r for r in rows if r.get("id") != POINTS_POSSIBLE]
    manual = read_sheet(sheet, loaded, {r["folder"]: r["id"] for r in students})
    for row in students:
        scores = manual.scores.get(row["folder"], {})
        for key in loaded.manual:
            row[key] = number(scores[key]) if key in scores else ""
        complete = row.get("total") not in ("", None) and all(key in scores for key in loaded.manual)
        if GRAND_TOTAL in row:
            row[GRAND_TOTAL] = number(float(row["total"]) + sum(scores.values())) if complete else ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    save_merged(grades, manual)
    path = atomic_write_text(grades / GRADEBOOK, buffer.getvalue())
    for row in students:
        _write_feedback(grades / row["folder"], row, loaded, manual)
    return MergeResult(students=sum(1 for s in manual.scores.values() if s), blank=manual.blank, gradebook=path)


def _write_feedback(folder: Path, row: dict[str, str], rubric: Rubric, manual: ManualScores) -> None:
    """feedback.html: the autograded total, each manual item's score and the TA's comment, linking report.html."""
    if not folder.is_dir():
        return
    e = html.escape
    scores = manual.scores.get(row["folder"], {})
    items = "".join(
        f"<tr><td>{e(m.title)}</td><td class=num>{e(number(scores[key])) if key in scores else 'not graded yet'}"
        f"</td><td class=num>{e(number(m.points))}</td></tr>"
        for key, m in rubric.manual.items()
    )
    comment = manual.comments.get(row["folder"], "")
    total = row.get(GRAND_TOTAL) or ""
    report = (
        '<a href="report.html">the autograder\'s report</a>' if (folder / "report.html").exists() else "results.json"
    )
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Feedback</title><style>'
        "body{font:15px/1.5 system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em}"
        "td,th{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:left}.num{text-align:right}</style></head>"
        f"<body><h1>{e(rubric.title)}</h1><p>{e(row.get('name') or row['id'])} ({e(row['id'])})</p>"
        f"<h2>Autograded: {e(row.get('total') or 'not graded')} / {e(number(rubric.total_points))}</h2>"
        f"<p>Every lost point has its reason in {report}.</p>"
        f"<h2>Lab report</h2><table><tr><th>Item</th><th class=num>Score</th><th class=num>Out of</th></tr>"
        f"{items}</table>"
        + (f"<h3>Comment</h3><p>{e(comment)}</p>" if comment else "")
        + (f"<h2>Total: {e(total)}</h2>" if total else "")
        + "</body></html>\n"
    )
    atomic_write_text(folder / FEEDBACK, page)
