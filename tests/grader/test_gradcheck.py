"""grader.lab.gradcheck: finite differences, the batched form, and relative errors."""

import numpy as np
import pytest

from grader.lab import spec
from grader.lab.gradcheck import numerical_gradient, perturbations, relative_error, relative_errors


def _regression(seed=0, n=6):
    """A tiny linear regression mean((x @ W + b - y)^2) with its exact gradient."""
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((n, 3)), rng.standard_normal((n, 2))
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}

    def loss(p):
        return float(np.mean((x @ p["W"] + p["b"] - y) ** 2))

    def grad(p, factor=2.0):
        g = factor * (x @ p["W"] + p["b"] - y) / y.size
        return {"W": x.T @ g, "b": g.sum(0)}

    return params, loss, grad


def test_numerical_gradient_passes_a_correct_backward():
    params, loss, grad = _regression()
    numeric = numerical_gradient(loss, params)
    assert max(relative_errors(grad(params), numeric).values()) < 1e-8


def test_numerical_gradient_fails_a_broken_backward():
    params, loss, grad = _regression()
    numeric = numerical_gradient(loss, params)
    errors = relative_errors(grad(params, factor=1.0), numeric)  # dropped the 2 of d/dp (p-t)^2
    assert all(e == pytest.approx(1 / 3, rel=1e-6) for e in errors.values())  # |g - 2g| / (g + 2g)


def test_gradcheck_catches_a_missing_sigmoid_derivative():
    params = spec.init_params((2, 4, 4, 1), 3)
    x, y = np.random.default_rng(3).uniform(0, 1, (5, 2)), np.array([[0], [1], [1], [0], [1]])
    numeric = numerical_gradient(lambda p: spec.mse(spec.forward(p, x), y), params)
    good = relative_errors(spec.gradient(params, x, y), numeric)
    bad = relative_errors(spec.gradient(params, x, y, variant="no_derivative"), numeric)
    assert max(good.values()) < 1e-7
    assert min(bad.values()) > 1e-1


def test_numerical_gradient_never_mutates_the_callers_arrays():
    params, loss, _ = _regression()
    before = {k: v.copy() for k, v in params.items()}
    seen = []
    numerical_gradient(lambda p: seen.append(p["W"][0, 0]) or loss(p), params)
    assert all(np.array_equal(before[k], params[k]) for k in params)
    assert seen[0] == params["W"][0, 0] + 1e-5 and seen[1] == params["W"][0, 0] - 1e-5  # f saw the perturbations


def test_numerical_gradient_of_a_quadratic_is_exact_enough():
    p = {"a": np.array([[1.0, -2.0], [0.5, 3.0]]), "c": np.array([4.0])}
    g = numerical_gradient(lambda q: float((q["a"] ** 2).sum() + 3 * q["c"][0]), p)
    np.testing.assert_allclose(g["a"], 2 * p["a"], rtol=1e-9)
    np.testing.assert_allclose(g["c"], [3.0], rtol=1e-9)
    assert g["a"].dtype == np.float64


def test_perturbations_and_assemble_equal_numerical_gradient():
    params, loss, _ = _regression()
    copies, assemble = perturbations(params)
    assert len(copies) == 2 * sum(v.size for v in params.values())
    grads = assemble([loss(p) for p in copies])
    expected = numerical_gradient(loss, params)
    assert all(np.array_equal(grads[k], expected[k]) for k in params)  # the very same floats


def test_perturbations_order_and_isolation():
    params = {"W": np.zeros((2, 2)), "b": np.zeros(1)}
    copies, _ = perturbations(params, h=0.5)
    # key by key, C order, +h then -h
    assert copies[0]["W"][0, 0] == 0.5 and copies[1]["W"][0, 0] == -0.5
    assert copies[2]["W"][0, 1] == 0.5 and copies[3]["W"][0, 1] == -0.5
    assert copies[-2]["b"][0] == 0.5 and copies[-1]["b"][0] == -0.5
    assert all(np.count_nonzero(np.concatenate([v.ravel() for v in c.values()])) == 1 for c in copies)
    assert not any(np.shares_memory(c[k], params[k]) for c in copies for k in params)
    with pytest.raises(ValueError):
        copies[0]["W"][0, 0] = 1.0  # read-only: one consumer cannot corrupt another's copy
    assert not params["W"].any()


def test_assemble_rejects_a_wrong_number_of_values():
    _, assemble = perturbations({"W": np.zeros((2, 2))})
    with pytest.raises(ValueError):
        assemble([0.0] * 7)


def test_relative_error_edge_cases():
    a = np.array([[1.0, -2.0], [3.0, 0.5]])
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(a, np.zeros_like(a)) == pytest.approx(1.0)
    assert relative_error(a, 2 * a) == pytest.approx(1 / 3)
    assert relative_error(np.array(1e-20), np.array(0.0)) == pytest.approx(1e-8)  # eps floor below 1e-12
    with pytest.raises(ValueError):
        relative_error(np.zeros(4), np.zeros((1, 4)))  # no broadcasting


def test_relative_errors_marks_missing_and_misshaped_as_inf():
    numeric = {"W": np.ones((2, 3)), "b": np.ones(3), "c": np.ones(1)}
    errors = relative_errors({"W": np.ones((3, 2)), "b": np.ones(3)}, numeric)
    assert errors == {"W": float("inf"), "b": 0.0, "c": float("inf")}
