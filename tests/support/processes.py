"""Processes a test left behind: one /proc scanner for every test that runs the grader or a batch.

A run is given something unique (its own TMPDIR, a token on the command line); after it ends,
any live process whose command line, working folder (or environment) mentions that text was
left behind by it. Linux only: `proc_available()` says whether this machine can tell.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Process:
    pid: int
    cmdline: str  # arguments joined by spaces
    cwd: str  # "" when unreadable
    environ: bytes = field(repr=False)  # b"" unless asked for, or when unreadable (another user's process)

    def mentions(self, text: str, environ: bool = False) -> bool:
        return text in self.cmdline or text in self.cwd or (environ and text.encode() in self.environ)


def proc_available() -> bool:
    return (PROC / "self" / "cwd").exists()


def gone(pid: int) -> bool:
    """The process has ended: no /proc entry, or a zombie its parent has not reaped yet."""
    try:
        return (PROC / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True


def live_processes(environ: bool = False) -> list[Process]:
    """Every process but this one that is not a zombie; empty without /proc."""
    if not proc_available():
        return []
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0] == b"Z":
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, IndexError):
            continue  # gone meanwhile
        found.append(
            Process(
                int(entry.name), cmdline, _read_link(entry / "cwd"), _read_bytes(entry / "environ") if environ else b""
            )
        )
    return found


def processes_mentioning(text: str | Path, environ: bool = False) -> list[Process]:
    """Live processes whose command line or cwd (and, if asked, environment) contain `text`.

    For a folder, pass `f"{folder}{os.sep}"` to tell grad_zero/ from grad_zero_x/."""
    return [p for p in live_processes(environ) if p.mentions(str(text), environ)]


def kill_leftovers(text: str | Path, environ: bool = False, settle: float = 0.5) -> list[Process]:
    """Processes mentioning `text`, after giving a dying process group `settle` seconds; each is
    SIGKILLed so that it does not outlive the test session. Returns what was found."""
    leftovers = processes_mentioning(text, environ)
    if leftovers:
        time.sleep(settle)
        leftovers = processes_mentioning(text, environ)
    for process in leftovers:
        try:
            os.kill(process.pid, signal.SIGKILL)
        except OSError:
            pass
    return leftovers


def wait_until_gone(text: str | Path, limit: float, environ: bool = False) -> list[Process]:
    """Poll up to `limit` seconds for the processes mentioning `text` to end; returns those still there.
    The limit is a backstop against a hung test, never a measured speed."""
    deadline = time.monotonic() + limit
    while (left := processes_mentioning(text, environ)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _read_link(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
