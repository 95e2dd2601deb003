"""manual.csv: the TA's sheet for the hand-graded rubric items (the lab report), and its strict reader.

Columns: id, name, folder, one per manual rubric item, comment; the second row holds each item's
maximum. A blank cell is "not graded yet"; anything else must be a number in [0, maximum].
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.atomic import atomic_write_text
from grader.usage import UsageError

if TYPE_CHECKING:
    from grader.rubric.model import Rubric

SHEET = "manual.csv"
MERGED = "manual_scores.json"  # the last merged sheet: grade batch re-applies it to the gradebook
POINTS_POSSIBLE = "Points Possible"
MAX_ERRORS = 20


@dataclass
class ManualScores:
    """The scores of a read sheet, by gradebook folder (student output folder)."""

    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    blank: int = 0  # cells left blank (not graded yet)


def write_sheet(path: str | Path, rows: list[tuple[str, str, str]], rubric: Rubric) -> Path:
    """Write the sheet for (id, name, folder) rows, unless one exists (it may hold the TA's scores)."""
    path = Path(path)
    if path.exists():
        return path
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "name", "folder", *rubric.manual, "comment"])
    writer.writerow([POINTS_POSSIBLE, "", "", *(_number(m.points) for m in rubric.manual.values()), ""])
    for student_id, name, folder in rows:
        writer.writerow([student_id, name, folder, *([""] * len(rubric.manual)), ""])
    return atomic_write_text(path, buffer.getvalue())


def read_sheet(path: str | Path, rubric: Rubric, folders: dict[str, str]) -> ManualScores:
    """The scores of a filled sheet; UsageError listing every bad line (range, number, unknown or missing id).

    folders: gradebook folder -> student id, the rows the sheet must cover.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--sheet {path} cannot be read: {exc}") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise UsageError(f"{path} is empty: fill in the manual.csv that grade batch wrote")
    header = [h.strip() for h in rows[0]]
    missing_columns = [key for key in rubric.manual if key not in header]
    if "folder" not in header and "id" not in header:
        raise UsageError(f"{path}, line 1: no id or folder column")
    if missing_columns:
        raise UsageError(f"{path}, line 1: no column for {', '.join(missing_columns)}")
    by_id = {student_id: folder for folder, student_id in folders.items()}
    found = ManualScores()
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        cells = dict(zip(header, (c.strip() for c in row)))
        if cells.get("id") == POINTS_POSSIBLE or not any(cells.values()):
            continue
        folder = cells.get("folder") or by_id.get(cells.get("id", ""), "")
        if folder not in folders:
            errors.append(f"line {line}: {cells.get('id') or cells.get('folder')!r} is not a student of this batch")
            continue
        if folder in seen:
            errors.append(f"line {line}: {folders[folder]!r} is already on line {seen[folder]}")
            continue
        seen[folder] = line
        scores = {}
        for key, item in rubric.manual.items():
            value = cells.get(key, "")
            if not value:
                found.blank += 1
                continue
            try:
                score = float(value)
            except ValueError:
                errors.append(f"line {line}, {key}: {value!r} is not a number")
                continue
            if not 0 <= score <= item.points:
                errors.append(f"line {line}, {key}: {value} is outside 0..{_number(item.points)}")
                continue
            scores[key] = score
        found.scores[folder] = scores
        if cells.get("comment"):
            found.comments[folder] = cells["comment"]
    for folder, student_id in folders.items():
        if folder not in seen:
            errors.append(f"no line for {student_id!r} (folder {folder}): add it, with blank cells if not graded")
    if errors:
        shown = "\n  ".join(errors[:MAX_ERRORS])
        more = f"\n  ... and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
        raise UsageError(f"{path} has {len(errors)} problem(s); nothing was merged:\n  {shown}{more}")
    return found


def save_merged(out_dir: Path, manual: ManualScores) -> Path:
    """Remember the merged scores so a later grade batch (--resume, --only) keeps them in the gradebook."""
    data = {"scores": manual.scores, "comments": manual.comments}
    return atomic_write_text(out_dir / MERGED, json.dumps(data, indent=1, sort_keys=True) + "\n")


def load_merged(out_dir: Path) -> dict[str, dict[str, float]]:
    """The merged manual scores by folder ({} when none were merged)."""
    try:
        scores: dict[str, dict[str, float]] = json.loads((out_dir / MERGED).read_text(encoding="utf-8"))["scores"]
        return scores
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _number(value: float) -> str:
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return text or "0"
