"""reference.conv.Conv1D and grader.lab.spec.conv1d against scalar loops and finite differences."""

import numpy as np
import pytest

from grader.lab import spec
from reference.conv import Conv1D


def _loop_conv(W, b, x):
    """out[n, o, t] = b[o] + sum_{c,k} W[o, c, k] * x[n, c, t + k], one scalar at a time."""
    N, C, L = x.shape
    O, _, K = W.shape
    out = np.zeros((N, O, L - K + 1))
    for n in range(N):
        for o in range(O):
            for t in range(L - K + 1):
                out[n, o, t] = b[o] + sum(W[o, c, k] * x[n, c, t + k] for c in range(C) for k in range(K))
    return out


def _case(seed=0, N=2, C=3, L=7, O=2, K=3):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(O, C, K)),
        rng.normal(size=O),
        rng.normal(size=(N, C, L)),
        rng.normal(size=(N, O, L - K + 1)),
    )


@pytest.mark.parametrize(
    "shape", [{}, {"N": 1, "C": 1, "L": 5, "O": 1, "K": 1}, {"N": 3, "C": 2, "L": 4, "O": 4, "K": 4}]
)
def test_forward_matches_the_definition(shape):
    W, b, x, _ = _case(1, **shape)
    layer = Conv1D(W.shape[1], W.shape[0], W.shape[2], seed=0)
    assert {k: v.shape for k, v in layer.params.items()} == {"W": W.shape, "b": b.shape}
    layer.params = {"W": W, "b": b}
    np.testing.assert_allclose(layer.forward(x), _loop_conv(W, b, x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(spec.conv1d(W, b, x), _loop_conv(W, b, x), rtol=1e-12, atol=1e-12)


def test_backward_matches_finite_differences_and_never_accumulates():
    W, b, x, dout = _case(2)
    layer = Conv1D(3, 2, 3)
    layer.params = {"W": W, "b": b}
    layer.forward(x)
    dx, grads = layer.backward(dout)
    h = 1e-6
    for name, array in (("W", W), ("b", b), ("x", x)):
        numeric = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            plus, minus = array.copy(), array.copy()
            plus[i] += h
            minus[i] -= h
            args = {"W": W, "b": b, "x": x, name: plus}
            f_plus = np.sum(_loop_conv(args["W"], args["b"], args["x"]) * dout)
            args[name] = minus
            f_minus = np.sum(_loop_conv(args["W"], args["b"], args["x"]) * dout)
            numeric[i] = (f_plus - f_minus) / (2 * h)
        got = dx if name == "x" else grads[name]
        np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8, err_msg=name)
        np.testing.assert_allclose(spec.conv1d_gradients(W, b, x, dout)[name], numeric, rtol=1e-6, atol=1e-8)
    dx2, grads2 = layer.backward(dout)
    np.testing.assert_array_equal(dx2, dx)
    np.testing.assert_array_equal(grads2["W"], grads["W"])


def test_same_seed_same_weights():
    a, b, c = Conv1D(2, 3, 2, seed=5), Conv1D(2, 3, 2, seed=5), Conv1D(2, 3, 2, seed=6)
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    assert not np.array_equal(a.params["W"], c.params["W"])
