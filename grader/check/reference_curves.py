"""The instructor solution's learning curve on the same data, for the report's comparison.

The reference is trusted course code, never a submission; its curves are cached on disk
by the hash of the data, seed and reference source, so a batch trains it once.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np

from grader.atomic import atomic_write_bytes
from grader.hashing import submission_hash


def cache_dir() -> Path:
    """~/.cache/lab1-grader (or $XDG_CACHE_HOME/lab1-grader)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lab1-grader" / "reference-curves"


def reference_losses(dataset: str, x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """Loss per epoch of the reference trained with its own config on (x, y)."""
    import reference
    from reference import config, network, optimizers, train

    key = hashlib.sha256()
    for part in (dataset.encode(), x.tobytes(), y.tobytes(), str(seed).encode(),
                 submission_hash(Path(reference.__file__).parent).encode()):
        key.update(part)
    path = cache_dir() / f"{key.hexdigest()[:32]}.npy"
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        pass
    settings = config.HYPERPARAMETERS[dataset]
    optimizer = {"sgd": optimizers.SGD, "momentum": optimizers.Momentum, "adagrad": optimizers.AdaGrad,
                 "adam": optimizers.Adam}[settings["optimizer"]](lr=settings["lr"])
    net = network.Network(sizes=(x.shape[1], *settings["hidden"], 1), activation=settings["activation"],
                          optimizer=optimizer, seed=seed)
    losses = np.asarray(train.train(net, x, y, settings["epochs"]), dtype=np.float64)
    buffer = io.BytesIO()
    np.save(buffer, losses, allow_pickle=False)
    try:
        atomic_write_bytes(path, buffer.getvalue())
    except OSError:
        pass  # a read-only home only costs the cache
    return losses


def attach_reference_curves(result) -> None:
    """Add reference_losses to each trained data set of result.artifacts."""
    seeds = result.meta.get("seeds", {}).get("train") or [0]
    for dataset, entry in result.artifacts.get("train", {}).items():
        if "reference_losses" not in entry:
            try:
                entry["reference_losses"] = reference_losses(dataset, entry["x"], entry["y"], seeds[0])
            except Exception:  # noqa: BLE001 - a missing or broken reference costs only this curve
                entry["reference_losses"] = None
