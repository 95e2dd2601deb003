"""Activations, losses and optimizer steps of reference/ against hand values."""

import numpy as np
import pytest

from reference import activations as A
from reference.losses import derivative_mse, mse
from reference.optimizers import SGD, AdaGrad, Adam, Momentum


def test_sigmoid_values():
    x = np.array([0.0, 2.0, -2.0])
    # 1 / (1 + e^-2) = 1 / 1.1353352832366128
    np.testing.assert_allclose(A.sigmoid(x), [0.5, 0.8807970779778823, 0.11920292202211755], rtol=1e-12)


def test_sigmoid_stable_for_large_inputs():
    x = np.array([-1000.0, -710.0, -40.0, 40.0, 710.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = A.sigmoid(x)
    assert np.all(np.isfinite(y))
    assert y[0] == 0.0 and y[-1] == 1.0
    np.testing.assert_allclose(y[2], np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-12)


def test_sigmoid_keeps_shape():
    assert A.sigmoid(np.zeros((3, 4))).shape == (3, 4)


@pytest.mark.parametrize(
    "x,expected",
    [
        ("identity", [-2.0, -0.5, 0.0, 0.5, 2.0]),
        ("tanh", [-0.9640275800758169, -0.46211715726000974, 0.0, 0.46211715726000974, 0.9640275800758169]),
        ("relu", [0.0, 0.0, 0.0, 0.5, 2.0]),
        ("leaky_relu", [-0.02, -0.005, 0.0, 0.5, 2.0]),
    ],
)
def test_extra_activation_values(x, expected):
    np.testing.assert_allclose(getattr(A, x)(np.array([-2.0, -0.5, 0.0, 0.5, 2.0])), expected, rtol=1e-12)


def test_derivatives_take_the_output():
    y = np.array([0.25, 0.5, 0.9])
    np.testing.assert_allclose(A.derivative_sigmoid(y), [0.1875, 0.25, 0.09])
    np.testing.assert_allclose(A.derivative_tanh(y), [0.9375, 0.75, 0.19])
    np.testing.assert_allclose(A.derivative_identity(y), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(A.derivative_relu(np.array([0.0, 0.3])), [0.0, 1.0])
    np.testing.assert_allclose(A.derivative_leaky_relu(np.array([-0.02, 0.3])), [0.01, 1.0])


def test_mse_and_derivative_by_hand():
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.array([[0.0, 2.0], [3.0, 2.0]])
    # differences 1, 0, 0, 2 -> squares 1, 0, 0, 4 -> mean 5/4
    assert mse(pred, target) == pytest.approx(1.25)
    assert isinstance(mse(pred, target), float)
    # 2 * diff / 4
    np.testing.assert_allclose(derivative_mse(pred, target), [[0.5, 0.0], [0.0, 1.0]])


def _one(value):
    return {"w": np.array([value])}


def test_sgd_step():
    params = {"w": np.array([1.0, -2.0])}
    w = params["w"]
    SGD(lr=0.1).step(params, {"w": np.array([0.5, 1.0])})
    assert params["w"] is w  # in place
    np.testing.assert_allclose(w, [0.95, -2.1])


def test_momentum_two_steps():
    opt, params = Momentum(lr=0.1, beta=0.9), _one(1.0)
    opt.step(params, _one(0.5))  # v = -0.1 * 0.5 = -0.05; p = 0.95
    np.testing.assert_allclose(params["w"], [0.95])
    opt.step(params, _one(1.0))  # v = 0.9 * -0.05 - 0.1 * 1 = -0.145; p = 0.805
    np.testing.assert_allclose(params["w"], [0.805])


def test_adagrad_two_steps():
    opt, params = AdaGrad(lr=0.1, eps=1e-8), _one(1.0)
    opt.step(params, _one(0.5))  # G = 0.25; p = 1 - 0.1 * 0.5 / 0.5 = 0.9
    np.testing.assert_allclose(params["w"], [0.9], rtol=1e-7)
    opt.step(params, _one(1.0))  # G = 1.25; p = 0.9 - 0.1 / sqrt(1.25) = 0.9 - 0.0894427191
    np.testing.assert_allclose(params["w"], [0.8105572809], rtol=1e-7)


def test_adam_first_and_second_step():
    opt, params = Adam(lr=0.01), _one(1.0)
    # t=1: m = 0.05, v = 0.00025; m_hat = 0.5, v_hat = 0.25; p = 1 - 0.01 * 0.5 / 0.5 = 0.99
    opt.step(params, _one(0.5))
    np.testing.assert_allclose(params["w"], [0.99], rtol=1e-7)
    # t=2: m = 0.9 * 0.05 + 0.1 * 1 = 0.145; v = 0.999 * 0.00025 + 0.001 * 1 = 0.00124975
    #      m_hat = 0.145 / 0.19 = 0.76315789; v_hat = 0.00124975 / 0.001999 = 0.62518759
    #      p = 0.99 - 0.01 * 0.76315789 / sqrt(0.62518759) = 0.99 - 0.01 * 0.96518202 = 0.98034818
    opt.step(params, _one(1.0))
    np.testing.assert_allclose(params["w"], [0.98034818], rtol=1e-7)


@pytest.mark.parametrize("cls", [Momentum, AdaGrad, Adam])
def test_state_is_kept_per_parameter_name(cls):
    """Two parameters with different gradients evolve like two separate runs."""
    together = {"a": np.array([1.0]), "b": np.array([1.0])}
    alone_a, alone_b = {"a": np.array([1.0])}, {"b": np.array([1.0])}
    opt, opt_a, opt_b = cls(), cls(), cls()
    for ga, gb in [(0.5, -2.0), (1.0, 0.1), (-0.3, 0.7)]:
        opt.step(together, {"a": np.array([ga]), "b": np.array([gb])})
        opt_a.step(alone_a, {"a": np.array([ga])})
        opt_b.step(alone_b, {"b": np.array([gb])})
    np.testing.assert_allclose(together["a"], alone_a["a"], rtol=1e-12)
    np.testing.assert_allclose(together["b"], alone_b["b"], rtol=1e-12)
