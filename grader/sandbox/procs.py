"""Process handling shared by the sandbox and the batch: prctl, /proc parsing, waiting, reaping, killing.

Used by the parent (grader/sandbox/process.py, grader/sandbox/strict/, grader/batch/forked.py) and
by the sandboxed child, which loads it by path (see grader/sandbox/child/main.py): standard library
only, never the ``grader`` package. Linux only where it reads /proc or calls prctl; elsewhere every
function is a harmless no-op.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

LINUX = sys.platform.startswith("linux")
MARKER = "LAB1_GRADER_SANDBOX"  # environment marker of sandbox processes (fallback of the NNP marker)

# prctl options
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

try:
    import ctypes

    _LIBC: Any = ctypes.CDLL(None, use_errno=True) if LINUX else None
except (ImportError, OSError):  # pragma: no cover - no ctypes: no prctl
    ctypes = None  # type: ignore[assignment]
    _LIBC = None


def libc() -> Any:
    """The C library (ctypes.CDLL), or None off Linux or without ctypes."""
    return _LIBC


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    """prctl(2); -1 when the C library is not available."""
    if _LIBC is None:
        return -1
    return int(
        _LIBC.prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(arg4), ctypes.c_ulong(arg5))
    )


# --------------------------------------------------------------------------- /proc


def _stat_fields(pid: int | str) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, pgrp, ...)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data[data.rfind(b")") + 2 :].split()


def parent_of(pid: int | str) -> int | None:
    """The parent pid of pid, None when it is gone."""
    fields = _stat_fields(pid)
    try:
        return int(fields[1]) if fields else None
    except (ValueError, IndexError):
        return None


def state(pid: int | str) -> str | None:
    """The one-letter state of pid (R, S, Z...), None when it is gone."""
    fields = _stat_fields(pid)
    try:
        return fields[0].decode() if fields else None
    except (IndexError, UnicodeDecodeError):
        return None


def process_table() -> dict[int, int]:
    """{pid: ppid} of every visible process."""
    table: dict[int, int] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if name.isdigit():
            ppid = parent_of(name)
            if ppid is not None:
                table[int(name)] = ppid
    return table


def children_of(pid: int) -> list[int]:
    """Pids of pid's children: /proc/PID/task/*/children, or a scan of every process."""
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                kids.extend(int(p) for p in handle.read().split())
        return kids
    except OSError:
        pass
    return [child for child, parent in process_table().items() if parent == pid]


def no_new_privs(pid: int | str) -> bool | None:
    """Whether pid has no_new_privs set, None when unknown."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"NoNewPrivs:"):
                    return line.split()[1] == b"1"
    except (OSError, IndexError):
        return None
    return None


def marked(pid: int, marker: str) -> bool:
    """True for a process of a sandbox: it has no_new_privs (which the grader lacks), or failing that
    carries the sandbox's environment marker."""
    if no_new_privs("self") is False and no_new_privs(pid):
        return True
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return f"{MARKER}={marker}".encode() in handle.read().split(b"\0")
    except OSError:
        return False


# --------------------------------------------------------------------------- waiting and killing


def signal_group(pid: int, sig: int) -> None:
    """Send sig to pid's process group, or to pid alone when it has none of its own; never raises."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def reap(pid: int, timeout: float = 2.0) -> bool:
    """waitpid(pid) polling until timeout; True when it was reaped (or is not our child)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if done:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


def wait_for(pid: int, timeout: float | None) -> int | None:
    """waitpid with a timeout: the raw status, or None when pid is still running at the deadline."""
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    try:
        while True:
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return 0  # already reaped elsewhere
            if done:
                return status
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return None
            if pidfd is not None:
                select.select([pidfd], [], [], remaining)
            else:
                time.sleep(0.01 if remaining is None else min(0.01, remaining))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def reap_descendants(seconds: float) -> None:
    """Kill and reap every process re-parented to this (subreaper) process, until none is left or
    `seconds` have passed."""
    deadline = time.monotonic() + seconds
    own_group = os.getpgrp()
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        for child in children_of(os.getpid()):
            _kill_with_group(child, own_group)
        if time.monotonic() > deadline:
            return
        time.sleep(0.01)


def _kill_with_group(pid: int, own_group: int) -> None:
    try:
        group = os.getpgid(pid)
        if group != own_group:
            os.killpg(group, signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _descendants(roots: list[int], children: dict[int, list[int]], me: int) -> set[int]:
    found: set[int] = set()
    stack = list(roots)
    while stack:
        pid = stack.pop()
        if pid in found or pid == me:
            continue
        found.add(pid)
        stack.extend(children.get(pid, []))
    return found


def kill_tree(root: int | None, protected: Iterable[int] = (), marker: str = "", rounds: int = 50) -> int:
    """SIGKILL `root` and all its descendants, and every sandbox process re-parented to this
    (subreaper) grader that is not one of the `protected` pids (other live children); repeat until
    none is left, so a forking process cannot outrun it. Reaps the orphans it kills (never `root`,
    which its Popen reaps). Returns how many processes were killed."""
    if not LINUX:
        return 0
    me, killed, reaped = os.getpid(), set[int](), set[int]()
    spared = set(protected) - {root}
    for _ in range(rounds):
        table = process_table()
        children: dict[int, list[int]] = {}
        for pid, ppid in table.items():
            children.setdefault(ppid, []).append(pid)
        roots = [root] if root in table else []
        roots += [
            pid
            for pid in children.get(me, [])
            if pid not in spared and pid != root and pid not in reaped and marked(pid, marker)
        ]
        found = _descendants(roots, children, me) - reaped
        alive = {pid for pid in found if state(pid) not in ("Z", None)}
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        killed |= alive
        for pid in found - {root}:  # orphans re-parented to us: reap them
            if table.get(pid) == me and reap(pid):
                reaped.add(pid)
        if not alive:
            break
        time.sleep(0.002)
    return len(killed)


# --------------------------------------------------------------------------- folders of dead processes


def alive(pid: int) -> bool:
    """Whether a process pid exists (any user's)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphan_folders(directory: str, prefix: str, is_alive: Callable[[int], bool] = alive) -> list[str]:
    """Delete the folders `prefix + PID + "-..."` in directory whose owner PID no longer runs (a grader
    killed before it could clean up). Returns the folders removed. is_alive: how to tell (the portable
    tier passes psutil.pid_exists: os.kill(pid, 0) would terminate the process on Windows)."""
    import shutil

    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(prefix):
            continue
        owner = name[len(prefix) :].split("-", 1)[0]
        if not owner.isdigit() or is_alive(int(owner)):
            continue
        path = os.path.join(directory, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
