"""How each course site names the files of a submissions download: one regex per LMS, and Gradescope's metadata.

A preset's regex is matched on every entry of the download. Its groups: `id` (required),
`name`, `late` (any text: the upload was late) and `file` (the student's own file name, when
the site renames loose uploads: entries with the same id are then one submission).

- Canvas: `andersonalice_10001_50001_lab1.zip`, `andersonalice_late_10001_50009_network.py`
  (sortable name, `late_` when late, user id, attachment id, the file; a resubmitted file
  gets `-1`, `-2` before its extension).
- Moodle: a folder `Full Name_123456_assignsubmission_file_/` per student (or, without
  "download submissions in folders", `Full Name_123456_assignsubmission_file_network.py`).
- Blackboard: `Lab 1_jsmith_attempt_2024-03-01-10-30-00_network.py` plus a `.txt` receipt.
- Gradescope: `submission_metadata.yml` maps each `submission_<n>/` folder to its submitters.
- folders: `<student id>_<name>_lab1` folders or zips (this grader's own convention).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader.batch.defaults import DEFAULT_NAME_PATTERN
from grader.batch.errors import BatchError

GRADESCOPE_METADATA = "submission_metadata.yml"


@dataclass(frozen=True)
class Preset:
    """The naming of one course site's download."""

    name: str
    pattern: str  # regex with an `id` group, and optionally name, late, file


PRESETS = {
    "canvas": Preset("canvas", r"^(?P<name>[^_]+)_(?:(?P<late>late|LATE)_)?(?P<id>\d+)_(?:\d+_)?(?P<file>.+)$"),
    "moodle": Preset("moodle", r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_[a-z]+_(?P<file>.*)$"),
    "blackboard": Preset(
        "blackboard",
        r"^.+?_(?P<id>[^_\s]+)_attempt_(?P<attempt>\d{4}(?:-\d\d){5})(?:_(?P<late>LATE))?(?:_(?P<file>.+))?$",
    ),
    "folders": Preset("folders", DEFAULT_NAME_PATTERN),
}
LMS_CHOICES = ("auto", "canvas", "moodle", "gradescope", "blackboard", "folders")
# A resubmitted file on Canvas: network-1.py is the student's network.py.
_RESUBMITTED = re.compile(r"^(?P<stem>.+?)-\d+(?P<ext>\.[A-Za-z0-9]+)$")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regex with an `id` group; BatchError when it is not one."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise BatchError(f"--pattern {pattern!r} is not a valid regular expression: {exc}") from None
    if "id" not in compiled.groupindex:
        raise BatchError(f"--pattern {pattern!r} needs a named group (?P<id>...) for the student id")
    return compiled


def original_name(file: str, known: tuple[str, ...]) -> str:
    """The student's file name: Canvas's `network-1.py` is `network.py` when that is a lab module."""
    match = _RESUBMITTED.match(file)
    if match and match.group("stem") + match.group("ext") in known:
        return match.group("stem") + match.group("ext")
    return file


def gradescope_root(input_dir: Path) -> Path | None:
    """The folder holding submission_metadata.yml: input_dir itself or its only subfolder."""
    if (input_dir / GRADESCOPE_METADATA).is_file():
        return input_dir
    folders = [p for p in input_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "__MACOSX"))]
    if len(folders) == 1 and (folders[0] / GRADESCOPE_METADATA).is_file():
        return folders[0]
    return None


@dataclass(frozen=True)
class GradescopeSubmitter:
    """One submitter of a Gradescope submission folder."""

    folder: str  # e.g. "submission_123456"
    student_id: str  # the SID, else the email
    name: str
    email: str
    group: tuple[str, ...]  # ids of the other submitters of the same folder


def read_gradescope_metadata(root: Path) -> list[GradescopeSubmitter]:
    """The submitters listed in a Gradescope export's submission_metadata.yml (keys like `:submitters`)."""
    import yaml

    path = root / GRADESCOPE_METADATA
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BatchError(f"{path} cannot be read as Gradescope metadata: {exc}") from None
    if not isinstance(data, dict):
        raise BatchError(f"{path} is not Gradescope metadata (expected a mapping of submission folders)")
    found = []
    for folder, record in data.items():
        submitters = record.get(":submitters") if isinstance(record, dict) else None
        if not isinstance(submitters, list):
            raise BatchError(f"{path}: {folder} has no :submitters list")
        people = [
            (
                str(s.get(":sid") or s.get(":email") or "").strip(),
                str(s.get(":name") or "").strip(),
                str(s.get(":email") or "").strip(),
            )
            for s in submitters
            if isinstance(s, dict)
        ]
        ids = tuple(p[0] for p in people if p[0])
        for student_id, name, email in people:
            if student_id:
                found.append(
                    GradescopeSubmitter(str(folder), student_id, name, email, tuple(i for i in ids if i != student_id))
                )
    return found


def choose_preset(names: list[str], lms: str, pattern: str | None) -> Preset:
    """The preset of --lms (or --pattern); 'auto' takes the one matching most entry names, else 'folders'."""
    if pattern:
        return Preset("pattern", pattern)
    if lms != "auto":
        if lms not in PRESETS:
            raise BatchError(f"unknown --lms {lms!r}: use one of {', '.join(LMS_CHOICES)}")
        return PRESETS[lms]
    best, best_count = PRESETS["folders"], 0
    for preset in (PRESETS["moodle"], PRESETS["blackboard"], PRESETS["canvas"]):
        regex = re.compile(preset.pattern)
        count = sum(1 for name in names if regex.search(name))
        if count > best_count and count * 2 > len(names):
            best, best_count = preset, count
    return best
