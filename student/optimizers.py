"""Optimizers: each .step(params, grads) updates the arrays of params in place.

TODO: implement SGD.step (required), then Momentum, AdaGrad and Adam (extras).

params and grads are dicts name -> ndarray with the same keys and shapes;
per-parameter state (velocity, running sums, moments) is keyed by name.
Update in place (p -= ...), do not rebind params[name] to a new array.
"""
import numpy as np


class SGD:
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr=0.1):
        self.lr = lr

    def step(self, params, grads):
        """One update, in place. params, grads: dict name -> array of the same shape."""
        raise NotImplementedError("TODO: for each name: params[name] -= self.lr * grads[name]")


class Momentum:
    """Gradient descent with momentum: v = beta * v - lr * g; p += v."""

    def __init__(self, lr=0.1, beta=0.9):
        self.lr = lr
        self.beta = beta
        self.velocity = {}

    def step(self, params, grads):
        """One update, in place. params, grads: dict name -> array of the same shape."""
        raise NotImplementedError(
            "TODO: v = beta * v - lr * g (v starts at 0, kept in self.velocity[name]); p += v (extra)")


class AdaGrad:
    """Per-coordinate step sizes: G += g * g; p -= lr * g / (sqrt(G) + eps)."""

    def __init__(self, lr=0.1, eps=1e-8):
        self.lr = lr
        self.eps = eps
        self.sum_sq = {}

    def step(self, params, grads):
        """One update, in place. params, grads: dict name -> array of the same shape."""
        raise NotImplementedError(
            "TODO: G += g * g (G starts at 0, kept in self.sum_sq[name]); "
            "p -= lr * g / (sqrt(G) + eps) (extra)")


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
            "TODO: self.t += 1 once per call; update self.m[name] and self.v[name] (start at 0), "
            "bias-correct them with 1 - beta**t, then p -= lr * m_hat / (sqrt(v_hat) + eps) (extra)")
