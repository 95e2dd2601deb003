"""The lab's data sets, generated in the parent from seeds (never taken from a submission)."""

from __future__ import annotations

from typing import Any

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


def training_set(dataset: str, params: dict[str, Any], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The training data of a rubric training item."""
    if dataset == "linear":
        return linear(int(params.get("n", 100)), seed)
    if dataset == "xor":
        return xor_easy()
    raise ValueError(f"unknown data set {dataset!r}")


def hidden_set(dataset: str, params: dict[str, Any], secret_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points the submission never sees, from a seed only the parent knows."""
    if dataset == "linear":
        return linear(int(params.get("hidden_n", 1000)), secret_seed)
    return xor_hidden(secret_seed, float(params.get("jitter", 0.02)))


def secret_task(dataset: str, params: dict[str, Any], secret_seed: int, draw: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A task of the same kind as `dataset` that no code can anticipate without the secret seed.

    The lab's task (fresh linear points, or the XOR points) turned about the origin by a random
    angle of 30 to 60 degrees either way, labels flipped at random. A rotation about the origin
    keeps the task exactly as hard for a network whose initial weights are Gaussian (their law is
    rotation invariant, the biases it needs are the same), so a network that learns the lab's
    task learns this one; hand-made weights fit only the lab's labels. `draw` numbers further
    tasks of the same secret seed.
    """
    rng = np.random.default_rng([int(secret_seed), 0x5EC4E7, 1 if dataset == "linear" else 2, int(draw)])
    if dataset == "linear":
        x, y = linear(int(params.get("n", 100)), int(rng.integers(2**31)))
    elif dataset == "xor":
        x, y = xor_easy()
    else:
        raise ValueError(f"unknown data set {dataset!r}")
    angle = rng.choice([-1.0, 1.0]) * rng.uniform(np.pi / 6, np.pi / 3)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return x @ rotation.T, (1 - y) if rng.integers(2) else y
