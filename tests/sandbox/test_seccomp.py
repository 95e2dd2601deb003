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


def _probe(older: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(older)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_bpf(program: list[tuple[int, int, int, int]], data: dict[int, int]) -> int:
    """A classic-BPF interpreter for the instructions the filter uses: the action it returns."""
    from grader.sandbox.strict import confine

    a, pc = 0, 0
    while True:
        code, jt, jf, k = program[pc]
        if code == confine.RET:
            return k
        if code == confine.LD:
            a, pc = data.get(k, 0), pc + 1
            continue
        taken = {confine.JEQ: a == k, confine.JGT: a > k, confine.JGE: a >= k, confine.JSET: bool(a & k)}[code]
        pc += 1 + (jt if taken else jf)


def test_ancestors_are_refused_by_name_whatever_their_pid_numbers():
    from grader.sandbox.strict import confine

    chain = confine.ancestors()
    assert chain and chain[0] == os.getppid()
    own, grader_pid = 500, 30000  # pids wrapped around: the grader's number is larger than the child's
    block = confine._pid_checked("kill", 62, 0, own=own, protected=(grader_pid, 7000))
    program = [(confine.LD, 0, 0, 0), *block, (confine.RET, 0, 0, confine.ALLOW)]  # as seccomp_program places it

    def action(pid: int) -> int:
        return _run_bpf(program, {0: 62, 16: pid % (1 << 32)})

    assert action(grader_pid) == confine.EPERM and action(-grader_pid) == confine.EPERM
    assert action(7000) == confine.EPERM and action(-7000) == confine.EPERM
    assert action(own - 1) == confine.EPERM and action(-1) == confine.EPERM  # older by number, every process
    assert action(0) == confine.ALLOW and action(own) == confine.ALLOW and action(own + 5) == confine.ALLOW
    assert _run_bpf(program, {0: 39, 16: grader_pid}) == confine.ALLOW  # another syscall: not this block's


def test_the_filter_refuses_older_processes_and_allows_its_own():
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(os.getpid())], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    refused = "Operation not permitted"
    for name in (
        "prlimit older",
        "prlimit older read",
        "prlimit64 older raw, high bits set",
        "kill older",
        "kill all",
        "killpg older",
        "setpriority older",
        "setpriority user",
        "affinity older",
        "scheduler older",
        "pidfd older",
        "ptrace older",
        "process_vm_readv older",
    ):
        assert results[name] == refused, (name, results[name])
    for name in (
        "prlimit self",
        "setrlimit self",
        "kill self",
        "kill own group",
        "kill younger",
        "setpriority self",
        "affinity self",
    ):
        assert results[name] == "ok", (name, results[name])
