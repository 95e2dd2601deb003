"""Find the submissions in a batch folder (any course site's download), name them after their student, find each one's root."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from grader.batch.defaults import DEFAULT_NAME_PATTERN
from grader.batch.errors import BatchError

# The lab's modules; network.py weighs most when guessing where a submission starts.
CONTRACT_MODULES = ("network.py", "activations.py", "losses.py", "optimizers.py", "train.py", "config.py", "data.py")
IGNORED_NAMES = frozenset({"__MACOSX", "__pycache__", ".git", ".venv", "venv", "node_modules", ".ipynb_checkpoints"})
MAX_ROOT_DEPTH = 5
# Names of the batch's own outputs beside the student folders.
RESERVED_KEYS = frozenset({"gradebook.csv", "summary.html", "batch.log.jsonl", "manual.csv", "manual_scores.json"})


ARCHIVES = (".zip", ".tar.gz", ".tgz", ".tar")
UNSUPPORTED_ARCHIVES = (".rar", ".7z", ".gz", ".bz2", ".xz", ".zipx")


@dataclass(frozen=True)
class Submission:
    """One student's submission in the batch folder: a folder, an archive, or loose files grouped by id."""

    key: str  # unique, safe as a folder name: the student's output folder
    student_id: str  # as parsed from the entry's name (or Gradescope's metadata)
    name: str  # the student's name, or "" when the pattern has none
    source: Path  # the folder, the archive, or the first of the loose files
    kind: str  # "folder", "zip", "tar", "files" (loose entries) or "unsupported" (an archive the grader cannot read)
    note: str = ""  # e.g. "duplicate id: also 123_x.zip"
    late: str = ""  # "late" when the course site marked the upload late
    files: tuple[tuple[str, str], ...] = ()  # kind "files": (path, the student's file name; "" merges a folder)
    email: str = ""


def archive_kind(name: str) -> str | None:
    """'zip', 'tar' or 'unsupported' for an archive's file name, else None."""
    lower = name.lower()
    if lower.endswith(".zip"):
        return "zip"
    if lower.endswith(ARCHIVES):
        return "tar"
    if lower.endswith(UNSUPPORTED_ARCHIVES):
        return "unsupported"
    return None


def archive_stem(name: str) -> str:
    """The name without its archive extension ('x.tar.gz' -> 'x')."""
    lower = name.lower()
    for ext in ARCHIVES + UNSUPPORTED_ARCHIVES:
        if lower.endswith(ext):
            return name[: -len(ext)]
    return name


def compile_pattern(pattern: str | None) -> re.Pattern:
    """The name pattern as a regex with an `id` group; BatchError when it is not one."""
    from grader.batch.lms import compile_pattern as compile_lms

    return compile_lms(pattern or DEFAULT_NAME_PATTERN)


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


def normalize_only(only) -> set[str]:
    """--only ID[,ID] (a string or a list of them) as a set of NFKC, case-folded ids."""
    from grader.batch.roster import normalize_id

    items = [only] if isinstance(only, str) else list(only)
    return {normalize_id(part) for item in items for part in str(item).split(",") if part.strip()}


@dataclass(frozen=True)
class Discovery:
    """What discover_submissions found: the submissions, the entries skipped (with why), the preset used."""

    submissions: list[Submission]
    skipped: list[str]
    preset: str


def discover_submissions(
    input_dir: str | Path, name_pattern: str | None = None, exclude: str | Path | None = None
) -> tuple[list[Submission], list[str]]:
    """Submissions of a batch folder named <id>_<name>_lab1 (or by name_pattern), and the entries skipped."""
    found = discover(input_dir, lms="folders", name_pattern=name_pattern, exclude=exclude)
    return found.submissions, found.skipped


def discover(
    input_dir: str | Path, lms: str = "auto", name_pattern: str | None = None, exclude: str | Path | None = None
) -> Discovery:
    """Submissions of a course site's download, sorted by student id; see grader.batch.lms for the namings.

    exclude: a folder never taken for a submission (the batch's output folder, when it is inside).
    """
    from grader.batch import lms as sites

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
    if lms in ("auto", "gradescope") and not name_pattern:
        root = sites.gradescope_root(input_dir)
        if root is not None:
            return _gradescope(root, excluded)
        if lms == "gradescope":
            raise BatchError(
                f"{input_dir} holds no {sites.GRADESCOPE_METADATA}: pass the folder of Gradescope's "
                "'Export Submissions' download (unzipped)"
            )
    entries = [
        e
        for e in sorted(os.scandir(input_dir), key=lambda e: e.name)
        if not is_ignored(e.name) and not (excluded is not None and Path(e.path).resolve() == excluded)
    ]
    preset = sites.choose_preset([e.name for e in entries], lms, name_pattern)
    pattern = sites.compile_pattern(preset.pattern)
    grouped = "file" in pattern.groupindex
    found: list[Submission] = []
    loose: dict[str, list[tuple[Path, str, re.Match]]] = {}
    skipped: list[str] = []
    for entry in entries:
        path = Path(entry.path)
        kind = "folder" if entry.is_dir() else archive_kind(entry.name)
        match = pattern.search(entry.name if grouped else archive_stem(entry.name))
        if entry.is_symlink():
            skipped.append(f"{entry.name}: symbolic link, not followed")
        elif grouped and match and match.group("id"):
            own = "" if entry.is_dir() else match.group("file") or entry.name  # a folder's files go to the top
            loose.setdefault(match.group("id").strip(), []).append((path, own, match))
        elif kind is not None and (entry.is_dir() or entry.is_file()):
            found.append(_submission(path, entry.name, kind, match))
        else:
            skipped.append(
                f"{entry.name}: not a folder or an archive" + (f" named as {preset.name} names them" if grouped else "")
            )
    found += [_group(student_id, files) for student_id, files in loose.items()]
    return Discovery(_unique_keys(found), skipped, preset.name)


