"""grader.lab.spec against independent computations: per-sample loops, definitions, finite differences."""

import math

import numpy as np
import pytest

from grader.lab import spec
from grader.lab.gradcheck import numerical_gradient, relative_error

SCALAR_ACT = {  # independent scalar definitions, written with math
    "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)),
    "identity": lambda v: v,
    "tanh": math.tanh,
    "relu": lambda v: max(v, 0.0),
    "leaky_relu": lambda v: v if v > 0 else 0.01 * v,
}


def _data(sizes, n=5, seed=0):
    rng = np.random.default_rng(seed)
    params = spec.init_params(sizes, rng)
    x = rng.uniform(0, 1, (n, sizes[0]))
    y = rng.integers(0, 2, (n, sizes[-1]))
    return params, x, y


def _loop_forward(params, x, act):
    """Per-sample, per-unit forward with Python scalars."""
    L = spec.n_layers(params)
    out = []
    for row in x:
        a = [float(v) for v in row]
        for k in range(1, L + 1):
            W, b = params[f"W{k}"], params[f"b{k}"]
            a = [SCALAR_ACT[act](sum(a[i] * W[i, j] for i in range(len(a))) + b[j]) for j in range(W.shape[1])]
        out.append(a)
    return np.array(out)


def test_sigmoid_is_stable_and_exact():
    x = np.array([-1e4, -750.0, -50.0, -1.0, 0.0, 1.0, 50.0, 750.0, 1e4])
    with np.errstate(all="raise"):  # any overflow or invalid op would raise
        s = spec.sigmoid(x)
    assert s.dtype == np.float64 and np.all((s >= 0) & (s <= 1))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[4] == 0.5
    for v, got in zip([-50.0, -1.0, 1.0, 50.0], s[2:-2][[0, 1, 3, 4]]):
        assert got == pytest.approx(SCALAR_ACT["sigmoid"](v), rel=1e-15)


@pytest.mark.parametrize("name", spec.ACTIVATIONS)
def test_activation_matches_scalar_definition(name):
    z = np.linspace(-3, 3, 13).reshape(13, 1)
    expected = np.array([[SCALAR_ACT[name](float(v))] for v in z.ravel()])
    np.testing.assert_allclose(spec.activation(name, z), expected, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", spec.ACTIVATIONS)
def test_activation_derivative_of_output_matches_finite_differences(name):
    z = np.array([-2.5, -0.7, 0.3, 1.9])  # away from the ReLU kink
    h = 1e-6
    numeric = (spec.activation(name, z + h) - spec.activation(name, z - h)) / (2 * h)
    np.testing.assert_allclose(spec.activation_derivative(name, spec.activation(name, z)), numeric, rtol=1e-7)


def test_unknown_names_raise():
    with pytest.raises(ValueError):
        spec.activation("softplus", np.zeros(2))
    with pytest.raises(ValueError):
        spec.activation_derivative("softplus", np.zeros(2))
    params, x, y = _data((2, 3, 1))
    with pytest.raises(ValueError):
        spec.gradient(params, x, y, variant="typo")


def test_param_shapes_and_init_params():
    shapes = spec.param_shapes((2, 4, 3, 1))
    assert shapes == {"W1": (2, 4), "b1": (4,), "W2": (4, 3), "b2": (3,), "W3": (3, 1), "b3": (1,)}
    p = spec.init_params((2, 4, 3, 1), 7)
    assert {k: v.shape for k, v in p.items()} == shapes
    assert all(v.dtype == np.float64 for v in p.values())
    assert all(np.all(np.abs(p[b]) >= 0.1) for b in ("b1", "b2", "b3"))  # non-zero biases
    q = spec.init_params((2, 4, 3, 1), 7)
    assert all(np.array_equal(p[k], q[k]) for k in p)  # seeded: deterministic
    assert spec.n_layers(p) == 3 and spec.sizes_of(p) == (2, 4, 3, 1)
    with pytest.raises(ValueError):
        spec.param_shapes((2,))


@pytest.mark.parametrize("name", spec.ACTIVATIONS)
@pytest.mark.parametrize("sizes", [(2, 4, 4, 1), (3, 2, 2)])
def test_forward_matches_per_sample_loop(name, sizes):
    params, x, _ = _data(sizes)
    out = spec.forward(params, x, name)
    assert out.shape == (5, sizes[-1]) and out.dtype == np.float64
    np.testing.assert_allclose(out, _loop_forward(params, x, name), rtol=1e-12, atol=1e-15)


def test_mse_and_derivative_follow_the_definitions():
    p = np.array([[0.2], [0.9], [0.4]])
    t = np.array([[0], [1], [1]])  # int targets, as the data sets return them
    assert spec.mse(p, t) == pytest.approx((0.04 + 0.01 + 0.36) / 3, rel=1e-15)
    assert isinstance(spec.mse(p, t), float)
    np.testing.assert_allclose(spec.derivative_mse(p, t), 2 * (p - t) / 3, rtol=1e-15)
    numeric = numerical_gradient(lambda d: spec.mse(d["p"], t), {"p": p})["p"]
    assert relative_error(spec.derivative_mse(p, t), numeric) < 1e-9
    with pytest.raises(ValueError):  # (3, 1) - (3,) would broadcast to (3, 3)
        spec.mse(p, t.ravel())
    with pytest.raises(ValueError):
        spec.derivative_mse(p, t.ravel())


@pytest.mark.parametrize("name", spec.ACTIVATIONS)
@pytest.mark.parametrize("sizes,n", [((2, 4, 4, 1), 5), ((2, 3, 1), 7), ((3, 5, 2, 2), 4), ((2, 1), 3)])
def test_backward_matches_numerical_gradient(name, sizes, n):
    params, x, y = _data(sizes, n, seed=sum(sizes) + n)
    grads = spec.gradient(params, x, y, name)
    numeric = numerical_gradient(lambda p: spec.mse(spec.forward(p, x, name), y), params)
    assert list(grads) == list(params)
    for k in params:
        assert grads[k].shape == params[k].shape and grads[k].dtype == np.float64
        assert relative_error(grads[k], numeric[k]) < 1e-7, k


def _one_hidden_by_hand(params, x, y, variant):
    """Variants of a 1-hidden-layer sigmoid net written out explicitly (independent of spec.backward)."""
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    z1 = x @ W1 + b1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = a1 @ W2 + b2
    a2 = 1 / (1 + np.exp(-z2))
    g2 = 2 * (a2 - y) / a2.size
    d2 = {"no_derivative": g2, "no_output_derivative": g2, "derivative_of_preactivation": g2 * z2 * (1 - z2)}.get(
        variant, g2 * a2 * (1 - a2)
    )
    g1 = d2 @ W2.T
    d1 = {
        "no_derivative": g1,
        "derivative_of_preactivation": g1 * z1 * (1 - z1),
        "derivative_of_preactivation_hidden": g1 * z1 * (1 - z1),
    }.get(variant, g1 * a1 * (1 - a1))
    db = {"bias_not_summed": lambda d: d[0], "bias_mean": lambda d: d.mean(0)}.get(variant, lambda d: d.sum(0))
    return {"W1": x.T @ d1, "b1": db(d1), "W2": a1.T @ d2, "b2": db(d2)}


@pytest.mark.parametrize("variant", spec.MISTAKE_VARIANTS)
def test_variants_match_hand_written_mistakes(variant):
    params, x, y = _data((2, 3, 1), 6)
    got = spec.gradient(params, x, y, "sigmoid", variant)
    expected = _one_hidden_by_hand(params, x, y, variant)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-9, atol=1e-15)  # central differences: rounding only
    if variant != "correct":  # every mistake changes some gradient for sigmoid
        correct = spec.gradient(params, x, y)
        assert max(relative_error(got[k], correct[k]) for k in got) > 1e-2


