"""Split the drawing of the report's figures over this process and warm forks of it.

`draw_split` draws one share itself and gives each other share to a fork (matplotlib is imported
once; the forks start warm); a fork that dies has its figures redrawn here. Forking a process that
imported matplotlib is safe on Linux only (macOS: the Objective-C runtime; Windows: no fork), so
elsewhere one process draws everything.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

FORK_SAFE = sys.platform.startswith("linux") and hasattr(os, "fork")


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


# Relative drawing cost of each kind of figure (measured: 33-48 ms each at 100 dpi).
_COST = {"comparison_": 1.2, "learning_curve_": 1.1, "gradcheck": 1.0, "decision_boundary_": 0.85}


def balanced_shares(names: list[str], processes: int) -> list[list[str]]:
    """Split the figures so the processes finish together: longest first, to the least loaded."""

    def cost(name: str) -> float:
        return next((c for prefix, c in _COST.items() if name.startswith(prefix)), 1.0)

    shares: list[list[str]] = [[] for _ in range(processes)]
    loads = [0.0] * processes
    for name in sorted(names, key=cost, reverse=True):
        i = loads.index(min(loads))
        shares[i].append(name)
        loads[i] += cost(name)
    # The heaviest share first: the calling process draws it, the forks pay copy-on-write faults.
    order = sorted(range(processes), key=lambda i: -loads[i])
    return [shares[i] for i in order if shares[i]] or [[]]


def draw_split(
    artifacts: dict[str, Any], out_dir: str, names: list[str], processes: int, stats: dict[str, Any] | None = None
) -> dict[str, Path]:
    """render_figures over `processes` processes: this one and forks of it (warm, no re-import).

    stats, when given, receives the seconds each process spent drawing ("shares").
    """
    from grader.report.figures import render_figures

    stats = {} if stats is None else stats
    stats["shares"] = []
    processes = max(1, min(int(processes), len(names)))
    if processes == 1 or not FORK_SAFE:
        t0 = time.perf_counter()
        paths = render_figures(artifacts, out_dir, names)
        stats["shares"].append(round(time.perf_counter() - t0, 4))
        return paths
    shares = balanced_shares(names, processes)
    helpers = []
    for share in shares[1:]:
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            shares[0] = shares[0] + share  # can't fork: draw it here
            continue
        if pid == 0:  # the fork: draw its share, report the paths, leave without cleanup
            status = 0
            try:
                os.close(read_fd)
                t0 = time.perf_counter()
                drawn = render_figures(artifacts, out_dir, share)
                data = json.dumps(
                    {"paths": {k: str(v) for k, v in drawn.items()}, "seconds": round(time.perf_counter() - t0, 4)}
                ).encode()
                view = memoryview(data)
                while view:
                    view = view[os.write(write_fd, view) :]
            except BaseException:  # noqa: BLE001 - the parent redraws what is missing
                status = 1
            finally:
                os._exit(status)
        os.close(write_fd)
        helpers.append((pid, read_fd, share))
    t0 = time.perf_counter()
    paths = render_figures(artifacts, out_dir, shares[0])
    stats["shares"].append(round(time.perf_counter() - t0, 4))
    for pid, read_fd, share in helpers:
        try:
            data = _read_all(read_fd)
        finally:
            os.close(read_fd)
            os.waitpid(pid, 0)
        try:
            message = json.loads(data or b"{}")
            drawn = {k: Path(v) for k, v in message.get("paths", {}).items()}
            stats["shares"].append(message.get("seconds"))
        except (ValueError, AttributeError):
            drawn = {}
        paths.update(drawn)
        missing = [n for n in share if n not in drawn]
        if missing:  # the fork died (or skipped them): one more try here
            paths.update(render_figures(artifacts, out_dir, missing))
    return {n: paths[n] for n in names if n in paths}
