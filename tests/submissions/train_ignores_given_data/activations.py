"""Activation functions and their derivatives.

Lab convention: ``derivative_<name>(y)`` takes the activation's OUTPUT
y = f(x), not its input, because the forward pass keeps the outputs.
All functions are elementwise: any shape in, the same shape out.
"""
import numpy as np

LEAKY_SLOPE = 0.01  # slope of leaky ReLU for negative inputs


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), stable for any |x|.

    Input: x, array of any shape. Output: same shape, values in [0, 1].
    """
    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def derivative_sigmoid(y):
    """Derivative of sigmoid from its output: y * (1 - y). Same shape as y."""
    y = np.asarray(y, dtype=float)
    return y * (1.0 - y)


def identity(x):
    """f(x) = x. Input: any shape. Output: float copy, same shape."""
    return np.array(x, dtype=float)


def derivative_identity(y):
    """Derivative of identity: ones, same shape as y."""
    return np.ones_like(np.asarray(y, dtype=float))


def tanh(x):
    """Hyperbolic tangent. Input: any shape. Output: same shape, in [-1, 1]."""
    return np.tanh(np.asarray(x, dtype=float))


def derivative_tanh(y):
    """Derivative of tanh from its output: 1 - y**2. Same shape as y."""
    y = np.asarray(y, dtype=float)
    return 1.0 - y * y


def relu(x):
    """max(x, 0). Input: any shape. Output: same shape, >= 0."""
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def derivative_relu(y):
    """Derivative of ReLU from its output: 1 where y > 0, else 0. Same shape."""
    return (np.asarray(y) > 0).astype(float)


def leaky_relu(x):
    """x for x > 0, 0.01 * x otherwise. Input: any shape. Output: same shape."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, LEAKY_SLOPE * x)


def derivative_leaky_relu(y):
    """Derivative of leaky ReLU from its output: 1 where y > 0, else 0.01.

    The sign of the output is the sign of the input, so y is enough.
    """
    return np.where(np.asarray(y) > 0, 1.0, LEAKY_SLOPE)
