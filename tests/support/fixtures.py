"""Fixture submissions as edits: a base (reference/, student/ or another fixture) plus a small TOML file.

``tests/submissions/NAME.toml`` describes one submission that breaks one thing::

    description = "backward never applies derivative_sigmoid"
    base = "reference"          # or "student", or another fixture's NAME
    delete = ["__init__.py"]    # optional: files of the base to drop

    [[edit]]                    # each `old` must occur exactly once in the file as edited so far
    file = "network.py"
    old = "delta = delta * self._df(a)\\n"
    new = "delta = delta  # DEFECT: no derivative\\n"

    [files]                     # optional: whole files added or replaced
    "helpers.py" = "..."

`materialize(name, target)` writes the submission folder; `fixture_path(name)` gives a cached copy
under one session folder (the copies are read-only inputs: graders copy them into their sandbox).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = ROOT / "tests" / "submissions"
BASES = {"reference": ROOT / "reference", "student": ROOT / "student"}
# Fixtures that hang, flood or blow up on purpose: graded with short limits, they measure the limits.
HOSTILE = frozenset(
    {
        "import_syntax_error",
        "import_error_missing_module",
        "input_at_import",
        "infinite_loop_at_import",
        "infinite_loop_in_train",
        "prints_megabytes",
        "exits_at_import",
        "os_exit_in_train",
        "memory_blowup_in_train",
    }
)
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")
_cache_dir: Path | None = None


class FixtureError(Exception):
    """A fixture file that cannot be applied to its base (an `old` not found, or found twice)."""


def fixture_names() -> list[str]:
    """Every fixture submission, sorted."""
    return sorted(p.stem for p in SUBMISSIONS.glob("*.toml"))


def load_spec(name: str) -> dict:
    """The parsed TOML of fixture NAME."""
    path = SUBMISSIONS / f"{name}.toml"
    if not path.is_file():
        raise FixtureError(f"no fixture {name!r} ({path} does not exist)")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def apply_edit(text: str, old: str, new: str, where: str) -> str:
    """Replace the single occurrence of `old` in `text`; FixtureError when it is absent or repeated."""
    count = text.count(old)
    if count != 1:
        raise FixtureError(f"{where}: the edit's `old` occurs {count} times (it must occur once):\n{old}")
    return text.replace(old, new, 1)


def materialize(name: str, target: Path) -> Path:
    """Write fixture NAME (its base, then its deletions, edits and files) into the new folder `target`."""
    spec = load_spec(name)
    base = spec.get("base", "reference")
    target = Path(target)
    if base in BASES:
        shutil.copytree(BASES[base], target, ignore=_IGNORED)
    else:
        materialize(base, target)
    for relative in spec.get("delete", []):
        (target / relative).unlink()
    for number, edit in enumerate(spec.get("edit", []), 1):
        path = target / edit["file"]
        where = f"{name}.toml edit {number} ({edit['file']})"
        path.write_text(apply_edit(path.read_text(encoding="utf-8"), edit["old"], edit["new"], where), encoding="utf-8")
    for relative, content in spec.get("files", {}).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return target


def _session_dir() -> Path:
    global _cache_dir
    if _cache_dir is None:
        _cache_dir = Path(tempfile.mkdtemp(prefix="lab1-fixtures-"))
        if os.environ.get("PYTEST_XDIST_WORKER") is None:
            import atexit

            atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)
    return _cache_dir


def fixture_path(name: str) -> Path:
    """A materialized copy of fixture NAME, made once per test session."""
    target = _session_dir() / name
    if not target.exists():
        staging = _session_dir() / f".{name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        materialize(name, staging)
        staging.rename(target)
    return target
