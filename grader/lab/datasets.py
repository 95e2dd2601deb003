"""The lab's data sets, generated in the parent from seeds (never taken from a submission)."""

from __future__ import annotations

import numpy as np


def linear(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points uniform in the unit square; label 0 if x0 > x1 else 1. Returns x (n,2), y (n,1)."""
    x = np.random.default_rng(seed).uniform(0.0, 1.0, size=(n, 2))
    y = (x[:, 0] <= x[:, 1]).astype(np.int64).reshape(n, 1)
    return x, y


def xor_easy() -> tuple[np.ndarray, np.ndarray]:
    """The lab's 21 points on the two diagonals, the centre once. Returns x (21,2), y (21,1)."""
    points, labels = [], []
    for i in range(11):
        points.append((0.1 * i, 0.1 * i))
        labels.append(0)
        if i != 5:
            points.append((0.1 * i, 1.0 - 0.1 * i))
            labels.append(1)
    return np.array(points), np.array(labels, dtype=np.int64).reshape(-1, 1)


def xor_hidden(seed: int, jitter: float) -> tuple[np.ndarray, np.ndarray]:
    """The XOR points moved by at most `jitter` each, without the ambiguous centre."""
    x, y = xor_easy()
    keep = ~np.all(np.isclose(x, 0.5), axis=1)
    x, y = x[keep], y[keep]
    shift = np.random.default_rng(seed).uniform(-jitter, jitter, size=x.shape)
    return np.clip(x + shift, 0.0, 1.0), y


def training_set(dataset: str, params: dict, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The training data of a rubric training item."""
    if dataset == "linear":
        return linear(int(params.get("n", 100)), seed)
    if dataset == "xor":
        return xor_easy()
    raise ValueError(f"unknown data set {dataset!r}")


def hidden_set(dataset: str, params: dict, secret_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points the submission never sees, from a seed only the parent knows."""
    if dataset == "linear":
        return linear(int(params.get("hidden_n", 1000)), secret_seed)
    return xor_hidden(secret_seed, float(params.get("jitter", 0.02)))
