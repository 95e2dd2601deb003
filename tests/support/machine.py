"""What this machine can do, for the security tests: skip where it cannot, fail on CI where it can.

A security test that skips proves nothing, and a skip is easy to miss in a green CI run: if the
grader's own probe (`strict.available()`) stopped finding the strict tier on a machine that has
it, every strict-tier test would quietly skip. So on CI (`CI=true`, as GitHub Actions and
the project's CI set it when they run `.ci/run`) the machine is asked independently, with util-linux `unshare` alone, whether it
can create the namespaces the strict tier uses; where it can, a missing strict tier fails the test.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

import pytest


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@functools.cache
def namespaces_work() -> bool:
    """Whether `unshare` creates user (unless root), mount, network, PID, IPC, UTS and cgroup
    namespaces here: the strict tier's prerequisites, probed without the grader's code."""
    unshare = shutil.which("unshare")
    if not sys.platform.startswith("linux") or unshare is None:
        return False
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    argv = [unshare, *user, "--mount", "--net", "--pid", "--ipc", "--uts", "--cgroup", "--fork", "--", "true"]
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def require_strict_tier() -> None:
    """Skip the calling test when the strict sandbox tier is not available here; on CI, fail it
    instead when the machine supports the tier (`namespaces_work()`) and the grader does not see it."""
    from grader.sandbox import strict

    ok, why = strict.available()
    if ok:
        return
    if on_ci() and namespaces_work():
        pytest.fail(f"CI: this machine can create the strict tier's namespaces, but the grader says: {why}")
    pytest.skip(f"strict tier not available here: {why}")
