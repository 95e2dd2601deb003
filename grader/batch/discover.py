"""Find the submissions in a batch folder, name them after their student, and find each one's root."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from grader.batch.defaults import DEFAULT_NAME_PATTERN
from grader.batch.errors import BatchError

# The lab's modules; network.py weighs most when guessing where a submission starts.
CONTRACT_MODULES = ("network.py", "activations.py", "losses.py", "optimizers.py", "train.py", "config.py", "data.py")
IGNORED_NAMES = frozenset({"__MACOSX", "__pycache__", ".git", ".venv", "venv", "node_modules", ".ipynb_checkpoints"})
MAX_ROOT_DEPTH = 5
# Names of the batch's own outputs beside the student folders.
RESERVED_KEYS = frozenset({"gradebook.csv", "summary.html", "batch.log.jsonl"})


@dataclass(frozen=True)
class Submission:
    """One entry of the batch folder: a submission folder or a zip of one."""

    key: str  # unique, safe as a folder name: the student's output folder
    student_id: str  # as parsed from the entry's name
    name: str  # the student's name, or "" when the pattern has none
    source: Path  # the folder or the zip file
    kind: str  # "folder" or "zip"
    note: str = ""  # e.g. "duplicate id: also 123_x.zip"


def compile_pattern(pattern: str | None) -> re.Pattern:
    """The name pattern as a regex with an `id` group; BatchError when it is not one."""
    text = pattern or DEFAULT_NAME_PATTERN
    try:
        compiled = re.compile(text)
    except re.error as exc:
        raise BatchError(f"--pattern {text!r} is not a valid regular expression: {exc}") from None
    if "id" not in compiled.groupindex:
        raise BatchError(f"--pattern {text!r} needs a named group (?P<id>...) for the student id")
    return compiled


def parse_student(stem: str, pattern: re.Pattern) -> tuple[str, str]:
    """(student id, name) from a folder or zip name without .zip; the id is the whole name if no match."""
    match = pattern.search(stem)
    if match and match.group("id"):
        name = match.groupdict().get("name") or ""
        return match.group("id").strip(), name.replace("_", " ").strip()
    return stem.strip(), ""


def safe_key(student_id: str) -> str:
    """A folder name for a student id: letters, digits, dot, dash and underscore only."""
    key = (re.sub(r"[^A-Za-z0-9._-]+", "_", student_id).strip("._") or "student")[:100]
    return f"student-{key}" if key.lower() in RESERVED_KEYS else key


def is_ignored(name: str) -> bool:
    """Hidden files, OS litter and caches are never submissions."""
    return name.startswith((".", "~$")) or name in IGNORED_NAMES or name.lower() in ("thumbs.db", "desktop.ini")


def natural_key(text: str) -> tuple:
    """Sort key putting 'a2' before 'a10'."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


def discover_submissions(input_dir: str | Path, name_pattern: str | None = None,
                         exclude: str | Path | None = None) -> tuple[list[Submission], list[str]]:
    """Submissions of a batch folder, sorted by student id, and the entries skipped (with why).

    exclude: a folder never taken for a submission (the batch's output folder, when it is inside).
    """
    input_dir = Path(input_dir)
    excluded = Path(exclude).resolve() if exclude else None
    if not input_dir.exists():
        raise BatchError(f"input folder {input_dir} does not exist")
    if not input_dir.is_dir():
        raise BatchError(f"{input_dir} is not a folder: pass the folder that holds the submissions")
    if find_submission_root(input_dir, max_depth=0) is not None:
        raise BatchError(
            f"{input_dir} is one submission (it holds the lab's modules): use `grade check {input_dir}`, "
            "or pass the folder that holds one folder or zip per student"
        )
    pattern = compile_pattern(name_pattern)
    found: list[Submission] = []
    skipped: list[str] = []
    for entry in sorted(os.scandir(input_dir), key=lambda e: e.name):
        if is_ignored(entry.name):
            continue
        path = Path(entry.path)
        if excluded is not None and path.resolve() == excluded:
            continue
        if entry.is_symlink():
            skipped.append(f"{entry.name}: symbolic link, not followed")
        elif entry.is_dir():
            found.append(_submission(path, entry.name, "folder", pattern))
        elif entry.is_file() and entry.name.lower().endswith(".zip"):
            found.append(_submission(path, entry.name[:-4], "zip", pattern))
        else:
            skipped.append(f"{entry.name}: not a folder or a .zip")
    return _unique_keys(found), skipped


def _submission(path: Path, stem: str, kind: str, pattern: re.Pattern) -> Submission:
    student_id, name = parse_student(stem, pattern)
    return Submission(key=safe_key(student_id), student_id=student_id, name=name, source=path, kind=kind)


def _unique_keys(found: list[Submission]) -> list[Submission]:
    """Give every submission its own key; a repeated id gets '~2', '~3' and a note naming the others."""
    by_key: dict[str, list[Submission]] = {}
    for sub in sorted(found, key=lambda s: (natural_key(s.key), s.source.name)):
        by_key.setdefault(sub.key, []).append(sub)
    unique = []
    for key, subs in by_key.items():
        for number, sub in enumerate(subs, start=1):
            if len(subs) == 1:
                unique.append(sub)
                continue
            others = ", ".join(s.source.name for s in subs if s is not sub)
            unique.append(
                Submission(
                    key=key if number == 1 else f"{key}~{number}",
                    student_id=sub.student_id,
                    name=sub.name,
                    source=sub.source,
                    kind=sub.kind,
                    note=f"duplicate id: also {others}",
                )
            )
    return sorted(unique, key=lambda s: natural_key(s.key))


def find_submission_root(tree: str | Path, max_depth: int = MAX_ROOT_DEPTH) -> Path | None:
    """The folder under tree holding network.py, else the most lab modules; the shallowest wins ties."""
    tree = Path(tree)
    best: tuple | None = None
    best_path: Path | None = None
    for folder, dirs, names in os.walk(tree, followlinks=False):
        depth = len(Path(folder).relative_to(tree).parts)
        dirs[:] = sorted(d for d in dirs if not is_ignored(d)) if depth < max_depth else []
        present = set(names).intersection(CONTRACT_MODULES)
        if not present:
            continue
        rank = (-int("network.py" in present), -len(present), depth, folder)
        if best is None or rank < best:
            best, best_path = rank, Path(folder)
    return best_path


def nested_zip(tree: str | Path) -> Path | None:
    """The only .zip file in a tree without lab modules (a submission zipped twice), else None."""
    zips = [
        Path(folder) / name
        for folder, dirs, names in os.walk(tree, followlinks=False)
        for name in names
        if name.lower().endswith(".zip") and not is_ignored(name) and "__MACOSX" not in Path(folder).parts
    ]
    return zips[0] if len(zips) == 1 else None
