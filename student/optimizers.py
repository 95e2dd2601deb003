"""Optimizers: each .step(params, grads) updates the arrays of params in place.

params and grads are dicts name -> ndarray with the same keys and shapes;
per-parameter state (velocity, running sums, moments) is keyed by name.
Update in place (p -= ...), do not rebind params[name] to a new array.
SGD is required; Momentum, AdaGrad and Adam are bonus extras.
"""
import numpy as np


class SGD:
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr=0.1):
        self.lr = lr

    def step(self, params, grads):
        """One update, in place. params, grads: dict name -> array of the same shape."""
        raise NotImplementedError(
            "TODO: one plain gradient-descent step of rate self.lr on every parameter, in place; "
            "pair each gradient with its parameter by name.")


class Momentum:
    """Gradient descent with momentum: v = beta * v - lr * g; p += v."""

    def __init__(self, lr=0.1, beta=0.9):
        self.lr = lr
        self.beta = beta
        self.velocity = {}

    def step(self, params, grads):
        """One update, in place. params, grads: dict name -> array of the same shape."""
        raise NotImplementedError(
            "TODO (extra): the momentum update of the class docstring, in place, with one "
            "velocity per parameter name kept in self.velocity (it starts at 0).")


class AdaGrad:
    """Per-coordinate step sizes: G += g * g; p -= lr * g / (sqrt(G) + eps)."""

    def __init__(self, lr=0.1, eps=1e-8):
        self.lr = lr
        self.eps = eps
        self.sum_sq = {}

    def step(self, params, grads):
        """One update, in place. params, grads: dict name -> array of the same shape."""
        raise NotImplementedError(
            "TODO (extra): the AdaGrad update of the class docstring, in place, with the running "
            "sum of squared gradients of each parameter name kept in self.sum_sq (it starts at "
            "0).")


class Adam:
    """Adam (Kingma & Ba, 2015) with bias-corrected moments.

    m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g**2
    p -= lr * m_hat / (sqrt(v_hat) + eps), m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t)
    """

    def __init__(self, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.m = {}
        self.v = {}
        self.t = 0

    def step(self, params, grads):
        """One update, in place. params, grads: dict name -> array of the same shape."""
        raise NotImplementedError(
            "TODO (extra): the Adam update of the class docstring, in place: self.t counts the "
            "calls (one time step per call, shared by all parameters); the moments of each "
            "parameter name live in self.m and self.v (they start at 0).")
