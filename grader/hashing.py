"""Content hash of a submission folder: same files, same bytes, same hash, on any machine."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

SKIPPED = {"__pycache__", ".git", "__MACOSX", ".ipynb_checkpoints"}


def submission_hash(root: str | Path) -> str:
    """sha256 over the sorted relative paths and bytes of every regular file under root."""
    root = Path(root)
    digest = hashlib.sha256()
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not d.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file() or name.endswith(".pyc") or name.startswith("."):
                continue
            relative = path.relative_to(root).as_posix()
            digest.update(relative.encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
