"""Build the grader and install it into fresh venvs outside the checkout, offline.

Each venv gets the grader's run-time dependencies (numpy, pytest, ...) as hard links of the test
environment's installed files, and pip runs with no index: every install proves the grader itself
comes from the built artifact, and nothing reaches the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def offline_env(**extra: str) -> dict[str, str]:
    """The environment for pip and the installed grader: no index, no find-links, no config file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    env.update(extra)
    return env


def _runtime_closure(name: str, *also: str) -> list[metadata.Distribution]:
    """The installed distributions `name` needs at run time (no extras), itself excluded, plus `also`."""
    seen: dict[str, metadata.Distribution] = {}
    pending = [Requirement(r) for r in metadata.requires(name) or ()] + [Requirement(a) for a in also]
    while pending:
        req = pending.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        key = req.name.lower().replace("_", "-")
        if key in seen:
            continue
        seen[key] = dist = metadata.distribution(req.name)
        pending.extend(Requirement(r) for r in dist.requires or ())
    return list(seen.values())


def dependencies_view(folder: Path) -> Path:
    """Hard links (copies across file systems) of the grader's installed dependencies, with their
    dist-info: a venv given these files has them installed, as a user's venv would. setuptools
    comes too: building from source offline (--no-build-isolation) needs it in the venv."""
    for dist in _runtime_closure("lab1-grader", "setuptools"):
        for entry in dist.files or ():
            if entry.parts[0] == ".." or "__pycache__" in entry.parts:
                continue  # scripts outside site-packages, caches
            source, target = Path(dist.locate_file(entry)), folder / entry
            if not source.is_file() or target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
    return folder


def make_venv(path: Path, deps: Path, with_pip: bool = False) -> Path:
    """A fresh venv at path with the dependencies of `deps` linked in; returns its bin folder."""
    venv.EnvBuilder(with_pip=with_pip, symlinks=True).create(path)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # A venv made with pip has its own setuptools: keep it whole rather than mix two versions.
    own = (
        {"setuptools", "_distutils_hack", "pkg_resources", "distutils-precedence.pth"}
        if (Path(purelib) / "setuptools").is_dir()
        else set()
    )
    for source in deps.rglob("*"):
        top = source.relative_to(deps).parts[0]
        if source.is_file() and top not in own and not (own and top.startswith("setuptools-")):
            target = Path(purelib) / source.relative_to(deps)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)
    return path / "bin"


def pip_install(bin_dir: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """pip install into the venv of bin_dir, offline, with this environment's pip if it has none."""
    pip = (
        [str(bin_dir / "python"), "-m", "pip"]
        if (bin_dir / "pip").exists()
        else [sys.executable, "-m", "pip", "--python", str(bin_dir / "python")]
    )
    return subprocess.run(
        [*pip, "install", "--no-build-isolation", "-q", *args],
        cwd=cwd,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def copy_source(target: Path) -> Path:
    """The checkout's tracked and new files (not .venv, build outputs or caches) copied to target."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True, capture_output=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def build_wheel(source: Path, out: Path) -> Path:
    """pip wheel of the grader at `source` into out/, offline; returns the .whl."""
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = out.glob("lab1_grader-*.whl")
    return wheel
