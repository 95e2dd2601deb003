"""Build the grader's wheel from a clean copy of the checkout.

An in-place build reuses the checkout's build/lib, where setuptools never deletes files: a module
moved or removed since an earlier build (an old analytic backward, say) would ship again. Copying
the source files first (git's list when there is one) makes every wheel hold exactly the tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.usage import UsageError

IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    "grade-report",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
)


def project_root() -> Path:
    """The checkout the grader runs from (pyproject.toml beside grader/)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise UsageError("building the grader needs its checkout (pyproject.toml beside grader/): pass --wheel")
    return root


def copy_source(root: Path, target: Path) -> Path:
    """The files of the checkout (tracked and new, when it is a git work tree) copied under target."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    names = [n for n in listed.stdout.decode("utf-8", "replace").split("\0") if n] if listed.returncode == 0 else []
    if not names:
        return Path(shutil.copytree(root, target, ignore=IGNORED))
    for name in names:
        source = root / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def build_clean_wheel(out_dir: Path, root: Path | None = None) -> Path:
    """pip wheel (no dependencies, no build isolation) of a clean copy of root into out_dir."""
    root = root or project_root()
    with tempfile.TemporaryDirectory(prefix="lab1-wheel-") as tmp:
        source = copy_source(root, Path(tmp) / "src")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--quiet",
                "--wheel-dir",
                str(out_dir),
                str(source),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    wheels = sorted(Path(out_dir).glob("lab1_grader-*.whl"))
    if done.returncode != 0 or not wheels:
        raise UsageError(f"building the grader's wheel failed: {(done.stderr or done.stdout).strip()[-800:]}")
    return wheels[-1]
