"""The portable tier: the child started from cross-platform parts only, watched through psutil.
Forced here on Linux; the scan below keeps POSIX-only calls out of its path."""

from __future__ import annotations

import ast
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from grader.sandbox import ChildDied, ChildLimits, ProbeTimeout, Sandbox, SubmissionError
from grader.sandbox.tiers import choose

SANDBOX = Path(__file__).resolve().parents[2] / "grader" / "sandbox"
LIMITS = ChildLimits(startup_seconds=10, probe_seconds=2, memory_mb=300, output_kb=4)
CODE = """
import os, subprocess, sys, time
import numpy as np
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
def spin(x):
    while True:
        pass
def hog(x):
    return np.ones((10**5, 10**4))  # 8 GB, touched: only a watcher stops it without rlimits
def grandchild(x):
    p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    return np.array([p.pid])
def flood(x):
    for _ in range(100):
        os.write(2, b"x" * (1 << 20))
    return x
def fail(x):
    raise ValueError("bad input")
def stdio(x):
    os.write(1, b"not a protocol message")  # fd 1 is the grader's log, not the reply pipe
    return np.array([len(os.read(0, 100))])  # fd 0 is the null device, not the request pipe
"""


@pytest.fixture
def sub(tmp_path):
    root = tmp_path / "sub"
    root.mkdir()
    (root / "activations.py").write_text(textwrap.dedent(CODE))
    return root


def call(box, func, *args, budget=2.0):
    arrays = {f"a{i}": np.asarray(a) for i, a in enumerate(args)}
    return box.request(
        "call",
        arrays,
        timeout=budget,
        what=func,
        module="activations",
        func=func,
        args=[f"@a{i}" for i in range(len(args))],
    )


def test_portable_round_trip_errors_and_what_it_records(sub):
    with Sandbox(sub, LIMITS, tier="portable") as box:
        _, arrays = call(box, "sigmoid", np.zeros(3))
        np.testing.assert_allclose(arrays["out"], 0.5)
        with pytest.raises(SubmissionError, match="bad input"):
            call(box, "fail", np.zeros(1))
        _, arrays = call(box, "stdio", np.zeros(1))
        assert arrays["out"].tolist() == [0]
        assert box.tier == "portable" and box.imports()["activations"]["status"] == "ok"
        assert "process tree killed (psutil)" in box.confinement
        assert any("no kernel confinement" in gap for gap in box.unconfined)


def test_portable_endless_loop_stopped_by_cpu_budget_then_restarted(sub):
    with Sandbox(sub, LIMITS, tier="portable") as box:
        with pytest.raises(ProbeTimeout, match="did not finish within 1 s"):
            call(box, "spin", np.zeros(1), budget=1.0)
        _, arrays = call(box, "sigmoid", np.zeros(1))
        assert box.restarts == 1 and arrays["out"].tolist() == [0.5]


def test_portable_memory_is_watched(sub):
    with Sandbox(sub, LIMITS, tier="portable") as box, pytest.raises(ChildDied, match="300 MB memory limit"):
        call(box, "hog", np.zeros(1), budget=20.0)


def test_portable_output_is_capped_by_the_watcher(sub):
    with Sandbox(sub, LIMITS, tier="portable") as box, pytest.raises(ChildDied, match="printed more than 8 MB"):
        call(box, "flood", np.zeros(1), budget=20.0)


def test_portable_kills_the_whole_tree(sub):
    box = Sandbox(sub, LIMITS, tier="portable")
    try:
        _, arrays = call(box, "grandchild", np.zeros(1))
        pid = int(arrays["out"][0])
        assert psutil.pid_exists(pid)
    finally:
        box.close()
    deadline = time.monotonic() + 10
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the grandchild outlived close()"
        time.sleep(0.05)


def test_auto_picks_what_the_machine_supports():
    tier, note = choose("auto")
    assert tier in ("strict", "default")  # on Linux; portable only where POSIX is missing
    assert (tier == "strict") == (note == "")
    assert choose("portable") == ("portable", "")
    with pytest.raises(ValueError, match="unknown sandbox"):
        choose("chroot")


# --- no POSIX-only call in the portable path ------------------------------------------------------

