"""The class roster (CSV: id, name, optional email): one gradebook row per student, matched after NFKC.

An id that differs from a roster id only by look-alike characters (Cyrillic 'а' for Latin 'a',
'0' for 'O', a fullwidth digit) is never merged silently: it is flagged for the TA.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.batch.errors import BatchError

if TYPE_CHECKING:
    from grader.batch.discover import Submission

ID_HEADERS = ("id", "student id", "student_id", "sid", "sis user id", "user id", "username", "login id", "idnumber")
NAME_HEADERS = ("name", "student", "full name", "student name")
EMAIL_HEADERS = ("email", "email address", "e-mail")
# Characters that render like ASCII ones (a few Cyrillic and Greek letters, digits and letters that pass for each other).
_CONFUSABLE = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "к": "k",
        "м": "m",
        "т": "t",
        "в": "b",
        "н": "h",
        "ο": "o",
        "α": "a",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "0": "o",
        "1": "l",
        "i": "l",
        "5": "s",
    }
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


@dataclass(frozen=True)
class Student:
    """One roster line."""

    student_id: str
    name: str
    email: str
    line: int


def normalize_id(text: str) -> str:
    """The form ids are compared in: NFKC (fullwidth digits, ligatures), no invisible characters, case-folded."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip().casefold()


def skeleton(text: str) -> str:
    """What an id looks like: look-alike characters mapped to one of them."""
    return normalize_id(text).translate(_CONFUSABLE)


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def load_roster(path: str | Path) -> list[Student]:
    """The students of a roster CSV; BatchError naming the line for a missing id or a repeated one."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchError(f"--roster {path} cannot be read: {exc}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise BatchError(f"--roster {path} is empty: it needs a header line with an id column")
    header = rows[0]
    id_col = _column(header, ID_HEADERS)
    if id_col is None:
        raise BatchError(f"--roster {path}, line 1: no id column (name one of: {', '.join(ID_HEADERS[:4])})")
    name_col, email_col = _column(header, NAME_HEADERS), _column(header, EMAIL_HEADERS)
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        student_id = row[id_col].strip() if id_col < len(row) else ""
        if not student_id:
            raise BatchError(f"--roster {path}, line {line}: the id is empty")
        key = normalize_id(student_id)
        if key in seen:
            raise BatchError(f"--roster {path}, line {line}: id {student_id!r} is already on line {seen[key]}")
        seen[key] = line
        students.append(Student(student_id, _cell(row, name_col), _cell(row, email_col), line))
    return students


def _cell(row: list[str], col: int | None) -> str:
    return row[col].strip() if col is not None and col < len(row) else ""


@dataclass
class RosterMatch:
    """Submissions matched to roster students, and what did not match."""

    by_key: dict[str, Student] = field(default_factory=dict)  # submission key -> its student
    missing: list[Student] = field(default_factory=list)  # on the roster, nothing submitted
    unknown: list[str] = field(default_factory=list)  # submission keys whose id is not on the roster
    lookalike: dict[str, Student] = field(default_factory=dict)  # unknown key -> the roster id it looks like


def match_roster(subs: Iterable[Submission], students: list[Student]) -> RosterMatch:
    """Match each submission's id (or email) to a roster student after NFKC; flag look-alike ids."""
    by_id = {normalize_id(s.student_id): s for s in students}
    by_email = {normalize_id(s.email): s for s in students if s.email}
    by_look = {skeleton(s.student_id): s for s in students}
    found = RosterMatch()
    for sub in subs:
        student = (
            by_id.get(normalize_id(sub.student_id))
            or by_email.get(normalize_id(sub.student_id))
            or (by_email.get(normalize_id(sub.email)) if getattr(sub, "email", "") else None)
        )
        if student is not None:
            found.by_key[sub.key] = student
            continue
        found.unknown.append(sub.key)
        look = by_look.get(skeleton(sub.student_id))
        if look is not None:
            found.lookalike[sub.key] = look
    matched = {id(s) for s in found.by_key.values()}
    found.missing = [s for s in students if id(s) not in matched]
    return found
