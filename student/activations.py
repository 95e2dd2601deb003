"""Activation functions and their derivatives. TODO: implement every function.

Lab convention: ``derivative_<name>(y)`` takes the activation's OUTPUT
y = f(x), not its input, because your forward pass keeps the outputs.
All functions are elementwise: any shape in, the same shape out.
sigmoid and derivative_sigmoid are required; the others are bonus extras.
"""
import numpy as np

LEAKY_SLOPE = 0.01  # slope of leaky ReLU for negative inputs


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), stable for any |x|.

    Input: x, array of any shape. Output: same shape, values in [0, 1].
    """
    raise NotImplementedError(
        "TODO: return 1 / (1 + exp(-x)); avoid overflow for large negative x "
        "(np.exp(-x) overflows at x < -709): e.g. use exp(-|x|) and np.where")


def derivative_sigmoid(y):
    """Derivative of sigmoid from its output: y * (1 - y). Same shape as y."""
    raise NotImplementedError("TODO: y is sigmoid's OUTPUT; return y * (1 - y)")


def identity(x):
    """f(x) = x. Input: any shape. Output: float copy, same shape."""
    raise NotImplementedError("TODO: return a float copy of x (extra)")


def derivative_identity(y):
    """Derivative of identity: ones, same shape as y."""
    raise NotImplementedError("TODO: return an array of ones shaped like y (extra)")


def tanh(x):
    """Hyperbolic tangent. Input: any shape. Output: same shape, in [-1, 1]."""
    raise NotImplementedError("TODO: return np.tanh(x) (extra)")


def derivative_tanh(y):
    """Derivative of tanh from its output: 1 - y**2. Same shape as y."""
    raise NotImplementedError("TODO: y is tanh's OUTPUT; return 1 - y**2 (extra)")


def relu(x):
    """max(x, 0). Input: any shape. Output: same shape, >= 0."""
    raise NotImplementedError("TODO: return np.maximum(x, 0) (extra)")


def derivative_relu(y):
    """Derivative of ReLU from its output: 1 where y > 0, else 0. Same shape."""
    raise NotImplementedError("TODO: y is relu's OUTPUT; return 1.0 where y > 0, else 0.0 (extra)")


def leaky_relu(x):
    """x for x > 0, 0.01 * x otherwise. Input: any shape. Output: same shape."""
    raise NotImplementedError("TODO: return x where x > 0, else LEAKY_SLOPE * x; see np.where (extra)")


def derivative_leaky_relu(y):
    """Derivative of leaky ReLU from its output: 1 where y > 0, else 0.01.

    The sign of the output is the sign of the input, so y is enough.
    """
    raise NotImplementedError("TODO: y is leaky_relu's OUTPUT; return 1.0 where y > 0, else LEAKY_SLOPE (extra)")