POSIX_ONLY = {
    "os": {
        "fork",
        "forkpty",
        "setsid",
        "setpgid",
        "getpgid",
        "killpg",
        "getuid",
        "geteuid",
        "getgid",
        "setuid",
        "setgid",
        "pipe2",
        "wait",
        "waitpid",
        "wait4",
        "WNOHANG",
        "uname",
        "sched_setaffinity",
        "getppid_posix",
        "posix_spawn",
        "mkfifo",
    },
    "signal": {
        "SIGKILL",
        "SIGSTOP",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGCHLD",
        "SIGHUP",
        "SIGALRM",
        "alarm",
        "setitimer",
        "pthread_kill",
        "pthread_sigmask",
    },
    "select": {"select", "poll", "epoll"},
}
POSIX_MODULES = {"resource", "fcntl", "termios", "pwd", "grp", "ctypes", "posix"}
POSIX_KEYWORDS = {"preexec_fn", "pass_fds", "start_new_session", "process_group", "user", "group"}
# Parts of process.py that only the default and strict tiers reach.
POSIX_ONLY_FUNCTIONS = {"_spawn_posix"}
# strict/ and procs.py helpers the portable path may use: plain path computations and a constant.
STRICT_ALLOWED = {
    "hidden_paths",
    "MARKER",
    "remove_orphan_folders",
    "framework_dirs",
}  # the last one: with is_alive=psutil


def _posix_guard(test: ast.expr) -> bool:
    """The conditions whose body only POSIX reaches: `tier != "portable"`, `tier == "strict"`,
    `sys.platform.startswith("linux")`."""
    if isinstance(test, ast.Compare) and isinstance(test.comparators[0], ast.Constant):
        value, op = test.comparators[0].value, test.ops[0]
        return (isinstance(op, ast.NotEq) and value == "portable") or (isinstance(op, ast.Eq) and value == "strict")
    return (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "startswith"
        and ast.unparse(test.func.value) == "sys.platform"
        and ast.unparse(test.args[0]) == "'linux'"
    )


def posix_calls(path: Path) -> list[str]:
    """Uses of POSIX-only modules, functions and Popen arguments outside POSIX-only code."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef) and node.name in POSIX_ONLY_FUNCTIONS:
            return
        if isinstance(node, ast.If) and _posix_guard(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module, name = node.value.id, node.attr
            if name in POSIX_ONLY.get(module, ()) or (module in ("strict", "procs") and name not in STRICT_ALLOWED):
                found.append(f"{path.name}:{node.lineno} {module}.{name}")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found.extend(f"{path.name}:{node.lineno} import {n}" for n in names if n.split(".")[0] in POSIX_MODULES)
        if isinstance(node, ast.keyword) and node.arg in POSIX_KEYWORDS:
            found.append(f"{path.name}:{node.lineno} {node.arg}=")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize(
    "name", ["portable.py", "watch.py", "tiers.py", "process.py", "verdicts.py", "limits.py", "protocol.py"]
)
def test_the_portable_path_uses_no_posix_only_call(name):
    # limits.py's rlimit_setter and protocol.py's select() are reached only with rlimits (POSIX tiers) and
    # with a deadline (never by the parent): they are listed so that a new use elsewhere fails here.
    known = {"limits.py": {"import resource"}, "protocol.py": {"select.select"}}
    assert {found.split(" ", 1)[1] for found in posix_calls(SANDBOX / name)} <= known.get(name, set())


def test_the_scan_finds_posix_only_calls(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os, resource, subprocess\nos.killpg(1, 9)\n"
        "subprocess.Popen(['x'], preexec_fn=None)\nif self.tier != 'portable':\n    os.setsid()\n"
    )
    assert posix_calls(sample) == ["sample.py:1 import resource", "sample.py:2 os.killpg", "sample.py:3 preexec_fn="]


def test_batch_grades_a_class_in_the_portable_tier_only_when_asked_by_name(monkeypatch):
    from grader.batch.errors import BatchError
    from grader.batch.run import resolve_sandbox
    from grader.sandbox import tiers

    monkeypatch.setattr(
        tiers, "choose", lambda asked: ("portable", "auto: windows") if asked == "auto" else (asked, "")
    )
    with pytest.raises(BatchError, match=r"confines nothing.*--sandbox portable"):
        resolve_sandbox("auto")
    assert resolve_sandbox("portable") == "portable"


PORTABLE_RUN = """
import os, signal, sys, subprocess, threading, select, psutil, numpy, pytest  # the stdlib and dependencies
for name in ("killpg", "getpgid", "setsid", "setpgid", "fork", "forkpty", "uname", "nice", "getpgrp"):
    if hasattr(os, name):
        delattr(os, name)  # what Windows lacks: the grader's portable path must never reach for it
for name in ("SIGXCPU", "SIGXFSZ", "SIGSTOP"):
    if hasattr(signal, name):
        delattr(signal, name)
sys.modules["resource"] = None
sys.modules["fcntl"] = None
from grader.check import run_check
result = run_check("reference", sandbox="portable")
print(result.score, result.meta["sandbox"])
"""


@pytest.mark.e2e
def test_a_portable_check_runs_in_a_grader_without_posix_only_functions():
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", PORTABLE_RUN], cwd=root, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-2:] == ["100.0", "portable"], done.stdout[-500:]