def _submission(path: Path, entry_name: str, kind: str, match: re.Match | None) -> Submission:
    student_id, name = (
        (match.group("id").strip(), (match.groupdict().get("name") or "").replace("_", " ").strip())
        if match and match.group("id")
        else (archive_stem(entry_name).strip(), "")
    )
    late = "late" if match and match.groupdict().get("late") else ""
    return Submission(key=safe_key(student_id), student_id=student_id, name=name, source=path, kind=kind, late=late)


def _group(student_id: str, files: list[tuple[Path, str, re.Match]]) -> Submission:
    """One submission of a student's loose files (Canvas, flat Moodle, Blackboard); the latest attempt only."""
    from grader.batch.lms import original_name

    attempts = sorted({m.groupdict().get("attempt") or "" for _, _, m in files})
    note = f"{len(attempts) - 1} earlier attempt(s) ignored" if len(attempts) > 1 else ""
    files = [f for f in files if (f[2].groupdict().get("attempt") or "") == attempts[-1]]
    first = files[0][2]
    name = (first.groupdict().get("name") or "").replace("_", " ").strip()
    late = "late" if any(m.groupdict().get("late") for _, _, m in files) else ""
    if len(files) == 1 and (files[0][0].is_dir() or archive_kind(files[0][0].name)):
        kind = "folder" if files[0][0].is_dir() else archive_kind(files[0][0].name) or "files"
        return Submission(
            key=safe_key(student_id),
            student_id=student_id,
            name=name,
            source=files[0][0],
            kind=kind,
            late=late,
            note=note,
        )
    named = tuple((str(path), original_name(own, CONTRACT_MODULES) if own else "") for path, own, _ in files)
    return Submission(
        key=safe_key(student_id),
        student_id=student_id,
        name=name,
        source=files[0][0],
        kind="files",
        late=late,
        files=named,
        note=note,
    )


def _gradescope(root: Path, excluded: Path | None) -> Discovery:
    """One submission per submitter of Gradescope's export; folders the metadata does not name are skipped."""
    from grader.batch.lms import read_gradescope_metadata

    submitters = read_gradescope_metadata(root)
    named = {s.folder for s in submitters}
    found, skipped = [], []
    for person in submitters:
        folder = root / person.folder
        if not folder.is_dir():
            skipped.append(f"{person.folder}: named in the metadata for {person.student_id}, but missing")
            continue
        note = f"group submission with {', '.join(person.group)}" if person.group else ""
        found.append(
            Submission(
                key=safe_key(person.student_id),
                student_id=person.student_id,
                name=person.name,
                source=folder,
                kind="folder",
                note=note,
                email=person.email,
            )
        )
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if (
            entry.name not in named
            and not is_ignored(entry.name)
            and entry.name != "submission_metadata.yml"
            and not (excluded is not None and Path(entry.path).resolve() == excluded)
        ):
            skipped.append(f"{entry.name}: not named in submission_metadata.yml")
    return Discovery(_unique_keys(found), skipped, "gradescope")


def _unique_keys(found: list[Submission]) -> list[Submission]:
    """Give every submission its own key; a repeated id gets '~2', '~3' and a note naming the others.

    The newest upload (latest modification time) keeps the plain key: an LMS export takes that row.
    """
    by_key: dict[str, list[Submission]] = {}
    for sub in sorted(found, key=lambda s: (natural_key(s.key), -_mtime(s.source), s.source.name)):
        by_key.setdefault(sub.key, []).append(sub)
    unique = []
    for key, subs in by_key.items():
        for number, sub in enumerate(subs, start=1):
            if len(subs) == 1:
                unique.append(sub)
                continue
            others = ", ".join(s.source.name for s in subs if s is not sub)
            note = f"duplicate id: also {others}" + ("" if number == 1 else " (a newer upload is this student's row)")
            unique.append(
                replace(
                    sub, key=key if number == 1 else f"{key}~{number}", note="; ".join(n for n in (sub.note, note) if n)
                )
            )
    return sorted(unique, key=lambda s: natural_key(s.key))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


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


def nested_archive(tree: str | Path) -> Path | None:
    """The only archive (.zip, .tar.gz, .rar, ...) in a tree without lab modules (zipped twice, Moodle's folder)."""
    found = [
        Path(folder) / name
        for folder, dirs, names in os.walk(tree, followlinks=False)
        if not any(is_ignored(part) for part in Path(folder).relative_to(tree).parts)
        for name in names
        if archive_kind(name) and not is_ignored(name)
    ]
    return found[0] if len(found) == 1 else None
