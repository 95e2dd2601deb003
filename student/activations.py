"""Activation functions and their derivatives.

Lab convention: ``derivative_<name>(y)`` takes the activation's OUTPUT
y = f(x), not its input, because the forward pass keeps the outputs.
All functions are elementwise: any shape in, the same shape out.
sigmoid and derivative_sigmoid are required; the others are bonus extras.
"""
import numpy as np

LEAKY_SLOPE = 0.01  # slope of leaky ReLU for negative inputs


def sigmoid(x):
    """The logistic sigmoid, elementwise, stable for any |x|.

    Input: x, array of any shape. Output: same shape, values in [0, 1].
    """
    raise NotImplementedError(
        "TODO: the logistic sigmoid of every element of x, as floats of x's shape. It must not "
        "overflow (no warning, no nan) for x far below 0: np.exp of a large positive number does.")


def derivative_sigmoid(y):
    """Derivative of sigmoid, written with its OUTPUT y = sigmoid(x). Same shape as y."""
    raise NotImplementedError(
        "TODO: the derivative of sigmoid at x, computed from y = sigmoid(x), the OUTPUT (the "
        "lab's convention: your forward pass keeps outputs, not inputs); same shape as y.")


def identity(x):
    """f(x) = x. Input: any shape. Output: float copy, same shape."""
    raise NotImplementedError(
        "TODO (extra): x unchanged, as a new float array of its shape (a copy, never x itself).")


def derivative_identity(y):
    """Derivative of identity, from its output y. Same shape as y."""
    raise NotImplementedError(
        "TODO (extra): the derivative of the identity, from its output y; floats, same shape as "
        "y.")


def tanh(x):
    """Hyperbolic tangent. Input: any shape. Output: same shape, in [-1, 1]."""
    raise NotImplementedError(
        "TODO (extra): the hyperbolic tangent of every element of x, as floats of x's shape.")


def derivative_tanh(y):
    """Derivative of tanh, written with its OUTPUT y = tanh(x). Same shape as y."""
    raise NotImplementedError(
        "TODO (extra): the derivative of tanh at x, computed from its OUTPUT y = tanh(x); same "
        "shape as y.")


def relu(x):
    """Rectified linear unit. Input: any shape. Output: same shape, >= 0."""
    raise NotImplementedError(
        "TODO (extra): ReLU of every element of x (negative inputs give 0), as floats of x's "
        "shape.")


def derivative_relu(y):
    """Derivative of ReLU, written with its OUTPUT y = relu(x). Same shape as y."""
    raise NotImplementedError(
        "TODO (extra): the derivative of ReLU, from its OUTPUT y, as floats of y's shape; take it"
        " as 0 where the output is 0.")


def leaky_relu(x):
    """Leaky ReLU, slope LEAKY_SLOPE (0.01) below 0. Input: any shape. Output: same shape."""
    raise NotImplementedError(
        "TODO (extra): leaky ReLU of every element of x, slope LEAKY_SLOPE below 0, as floats of "
        "x's shape.")


def derivative_leaky_relu(y):
    """Derivative of leaky ReLU, written with its OUTPUT y = leaky_relu(x). Same shape as y.

    The sign of the output is the sign of the input, so y is enough.
    """
    raise NotImplementedError(
        "TODO (extra): the derivative of leaky ReLU, from its OUTPUT y, as floats of y's shape; "
        "take the negative side's value where the output is 0.")
