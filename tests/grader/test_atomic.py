"""Output files are replaced whole or not at all; devices and pipes are written, never replaced."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from grader.atomic import atomic_write_bytes, atomic_write_text


def test_replaces_the_file_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out" / "results.json"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert sorted(p.name for p in target.parent.iterdir()) == ["results.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "results.json"
    atomic_write_text(target, "old")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]  # fails inside the write
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_a_named_pipe_is_written_not_replaced(tmp_path):
    """`--json /dev/null` once replaced the machine's /dev/null with a file: a FIFO stands in for it."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    atomic_write_bytes(fifo, b"results")
    reader.join(10)
    assert got == [b"results"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]
