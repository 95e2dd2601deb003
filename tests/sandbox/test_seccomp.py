"""The seccomp filter both tiers install: a child cannot touch older processes (the grader)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from grader.sandbox import strict

pytestmark = pytest.mark.skipif(strict.seccomp_program() is None, reason="seccomp numbers unknown for this machine")

PROBE = textwrap.dedent("""
    import ctypes, json, os, resource, signal, sys
    from grader.sandbox.strict import confine
    libc = ctypes.CDLL(None, use_errno=True)
    older = int(sys.argv[1])
    younger = os.fork()
    if younger == 0:
        signal.pause()
        os._exit(0)
    assert confine._seccomp(True) == "seccomp"
    results = {}
    def attempt(name, call):
        try:
            call()
            results[name] = "ok"
        except OSError as exc:
            results[name] = os.strerror(exc.errno)
    def raw(name, *args):
        libc.syscall.restype = ctypes.c_long
        if libc.syscall(*args) == -1:
            results[name] = os.strerror(ctypes.get_errno())
        else:
            results[name] = "ok"
    FSIZE = resource.RLIMIT_FSIZE
    attempt("prlimit older", lambda: resource.prlimit(older, FSIZE, (0, 0)))
    attempt("prlimit older read", lambda: resource.prlimit(older, FSIZE))
    raw("prlimit64 older raw, high bits set", 302, (1 << 32) | older, FSIZE, None, None)
    attempt("prlimit self", lambda: resource.prlimit(0, FSIZE, resource.getrlimit(FSIZE)))
    attempt("setrlimit self", lambda: resource.setrlimit(FSIZE, resource.getrlimit(FSIZE)))
    attempt("kill older", lambda: os.kill(older, 0))
    attempt("kill all", lambda: os.kill(-1, 0))
    attempt("killpg older", lambda: os.killpg(older, 0))
    attempt("kill self", lambda: os.kill(os.getpid(), 0))
    attempt("kill own group", lambda: os.kill(0, 0))
    attempt("kill younger", lambda: os.kill(younger, 0))
    attempt("setpriority older", lambda: os.setpriority(os.PRIO_PROCESS, older, 5))
    attempt("setpriority user", lambda: os.setpriority(os.PRIO_USER, 0, 5))
    attempt("setpriority self", lambda: os.setpriority(os.PRIO_PROCESS, 0, os.getpriority(os.PRIO_PROCESS, 0)))
    attempt("affinity older", lambda: os.sched_setaffinity(older, os.sched_getaffinity(0)))
    attempt("affinity self", lambda: os.sched_setaffinity(0, os.sched_getaffinity(0)))
    attempt("scheduler older", lambda: os.sched_setscheduler(older, os.SCHED_OTHER, os.sched_param(0)))
    attempt("pidfd older", lambda: os.close(os.pidfd_open(older)))
    raw("ptrace older", 101, 16, older, None, None)  # PTRACE_ATTACH
    raw("process_vm_readv older", 310, older, None, 0, None, 0, 0)
    os.kill(younger, signal.SIGKILL)
    os.waitpid(younger, 0)
    print(json.dumps(results))
""")


def test_the_filter_refuses_older_processes_and_allows_its_own():
    done = subprocess.run([sys.executable, "-c", PROBE, str(os.getpid())], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    refused = "Operation not permitted"
    for name in ("prlimit older", "prlimit older read", "prlimit64 older raw, high bits set", "kill older",
                 "kill all", "killpg older", "setpriority older", "setpriority user", "affinity older",
                 "scheduler older", "pidfd older", "ptrace older", "process_vm_readv older"):
        assert results[name] == refused, (name, results[name])
    for name in ("prlimit self", "setrlimit self", "kill self", "kill own group", "kill younger",
                 "setpriority self", "affinity self"):
        assert results[name] == "ok", (name, results[name])
