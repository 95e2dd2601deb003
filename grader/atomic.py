"""Atomic file writes: write a sibling temporary file, fsync, then rename over the target."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _is_special(path: Path) -> bool:
    """True for a device, FIFO or socket (`--json /dev/null`, `--json /dev/stderr`, a named pipe)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write data to path so that a crash leaves either the old file or the new one.

    A device or a pipe is written in place: renaming over it would replace /dev/null with a file.
    """
    path = Path(path)
    if _is_special(path):
        with open(path, "wb") as handle:
            handle.write(data)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text to path atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))
