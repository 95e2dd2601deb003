"""`python -m reference.train` prints the lab's log; the folder works as any package name."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EPOCH = re.compile(r"^epoch (\d+) loss : (\d+\.\d+)$")
ITER = re.compile(r"^Iter (\d+) \| Ground truth: ([01]\.0) \| prediction: (-?\d+\.\d{5})$")
FINAL = re.compile(r"^loss=(\d+\.\d+), accuracy=(\d+\.\d{2})%$")


def _run(*args, cwd=ROOT):
    proc = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


@pytest.mark.parametrize("dataset,n_points", [("xor", 21), ("linear", 100)])
def test_output_format(dataset, n_points):
    lines = _run("-m", "reference.train", "--dataset", dataset)
    epochs = [m for m in map(EPOCH.match, lines) if m]
    iters = [m for m in map(ITER.match, lines) if m]
    finals = [m for m in map(FINAL.match, lines) if m]
    assert len(epochs) + len(iters) + len(finals) == len(lines), "unexpected lines"
    assert 10 <= len(epochs) <= 20
    assert [int(m.group(1)) for m in iters] == list(range(n_points))
    assert len(finals) == 1 and lines[-1] == finals[0].group(0)
    assert finals[0].group(2) == "100.00"
    # order: epoch lines, then the points, then the summary
    assert lines.index(iters[0].group(0)) > lines.index(epochs[-1].group(0))
    # prediction is the raw output and agrees with the ground truth here
    for m in iters:
        assert (float(m.group(3)) >= 0.5) == (m.group(2) == "1.0")


def test_epochs_override():
    lines = _run("-m", "reference.train", "--dataset", "xor", "--epochs", "20")
    assert int(EPOCH.match([ln for ln in lines if EPOCH.match(ln)][-1]).group(1)) == 20


@pytest.mark.parametrize("name", ["student", "submission"])
def test_reference_copied_under_another_name_runs(tmp_path, name):
    """Relative imports only: the grader copies a submission and imports it by its own name."""
    shutil.copytree(ROOT / "reference", tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import {name}.train as t; "
        f"assert t.__file__.startswith({str(tmp_path)!r}), t.__file__; "
        "t.main(['--dataset', 'xor', '--epochs', '30'])"
    )
    lines = _run("-I", "-c", code, cwd=tmp_path)
    assert any(ITER.match(ln) for ln in lines)
