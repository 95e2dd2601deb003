"""Watching the sandboxed child through psutil: CPU time, memory and activity of its process tree,
and killing that tree. Cross-platform (Linux, macOS, Windows): the portable tier's only process tool,
and what makes every tier's time limits budgets of the child's CPU time rather than of the clock.

A probe's verdict is one of:
  None        it answered;
  "cpu"       its process tree used more CPU time than the probe's budget (the submission's fault);
  "idle"      the tree sat without computing (sleeping, blocked) for longer than the budget (its fault);
  "memory"    a process of the tree passed the resident-memory cap (portable tier: there are no rlimits);
  "output"    its output file passed the cap (portable tier);
  "wall"      the wall-clock backstop passed while it was still computing: the machine is too busy,
              which is never the submission's fault.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import psutil

SCAN_EVERY = 0.25  # seconds between two walks of the process tree (a walk reads every process)
FIRST_POLL, LAST_POLL = 0.002, 0.05  # poll intervals: short probes answer fast, long ones cost little
BUSY_STATES = frozenset({psutil.STATUS_RUNNING, psutil.STATUS_DISK_SLEEP, getattr(psutil, "STATUS_WAKING", "waking")})
# Windows reports every live process as running: there, idle means "used under this share of the time".
IDLE_SHARE = 0.05


@dataclass(frozen=True)
class Budget:
    """What one probe may use: CPU seconds, and a wall-clock backstop (never the student's fault)."""

    cpu_seconds: float
    wall_seconds: float
    memory_bytes: int | None = None  # None: rlimits do it (default and strict tiers)
    output_path: str | None = None  # a file whose size is capped (portable tier: the child's output)
    output_bytes: int | None = None


@dataclass
class Usage:
    """What a probe used, for the verdict's wording and the near-limit flag."""

    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    idle_seconds: float = 0.0
    peak_rss: int = 0


class TreeWatch:
    """The process tree under one child: every process ever seen in it is remembered, so that one
    which left the tree (a double-forked daemon re-parented elsewhere) is still killed with it."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.seen: dict[int, psutil.Process] = {pid: self.root}
        self._cpu: dict[int, float] = {}  # last CPU time read of each process seen
        self._scanned = 0.0
        self._lock = threading.Lock()

    # --- reading --------------------------------------------------------------
    def _scan(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._scanned < SCAN_EVERY:
            return
        self._scanned = now
        try:
            for proc in self.root.children(recursive=True):
                self.seen.setdefault(proc.pid, proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass

    def _live(self) -> list[psutil.Process]:
        live = []
        for proc in list(self.seen.values()):
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    live.append(proc)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return live

    def cpu_seconds(self) -> float:
        """CPU time of the tree so far: the root's own and that of the children it waited for, plus
        every other process seen in the tree (the last value read of those that ended)."""
        with self._lock:
            self._scan()
            for pid, proc in list(self.seen.items()):
                try:
                    times = proc.cpu_times()
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                used = times.user + times.system
                if proc is self.root:
                    used += times.children_user + times.children_system
                self._cpu[pid] = max(self._cpu.get(pid, 0.0), used)
            return sum(self._cpu.values())

    def busy(self) -> bool:
        """True when some process of the tree is running or waiting for a CPU (or for the disk)."""
        for proc in self._live():
            try:
                if proc.status() in BUSY_STATES:
                    return True
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return False

    def rss(self) -> int:
        """Resident memory of the largest live process of the tree, in bytes: the limit is per process,
        as the other tiers' address-space rlimit is (a sum would count the pages forks share many times)."""
        largest = 0
        for proc in self._live():
            try:
                largest = max(largest, proc.memory_info().rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return largest

    # --- killing --------------------------------------------------------------
    def kill(self, rounds: int = 20) -> int:
        """Kill every process of the tree and every one seen in it before, until none is left (a
        forking process cannot outrun it). Returns how many were killed."""
        killed: set[int] = set()
        for _ in range(rounds):
            with self._lock:
                self._scan(force=True)
            live = self._live()
            if not live:
                break
            for proc in live:
                try:
                    proc.kill()
                    killed.add(proc.pid)
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
            psutil.wait_procs(live, timeout=0.5)
        return len(killed)


def wait_for(
    done: threading.Event,
    watch: TreeWatch | None,
    budget: Budget,
    spent_before: float | None = None,
    on_poll: Callable[[], None] | None = None,
) -> tuple[str | None, Usage]:
    """Wait until `done` is set or the budget is spent; returns (verdict, usage) as described above."""
    usage = Usage()
    start_wall = time.monotonic()
    start_cpu = spent_before if spent_before is not None else (watch.cpu_seconds() if watch else 0.0)
    interval, last = FIRST_POLL, start_wall
    while not done.wait(interval):
        now = time.monotonic()
        usage.wall_seconds = now - start_wall
        if on_poll is not None:
            on_poll()
        if watch is not None:
            usage.cpu_seconds = max(0.0, watch.cpu_seconds() - start_cpu)
            if usage.cpu_seconds > budget.cpu_seconds:
                return "cpu", usage
            if _idle(watch, usage):
                usage.idle_seconds += now - last
                if usage.idle_seconds > budget.cpu_seconds:
                    return "idle", usage
            if budget.memory_bytes is not None:
                usage.peak_rss = max(usage.peak_rss, watch.rss())
                if usage.peak_rss > budget.memory_bytes:
                    return "memory", usage
        if budget.output_path and budget.output_bytes is not None and _size(budget.output_path) > budget.output_bytes:
            return "output", usage
        if usage.wall_seconds > budget.wall_seconds:
            return "wall", usage
        last = now
        interval = min(interval * 2, LAST_POLL)
    usage.wall_seconds = time.monotonic() - start_wall
    if watch is not None:
        usage.cpu_seconds = max(0.0, watch.cpu_seconds() - start_cpu)
    return None, usage


def _idle(watch: TreeWatch, usage: Usage) -> bool:
    if sys.platform == "win32":
        return usage.wall_seconds > 1.0 and usage.cpu_seconds < IDLE_SHARE * usage.wall_seconds
    return not watch.busy()


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def start(pid: int) -> TreeWatch | None:
    """A watch of the tree under pid, or None when that process is already gone."""
    try:
        return TreeWatch(pid)
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def pid_exists(pid: int) -> bool:
    """Whether a process pid exists, on every OS (os.kill(pid, 0) terminates it on Windows)."""
    return pid > 0 and psutil.pid_exists(pid)
