"""gradebook.csv: one row per student, sorted by student id, identical whatever order the gradings finished in.

Columns: id, name, late, one per autograded rubric item (the score; "passed"/"failed" for items
worth 0 points), total, flags, one empty column per manual item (the TA fills them in, or
`grade gradebook merge` does), status ("ok", "zeroed" when a policy set the total to 0, or
why there is no grade), sandbox, seed ("public" when graded with the rubric's public seed)
error and folder (the student's output folder). The second row holds the points possible. A row that was not graded has blank
score cells: an import must leave them empty, never record a 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from grader.atomic import atomic_write_text
from grader.batch.discover import natural_key
from grader.batch.jobs import JobOutcome

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


POINTS_POSSIBLE = "Points Possible"
GRAND_TOTAL = "total_with_manual"  # autograded total plus the manual items, once all of them are scored


def columns(rubric) -> list[str]:
    """The header row for a rubric."""
    return [
        "id",
        "name",
        "late",
        *rubric.items,
        "total",
        "flags",
        *rubric.manual,
        GRAND_TOTAL,
        "status",
        "sandbox",
        "seed",
        "error",
        "folder",
    ]


def points_row(rubric) -> list[str]:
    """The second row: the points each column is out of."""
    return (
        [POINTS_POSSIBLE, "", ""]
        + [number(item.points) for item in rubric.items.values()]
        + [number(rubric.total_points), ""]
        + [number(m.points) for m in rubric.manual.values()]
        + [number(rubric.total_points + sum(m.points for m in rubric.manual.values())), "", "", "", "", ""]
    )


def row_status(outcome: JobOutcome) -> str:
    """'ok', 'zeroed' (graded, but a policy set the autograded total to 0), or why there is no grade."""
    result = outcome.result
    if outcome.status == "ok" and result.score == 0 and sum(i.score for i in result.items) > 0:
        return "zeroed"
    return outcome.status


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


def row(
    outcome: JobOutcome,
    rubric,
    extra_flags: Sequence[str] = (),
    seed_source: str = "secret",
    manual: dict[str, float] | None = None,
) -> list[str]:
    """The gradebook row of one outcome; score cells are blank when it was not graded."""
    result = outcome.result
    graded_ok = outcome.status == "ok"
    by_key = {item.key: item for item in result.items}
    student = result.meta.get("student") or {}
    cells = [text_cell(outcome.student_id), text_cell(outcome.name), text_cell(student.get("late", ""))]
    for key, item in rubric.items.items():
        graded = by_key.get(key)
        if graded is None or not graded_ok:
            cells.append("")
        elif item.points == 0:
            cells.append(graded.status)
        else:
            cells.append(number(graded.score))
    flags = list(result.flags)
    note = student.get("note")
    if note:
        flags.append(note)
    flags.extend(extra_flags)
    cells += [number(result.score) if graded_ok else "", text_cell("; ".join(flags))]
    manual = manual or {}
    cells += [number(manual[key]) if key in manual else "" for key in rubric.manual]
    complete = graded_ok and all(key in manual for key in rubric.manual)
    cells.append(number(result.score + sum(manual.values())) if complete else "")
    error = "" if graded_ok else result.output.splitlines()[0] if result.output else outcome.status
    seed = seed_source if graded_ok else ""
    cells += [row_status(outcome), text_cell(str(result.meta.get("sandbox", ""))), seed, text_cell(error), outcome.key]
    return cells


def render_gradebook(
    outcomes,
    rubric,
    extra_flags: dict[str, list[str]] | None = None,
    seed_source: str = "secret",
    manual: dict[str, dict[str, float]] | None = None,
) -> str:
    """The CSV text of the gradebook; manual: merged hand-graded scores by folder."""
    extra_flags, manual = extra_flags or {}, manual or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns(rubric))
    writer.writerow(points_row(rubric))
    for outcome in sort_outcomes(outcomes):
        writer.writerow(row(outcome, rubric, extra_flags.get(outcome.key, []), seed_source, manual.get(outcome.key)))
    return buffer.getvalue()


def write_gradebook(
    path: str | Path,
    outcomes,
    rubric,
    extra_flags: dict[str, list[str]] | None = None,
    seed_source: str = "secret",
    manual: dict[str, dict[str, float]] | None = None,
) -> Path:
    """Write gradebook.csv atomically."""
    return atomic_write_text(Path(path), render_gradebook(outcomes, rubric, extra_flags, seed_source, manual))


def read_gradebook(path: str | Path) -> list[dict[str, str]]:
    """The student rows of a gradebook.csv as dicts (the points-possible row left out)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r.get("id") != POINTS_POSSIBLE]
