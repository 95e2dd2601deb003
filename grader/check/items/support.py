"""Helpers shared by the checks: seeded probe data and plain-words comparisons."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from grader.rubric.model import Rubric


def rng(rubric: Rubric, salt: int) -> np.random.Generator:
    """A generator seeded from the rubric's probe seed; `salt` separates the checks."""
    return np.random.default_rng([rubric.seeds.probe, salt])


def max_abs_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest absolute difference of two same-shape arrays."""
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) if np.size(a) else 0.0


def close(a: np.ndarray, b: np.ndarray, tolerance: float) -> bool:
    """Equal shapes and values within tolerance (absolute, scaled by magnitude)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tolerance * (1.0 + np.abs(b))))


def ratio(student: np.ndarray, expected: np.ndarray) -> float | None:
    """The constant c with student ≈ c * expected, when there is one."""
    student, expected = np.ravel(student).astype(float), np.ravel(expected).astype(float)
    if student.shape != expected.shape or not np.any(expected):
        return None
    c = float(student @ expected / (expected @ expected))
    return c if np.allclose(student, c * expected, rtol=1e-6, atol=1e-9) else None


def describe_ratio(c: float | None, named: dict[float, str]) -> str:
    """Explain a constant factor with the first matching name, or ''."""
    if c is None:
        return ""
    for value, text in named.items():
        if np.isclose(c, value, rtol=1e-4):
            return text
    return f"it is {c:.4g}x the expected value"
