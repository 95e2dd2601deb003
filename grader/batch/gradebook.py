"""gradebook.csv: one row per student, sorted by student id, identical whatever order the gradings finished in.

Columns: id, name, one per autograded rubric item (the score; "passed"/"failed" for items
worth 0 points, such as the extras), total, flags, one empty column per manual item (the TA
fills them in), status ("ok" or the error kind) and error (why it could not be graded).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.atomic import atomic_write_text
from grader.batch.discover import natural_key
from grader.batch.jobs import JobOutcome

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def columns(rubric) -> list[str]:
    """The header row for a rubric."""
    return ["id", "name", *rubric.items, "total", "flags", *rubric.manual, "status", "sandbox", "error"]


def sort_outcomes(outcomes) -> list[JobOutcome]:
    """Outcomes in gradebook order: by student id (numbers compared as numbers), then key."""
    return sorted(outcomes, key=lambda o: (natural_key(o.student_id), natural_key(o.key)))


def number(value: float) -> str:
    """A score as text: at most 2 decimals, no trailing zeros ('7.5', '10')."""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (student-controlled names)."""
    value = " ".join(str(value).split())
    return "'" + value if value.startswith(_FORMULA_START) else value


def row(outcome: JobOutcome, rubric, extra_flags: list[str] = ()) -> list[str]:
    """The gradebook row of one outcome."""
    result = outcome.result
    by_key = {item.key: item for item in result.items}
    cells = [text_cell(outcome.student_id), text_cell(outcome.name)]
    for key, item in rubric.items.items():
        graded = by_key.get(key)
        if graded is None:
            cells.append("")
        elif item.points == 0:
            cells.append(graded.status)
        else:
            cells.append(number(graded.score))
    flags = list(result.flags)
    note = (result.meta.get("student") or {}).get("note")
    if note:
        flags.append(note)
    flags.extend(extra_flags)
    cells += [number(result.score), text_cell("; ".join(flags))]
    cells += [""] * len(rubric.manual)
    error = "" if outcome.status == "ok" else result.output.splitlines()[0] if result.output else outcome.status
    cells += [outcome.status, text_cell(str(result.meta.get("sandbox", ""))), text_cell(error)]
    return cells


def render_gradebook(outcomes, rubric, extra_flags: dict[str, list[str]] | None = None) -> str:
    """The CSV text of the gradebook."""
    extra_flags = extra_flags or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns(rubric))
    for outcome in sort_outcomes(outcomes):
        writer.writerow(row(outcome, rubric, extra_flags.get(outcome.key, [])))
    return buffer.getvalue()


def write_gradebook(path: str | Path, outcomes, rubric, extra_flags: dict[str, list[str]] | None = None) -> Path:
    """Write gradebook.csv atomically."""
    return atomic_write_text(Path(path), render_gradebook(outcomes, rubric, extra_flags))
