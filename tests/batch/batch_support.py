"""Helpers of tests/batch (a unique module name: several test folders have a conftest.py,
so tests never `from conftest import`)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference"
STUDENT = ROOT / "student"
FAST_RUBRIC = ROOT / "tests" / "check" / "fast_limits.toml"
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def copy_submission(source: Path, target: Path, *markers: str) -> Path:
    """Copy a submission folder, adding empty marker files (FAKE_CRASH, ...) for the fake grader."""
    shutil.copytree(source, target, ignore=_IGNORE)
    for marker in markers:
        (target / marker).write_text("")
    return target


def zip_folder(source: Path, zip_path: Path, prefix: str = "", macosx: bool = False) -> Path:
    """Zip the files of a folder, under `prefix/` inside the zip; optionally with __MACOSX litter."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                rel = path.relative_to(source).as_posix()
                archive.write(path, f"{prefix}/{rel}" if prefix else rel)
                if macosx:
                    archive.writestr(f"__MACOSX/{prefix}/._{path.name}", b"\x00\x05\x16\x07")
    return zip_path
