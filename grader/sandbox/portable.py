"""The portable tier's launcher: the child started from cross-platform parts only (Linux, macOS,
Windows). No preexec_fn, no pass_fds, no process groups, no rlimits: the child speaks the protocol
over its own stdin and stdout, and the parent watches its CPU time, memory and output through psutil
(grader/sandbox/watch.py) and kills its process tree the same way.

tests/sandbox/test_portable.py scans this module, watch.py, verdicts.py and the portable path of
process.py for POSIX-only calls.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import IO, Any

# What the portable tier cannot confine (recorded in every result it produced, extra_data.unconfined).
GAPS = (
    "no kernel confinement (namespaces, Landlock, seccomp): the code can read and write every file "
    "the user can, open network connections and signal the grader",
    "no rlimits: memory, CPU time and output are watched from the grader (psutil) and the code is "
    "stopped past them, a little after the limit",
    "no file-size or process-count limit; a process that leaves the child's process tree before the "
    "grader sees it (a double-forked daemon) can outlive the grading",
    "the environment is scrubbed and the audit hook words what the code attempts, as in every tier",
)
CONFINEMENT = ("watched: CPU time, memory, output (psutil)", "process tree killed (psutil)")


def spawn(
    command: list[str], config: dict[str, Any], *, cwd: str, env: dict[str, str], log: IO[bytes]
) -> tuple[subprocess.Popen[bytes], int, int]:
    """Start the child with the protocol on its stdin/stdout; returns (process, request fd, reply fd)."""
    config = {**config, "fd_in": 0, "fd_out": 1, "stdio": True}
    flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)  # Windows: Ctrl+C to the grader spares it
    proc = subprocess.Popen(
        [*command, json.dumps(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        cwd=cwd,
        env=env,
        creationflags=flags,
    )
    assert proc.stdin is not None and proc.stdout is not None
    request_fd, reply_fd = proc.stdin.fileno(), proc.stdout.fileno()
    if sys.platform == "win32":  # the protocol is binary: no newline translation on the pipes
        import msvcrt

        for fd in (request_fd, reply_fd):
            msvcrt.setmode(fd, 0x8000)  # os.O_BINARY
    return proc, request_fd, reply_fd


def close_pipes(proc: subprocess.Popen[bytes]) -> None:
    """Close the parent's ends of the child's stdin and stdout."""
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
