"""Sandbox folders are removed on every path out, and replies of unsupported dtypes fail one probe only."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import (
    ChildLimits,
    Sandbox,
    SubmissionError,
    SubmissionTooLarge,
    procs,
    protocol,
)
from grader.sandbox.process import SANDBOX_PREFIX

LIMITS = ChildLimits(startup_seconds=5, probe_seconds=3, output_kb=4, memory_mb=512)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """A temp folder of this test only, so that counting sandbox folders is exact."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _sandboxes(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(SANDBOX_PREFIX))


def _submission(root: Path, **modules: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, code in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(code))
    return root


def test_a_refused_oversized_submission_leaves_no_folder(tmp_path, private_tmp, monkeypatch):
    from grader.sandbox import process

    sub = _submission(tmp_path / "sub", activations="x = 1\n")
    (sub / "outputs.bin").write_bytes(b"\0" * 4096)
    monkeypatch.setattr(process, "MAX_COPY_BYTES", 1024)
    with pytest.raises(SubmissionTooLarge, match="remove data sets"):
        Sandbox(sub, LIMITS)
    assert _sandboxes(private_tmp) == []


def test_an_interrupted_start_leaves_no_folder(tmp_path, private_tmp, monkeypatch):
    from grader.sandbox import process

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    sub = _submission(tmp_path / "sub", activations="x = 1\n")
    monkeypatch.setattr(process.subprocess, "Popen", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Sandbox(sub, LIMITS)
    assert _sandboxes(private_tmp) == []


def test_the_folder_of_a_killed_grader_is_removed_by_the_next_sandbox(tmp_path, private_tmp):
    """A grader killed with SIGKILL cannot clean up: its folder names its pid, and the next sandbox
    removes folders whose owner is gone (never those of a live process)."""
    sub = _submission(tmp_path / "sub", activations="x = 1\n")
    code = (
        "import os, sys; from pathlib import Path; from grader.sandbox import Sandbox, ChildLimits;"
        "box = Sandbox(Path(sys.argv[1]), ChildLimits(startup_seconds=5)); box.imports(); os._exit(9)"
    )
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    done = subprocess.run([sys.executable, "-c", code, str(sub)], env=env, timeout=120, check=False)
    assert done.returncode == 9
    orphans = _sandboxes(private_tmp)
    assert len(orphans) == 1, orphans  # left behind by the killed grader
    live = private_tmp / f"{SANDBOX_PREFIX}{os.getpid()}-keep"
    live.mkdir()
    with Sandbox(sub, LIMITS) as box:
        assert _sandboxes(private_tmp) == sorted([live.name, box.tmp.name])
    assert _sandboxes(private_tmp) == [live.name]


def test_remove_orphan_folders_spares_live_owners_and_other_names(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for name in (f"x-{dead.pid}-a", f"x-{os.getpid()}-b", "x-notapid-c", f"y-{dead.pid}-d"):
        (tmp_path / name).mkdir()
    assert procs.remove_orphan_folders(str(tmp_path), "x-") == [str(tmp_path / f"x-{dead.pid}-a")]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"x-{os.getpid()}-b", "x-notapid-c", f"y-{dead.pid}-d"]
    )


@pytest.mark.parametrize("dtype, words", [("complex128", "complex numbers"), ("longdouble", "extended-precision")])
def test_an_unsupported_reply_dtype_fails_that_probe_only(tmp_path, dtype, words):
    if np.dtype(dtype).itemsize <= 8 and dtype == "longdouble":
        pytest.skip("long double is float64 on this platform")  # pragma: no cover - x86_64 has 80-bit
    sub = _submission(
        tmp_path / "sub",
        activations=f"""
        import numpy as np
        def sigmoid(x):
            return (1 / (1 + np.exp(-x))).astype(np.{dtype})
        def identity(x):
            return x
        """,
    )
    arrays = {"a0": np.zeros(3)}
    with Sandbox(sub, LIMITS) as box:
        with pytest.raises(SubmissionError, match=words) as caught:
            box.request("call", arrays, timeout=3, what="sigmoid", module="activations", func="sigmoid", args=["@a0"])
        assert "return float64 arrays" in caught.value.reason
        _, reply = box.request(
            "call", arrays, timeout=3, what="identity", module="activations", func="identity", args=["@a0"]
        )
        np.testing.assert_array_equal(reply["out"], 0.0)
        assert box.restarts == 0, "the child was not killed"
        assert box.security_events == [], "an unusual dtype is not an attack"


def test_check_array_accepts_plain_numbers_and_names_the_rest():
    for value in (np.zeros(2), np.zeros(2, np.float32), np.zeros(2, np.int64), np.zeros(2, bool)):
        protocol.check_array("x", value)
    for value, words in (
        (np.zeros(2, complex), "complex"),
        (np.array(["a"]), "text"),
        (np.zeros(2, [("a", "f8")]), "records"),
    ):
        with pytest.raises(protocol.UnsupportedArray, match=words):
            protocol.check_array("x", value)
    with pytest.raises(ValueError, match="pickle"):  # objects: refused by np.save itself, never sent
        protocol.encode({}, {"x": np.array([object()])})


def test_a_refused_submission_says_why_in_its_result(tmp_path, private_tmp, monkeypatch):
    from grader.check.run import run_check
    from grader.sandbox import process

    sub = _submission(tmp_path / "sub", activations="x = 1\n")
    (sub / "outputs.bin").write_bytes(b"\0" * 4096)
    monkeypatch.setattr(process, "MAX_COPY_BYTES", 1024)
    result = run_check(sub)
    assert result.meta["batch_status"] == "refused"
    assert "remove data sets, virtual environments and outputs" in result.output
    assert _sandboxes(private_tmp) == []