def test_variants_that_coincide_with_correct():
    params, x, y = _data((2, 3, 1), 6)
    for name, variant in [
        ("identity", "no_derivative"),
        ("relu", "derivative_of_preactivation"),
        ("leaky_relu", "derivative_of_preactivation"),
    ]:
        a, b = spec.gradient(params, x, y, name, variant), spec.gradient(params, x, y, name)
        assert all(np.allclose(a[k], b[k]) for k in a), (name, variant)


def test_frozen_gradient_per_layer_slopes_match_hand_written_chain_rule():
    """Any per-layer choice of slope (act'(a), act'(z), 1): the recursion written out here, independently."""
    params, x, y = _data((2, 4, 3, 1), 5, seed=4)
    z1 = x @ params["W1"] + params["b1"]
    a1 = spec.sigmoid(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    a2 = spec.sigmoid(z2)
    z3 = a2 @ params["W3"] + params["b3"]
    a3 = spec.sigmoid(z3)
    pick = {"a": lambda z, a: a * (1 - a), "z": lambda z, a: z * (1 - z), "1": lambda z, a: np.ones_like(z)}
    for slopes in [("z", "a", "z"), ("1", "z", "a"), ("a", "a", "1")]:
        d3 = 2 * (a3 - y) / a3.size * pick[slopes[2]](z3, a3)
        d2 = (d3 @ params["W3"].T) * pick[slopes[1]](z2, a2)
        d1 = (d2 @ params["W2"].T) * pick[slopes[0]](z1, a1)
        expected = {"W1": x.T @ d1, "b1": d1.sum(0), "W2": a1.T @ d2, "b2": d2.sum(0), "W3": a2.T @ d3, "b3": d3.sum(0)}
        got = spec.frozen_gradient(params, x, y, "sigmoid", slopes)
        for k, want in expected.items():
            np.testing.assert_allclose(got[k], want, rtol=1e-9, atol=1e-15, err_msg=f"{slopes} {k}")
    with pytest.raises(ValueError):
        spec.frozen_gradient(params, x, y, "sigmoid", ("a", "b", "a"))


def test_the_spec_holds_no_written_out_backward():
    """Issue 10: nothing a submission could copy. The module has no delta recursion, only differences."""
    import inspect

    source = inspect.getsource(spec)
    assert "def backward" not in source and ".T @" not in source and "delta" not in source


def test_inputs_are_not_mutated_and_float32_is_promoted():
    params, x, y = _data((2, 3, 1))
    params32 = {k: v.astype(np.float32) for k, v in params.items()}
    before = {k: v.copy() for k, v in params32.items()}
    grads = spec.gradient(params32, x.astype(np.float32), y)
    assert all(g.dtype == np.float64 for g in grads.values())
    assert spec.forward(params32, x.astype(np.float32)).dtype == np.float64
    assert all(np.array_equal(before[k], params32[k]) for k in params32)
