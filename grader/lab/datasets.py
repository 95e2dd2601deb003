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


def secret_task(dataset: str, params: dict, secret_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A task of the same kind as `dataset` that no code can anticipate without the secret seed.

    linear: n points in the unit square split by a random line through a point near the centre
    (a direction at least 45 degrees from the lab's diagonal, each class at least a quarter of the points). xor: the XOR points rotated
    about the centre by a random angle that keeps them off the axes, labels flipped at random.
    Hand-made weights fit the lab's labels only; a network that trains on what it is given learns these.
    """
    rng = np.random.default_rng([int(secret_seed), 0x5EC4E7, 1 if dataset == "linear" else 2])
    if dataset == "linear":
        n = int(params.get("n", 100))
        x = rng.uniform(0.0, 1.0, size=(n, 2))
        while True:  # the normal 45..135 degrees from the lab's (-1, 1): far from its rule and its flip
            angle = 0.75 * np.pi + rng.choice([-1.0, 1.0]) * rng.uniform(np.pi / 4, 3 * np.pi / 4)
            normal = np.array([np.cos(angle), np.sin(angle)])
            side = (x - rng.uniform(0.35, 0.65, size=2)) @ normal > 0
            if min(side.mean(), 1.0 - side.mean()) >= 0.25:
                return x, side.astype(np.int64).reshape(n, 1)
    if dataset == "xor":
        x, y = xor_easy()
        angle = rng.uniform(np.pi / 9, 4 * np.pi / 9) + rng.integers(4) * np.pi / 2  # 20..80 degrees off a quadrant
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        x = 0.5 + (x - 0.5) @ rotation.T
        return x, (1 - y) if rng.integers(2) else y
    raise ValueError(f"unknown data set {dataset!r}")
