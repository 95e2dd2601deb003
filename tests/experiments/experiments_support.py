"""Constants and the broken submission of tests/experiments (a unique module name: several
test folders have a conftest.py, so tests never `from conftest import`)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference"
MAX_EPOCHS = 300


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} of the reference changed: update tests/experiments/experiments_support.py"
    path.write_text(text.replace(old, new, 1))


def broken_copy(target: Path) -> Path:
    """The reference, with a failing learning rate, a crashing relu and no tanh."""
    shutil.copytree(REFERENCE, target, ignore=shutil.ignore_patterns("__pycache__"))
    _replace(
        target / "train.py",
        "    losses = []\n",
        '    if net.optimizer.lr >= 1:\n        raise ValueError("learning rate too large for this test")\n'
        "    losses = []\n",
    )
    _replace(
        target / "activations.py",
        "    return np.tanh(np.asarray(x, dtype=float))",
        '    raise NotImplementedError("TODO: tanh (extra)")',
    )
    _replace(
        target / "activations.py",
        "    return np.maximum(np.asarray(x, dtype=float), 0.0)",
        "    import os\n    os._exit(3)",
    )
    return target
