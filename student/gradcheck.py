"""Check your backward pass against numerical gradients (provided, not graded).

    python -m student.gradcheck [--sizes 2 4 4 1] [--batch 5] [--seed 0] [--activation sigmoid]

In the manner of CS231n's gradient_check.py: for every parameter, the gradient your
Network.backward returns is compared with central differences (f(p + h) - f(p - h)) / 2h of
f = mse(forward(x), y), computed with your own forward and mse. A relative error above 1e-5
means that parameter's gradient is off; the first layer it happens in is where to look.
"""
import argparse

import numpy as np

from .losses import mse
from .network import Network

STEP = 1e-5  # h of the central differences
TOLERANCE = 1e-5  # largest relative error of a correct float64 gradient


def numerical_gradient(f, p, h=STEP):
    """Central differences of the scalar function f() with respect to every entry of array p.

    p is changed in place and restored: f must read it (as forward reads net.params).
    """
    grad = np.zeros_like(p, dtype=float)
    for index in np.ndindex(p.shape):
        old = p[index]
        p[index] = old + h
        plus = f()
        p[index] = old - h
        minus = f()
        p[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(analytic, numeric):
    """max |a - n| / max(1e-8, |a| + |n|) over all entries (CS231n's rel_error)."""
    analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    return float(np.max(np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))))


def _scale_hint(analytic, numeric):
    """' (about 0.5x the numerical gradient)' when one is a multiple of the other, else ''."""
    a, n = np.ravel(analytic).astype(float), np.ravel(numeric).astype(float)
    if not np.any(n) or not np.any(a):
        return " (yours is all zeros)" if np.any(n) else ""
    ratio = float(a @ n / (n @ n))
    if relative_error(a, ratio * n) < 1e-3 and abs(ratio - 1) > 1e-3:
        return f" (about {ratio:.3g}x the numerical gradient)"
    return ""


def check_gradients(sizes=(2, 4, 4, 1), batch=5, seed=0, activation="sigmoid"):
    """[(name, relative error or None, note)] for every parameter of Network(sizes, activation)."""
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation=activation, seed=seed)
    for p in net.params.values():  # random biases too: zero biases hide some mistakes
        p[...] = rng.normal(0.0, 1.0, p.shape)
    x = rng.uniform(-1.0, 1.0, (batch, sizes[0]))
    y = rng.uniform(0.0, 1.0, (batch, sizes[-1]))
    net.forward(x)
    grads = net.backward(y)
    rows = []
    for name, p in net.params.items():
        if not isinstance(grads, dict) or name not in grads:
            rows.append((name, None, "missing from the dict backward returns"))
            continue
        analytic = np.asarray(grads[name], dtype=float)
        if analytic.shape != p.shape:
            rows.append((name, None, f"shape {analytic.shape}, but {name} has shape {p.shape}"))
            continue
        numeric = numerical_gradient(lambda: mse(net.forward(x), y), p)
        error = relative_error(analytic, numeric)
        rows.append((name, error, _scale_hint(analytic, numeric) if error > TOLERANCE else ""))
    return rows


def main(argv=None):
    """Print one line per parameter, OK or WRONG; exit status 1 when a gradient is off."""
    parser = argparse.ArgumentParser(description="Compare Network.backward with numerical gradients.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 4, 1], help="layer widths")
    parser.add_argument("--batch", type=int, default=5, help="number of points N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--activation", default="sigmoid")
    args = parser.parse_args(argv)
    try:
        rows = check_gradients(tuple(args.sizes), args.batch, args.seed, args.activation)
    except NotImplementedError as exc:
        print(f"gradcheck: not written yet: {exc}")
        return 2
    wrong = 0
    for name, error, note in rows:
        ok = error is not None and error <= TOLERANCE
        wrong += not ok
        shown = "" if error is None else f"relative error {error:.2e}"
        print(f"{name:>4}: {'OK   ' if ok else 'WRONG'} {shown}{note}")
    if wrong:
        print(f"{wrong} gradient(s) off (tolerance {TOLERANCE:g}): fix the last layer first, backward runs from it")
        return 1
    print("all gradients match the numerical ones")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
