"""`grade release`: write the student starter repository, ready to push as a template repository.

    from grader.release.starter import write_starter
    starter = write_starter("starter/", fail_under=60)     # Starter(path, files, wheel)

The starter holds the skeleton generated from reference/ (never the reference itself), the
student README, a .gitignore, the public rubric, the CI workflow, and the student build of the
grader: its wheel under wheels/, or nothing when the instructor names a requirement to install.
It is assembled in a temporary sibling folder and moved into place, so a failure leaves nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.release.readme import student_readme
from grader.release.skeleton import MarkerError, write_skeleton
from grader.release.workflow import REPORT_DIR, workflow_yaml
from grader.rubric.model import Rubric
from grader.usage import UsageError

WHEELS_DIR = "wheels"
GITIGNORE = f"""# Outputs of the grader and of the lab's scripts
{REPORT_DIR}/
figures/
experiments/
# Python
.venv/
__pycache__/
*.pyc
"""
# What a starter holds at its top level; --force replaces exactly these in a non-empty folder.
STARTER_ENTRIES = ("README.md", ".gitignore", "student", "rubric", ".github", WHEELS_DIR)


@dataclass
class Starter:
    """What write_starter wrote."""

    path: Path
    files: list[str]
    wheel: str | None  # the wheel's path inside the starter, or None when a requirement installs the grader


def _wheel_note(wheel_name: str | None) -> str:
    if wheel_name is None:
        return "This installs the grader your instructor named; it needs the package registry."
    return (
        f"`{WHEELS_DIR}/{wheel_name}` is the grader itself (no solution inside); pip fetches its "
        "dependencies (NumPy, pytest, click, matplotlib) from the package registry once."
    )


def _assemble(
    root: Path, reference_dir: Path, rubric: Rubric, requirement: str | None, wheel: Path | None, fail_under: float
) -> str | None:
    """Write every file of the starter under root; the wheel's name, if one is shipped."""
    try:
        write_skeleton(reference_dir, root / "student")
    except MarkerError as exc:
        raise UsageError(f"cannot make the skeleton: {exc}") from None
    wheel_name = None
    if requirement is None:
        assert wheel is not None
        (root / WHEELS_DIR).mkdir()
        shutil.copy2(wheel, root / WHEELS_DIR / wheel.name)
        wheel_name = wheel.name
        requirement = f"{WHEELS_DIR}/{wheel_name}"
    (root / "rubric").mkdir()
    shutil.copy2(rubric.path, root / "rubric" / rubric.path.name)
    workflow = root / ".github" / "workflows" / "grade.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(workflow_yaml(requirement, fail_under), encoding="utf-8")
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    (root / "README.md").write_text(
        student_readme(rubric, requirement, fail_under, _wheel_note(wheel_name)), encoding="utf-8"
    )
    return wheel_name


def _check_target(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file: pass a folder for the starter")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(
            f"{out} is not empty: pass --force to replace the starter's files in it "
            f"({', '.join(STARTER_ENTRIES)}; anything else, .git included, is kept)"
        )


def _move_into_place(staged: Path, out: Path) -> None:
    """Rename the staged starter to out, or, for a non-empty out (--force), replace its starter entries."""
    if not out.exists() or not any(out.iterdir()):
        if out.exists():
            out.rmdir()
        staged.rename(out)
        return
    for entry in sorted(staged.iterdir()):
        target = out / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        entry.rename(target)


def write_starter(
    out: str | Path,
    *,
    reference_dir: Path,
    rubric: Rubric,
    fail_under: float,
    wheel: Path | None = None,
    requirement: str | None = None,
    force: bool = False,
) -> Starter:
    """Write the starter repository into out; UsageError for a non-empty out without force."""
    out = Path(out)
    _check_target(out, force)
    if not (reference_dir / "network.py").is_file():
        raise UsageError(f"{reference_dir} is not the reference solution (no network.py): pass --reference DIR")
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        wheel_name = _assemble(staged, reference_dir, rubric, requirement, wheel, fail_under)
        files = sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file())
        _move_into_place(staged, out)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return Starter(path=out, files=files, wheel=f"{WHEELS_DIR}/{wheel_name}" if wheel_name else None)
