"""Central finite differences and relative error (CS231n style), reusable on any function.

params are dicts of arrays; f(params) -> float. Gradients come back as float64
dicts with the same keys and shapes. The caller's arrays are never mutated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np


def _copy(params):
    """float64 copies of every array, in the caller's key order."""
    return {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}


def numerical_gradient(f: Callable, params: Mapping, h: float = 1e-5) -> dict:
    """df/dp for every element of every array, by (f(p + h) - f(p - h)) / 2h."""
    work = _copy(params)  # perturb a private copy, element by element, in place
    grads = {}
    for key, p in work.items():
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            f_plus = float(f(work))
            p[idx] = old - h
            f_minus = float(f(work))
            p[idx] = old  # restore before moving on
            g[idx] = (f_plus - f_minus) / (2.0 * h)
        grads[key] = g
    return grads


def perturbations(params: Mapping, h: float = 1e-5) -> tuple[list[dict], Callable]:
    """The 2P perturbed copies numerical_gradient evaluates, and assemble(values) -> gradients.

    Batched form for when each evaluation is costly (one pipe round trip): evaluate
    f on every dict of the list, in order, then pass the values to assemble. The
    order is key by key, elements in C order, "+h" then "-h" for each element.
    Unperturbed arrays are shared between the dicts and read-only; each dict owns
    one fresh array, the perturbed one.
    """
    base = _copy(params)
    for p in base.values():
        p.setflags(write=False)
    points = []  # (key, idx) of each element, in evaluation order
    copies = []
    for key, p in base.items():
        for idx in np.ndindex(p.shape):
            points.append((key, idx))
            for step in (h, -h):
                q = p.copy()
                q[idx] = p[idx] + step  # same float as numerical_gradient's in-place update
                q.setflags(write=False)
                copies.append({**base, key: q})

    def assemble(values: Sequence[float]) -> dict:
        """Gradients from the f values of the perturbed copies, in list order."""
        flat = np.asarray(values, dtype=np.float64).ravel()
        if flat.size != len(copies):
            raise ValueError(f"expected {len(copies)} values, got {flat.size}")
        grads = {k: np.zeros(p.shape) for k, p in base.items()}
        for i, (key, idx) in enumerate(points):
            grads[key][idx] = (flat[2 * i] - flat[2 * i + 1]) / (2.0 * h)
        return grads

    return copies, assemble


def relative_error(a, b, eps: float = 1e-12) -> float:
    """||a - b|| / max(||a|| + ||b||, eps) over the whole tensor; 0 when both are zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:  # broadcasting would hide a (k,) vs (1, k) mistake
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    return float(np.linalg.norm((a - b).ravel()) / max(np.linalg.norm(a) + np.linalg.norm(b), eps))


def relative_errors(analytic: Mapping, numeric: Mapping) -> dict[str, float]:
    """relative_error per key of numeric; inf when analytic lacks the key or has another shape.

    inf is not JSON: map it before serializing.
    """
    out = {}
    for key, n in numeric.items():
        a = analytic.get(key)
        if a is None or np.shape(a) != np.shape(n):
            out[key] = float("inf")
        else:
            out[key] = relative_error(a, n)
    return out
