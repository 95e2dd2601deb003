"""Sigmoid and its derivative against the spec, including large |x|."""

import numpy as np
import pytest

from grader.check.items.support import close, rng
from grader.lab import spec

pytestmark = pytest.mark.rubric("activations")


def test_sigmoid_values(lab, rubric, params):
    x = np.concatenate([np.linspace(-8, 8, 33), rng(rubric, 1).normal(0, 3, 20)]).reshape(-1, 1)
    got = lab.call("activations", "sigmoid", x, what="sigmoid(x) for x of shape (53, 1)")
    assert got.shape == x.shape, f"sigmoid returned shape {got.shape} for input {x.shape}: apply it elementwise"
    assert close(got, spec.sigmoid(x), params["tolerance"]), "sigmoid(x) differs from 1 / (1 + exp(-x))"


def test_sigmoid_large_inputs(lab, params):
    x = np.array([[-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0]])
    got = lab.call("activations", "sigmoid", x, what="sigmoid of large |x| (up to 1000)", finite=False)
    assert close(got, spec.sigmoid(x), params["tolerance"]), (
        "sigmoid is wrong for large |x|: it must give 0 and 1 there, not NaN (avoid exp(x)/(1+exp(x)))"
    )


def test_derivative_sigmoid_takes_the_output(lab, rubric, params, grade):
    y = spec.sigmoid(rng(rubric, 2).normal(0, 2, (6, 3)))
    got = lab.call("activations", "derivative_sigmoid", y, what="derivative_sigmoid(y)")
    if close(got, spec.sigmoid(y) * (1 - spec.sigmoid(y)), params["tolerance"]):
        pytest.fail(
            "derivative_sigmoid(y) receives the sigmoid's OUTPUT y: return y * (1 - y), do not apply sigmoid to y again"
        )
    assert close(got, y * (1 - y), params["tolerance"]), "derivative_sigmoid(y) must return y * (1 - y)"
