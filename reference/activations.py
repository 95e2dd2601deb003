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
    ### BEGIN SOLUTION
    ### TODO: the logistic sigmoid of every element of x, as floats of x's shape. It must not overflow
    ### (no warning, no nan) for x far below 0: np.exp of a large positive number does.
    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    ### END SOLUTION


def derivative_sigmoid(y):
    """Derivative of sigmoid, written with its OUTPUT y = sigmoid(x). Same shape as y."""
    ### BEGIN SOLUTION
    ### TODO: the derivative of sigmoid at x, computed from y = sigmoid(x), the OUTPUT (the lab's
    ### convention: your forward pass keeps outputs, not inputs); same shape as y.
    y = np.asarray(y, dtype=float)
    return y * (1.0 - y)
    ### END SOLUTION


def identity(x):
    """f(x) = x. Input: any shape. Output: float copy, same shape."""
    ### BEGIN SOLUTION
    ### TODO (extra): x unchanged, as a new float array of its shape (a copy, never x itself).
    return np.array(x, dtype=float)
    ### END SOLUTION


def derivative_identity(y):
    """Derivative of identity, from its output y. Same shape as y."""
    ### BEGIN SOLUTION
    ### TODO (extra): the derivative of the identity, from its output y; floats, same shape as y.
    return np.ones_like(np.asarray(y, dtype=float))
    ### END SOLUTION


def tanh(x):
    """Hyperbolic tangent. Input: any shape. Output: same shape, in [-1, 1]."""
    ### BEGIN SOLUTION
    ### TODO (extra): the hyperbolic tangent of every element of x, as floats of x's shape.
    return np.tanh(np.asarray(x, dtype=float))
    ### END SOLUTION


def derivative_tanh(y):
    """Derivative of tanh, written with its OUTPUT y = tanh(x). Same shape as y."""
    ### BEGIN SOLUTION
    ### TODO (extra): the derivative of tanh at x, computed from its OUTPUT y = tanh(x); same shape as y.
    y = np.asarray(y, dtype=float)
    return 1.0 - y * y
    ### END SOLUTION


def relu(x):
    """Rectified linear unit. Input: any shape. Output: same shape, >= 0."""
    ### BEGIN SOLUTION
    ### TODO (extra): ReLU of every element of x (negative inputs give 0), as floats of x's shape.
    return np.maximum(np.asarray(x, dtype=float), 0.0)
    ### END SOLUTION


def derivative_relu(y):
    """Derivative of ReLU, written with its OUTPUT y = relu(x). Same shape as y."""
    ### BEGIN SOLUTION
    ### TODO (extra): the derivative of ReLU, from its OUTPUT y, as floats of y's shape; take it as 0
    ### where the output is 0.
    return (np.asarray(y) > 0).astype(float)
    ### END SOLUTION


def leaky_relu(x):
    """Leaky ReLU, slope LEAKY_SLOPE (0.01) below 0. Input: any shape. Output: same shape."""
    ### BEGIN SOLUTION
    ### TODO (extra): leaky ReLU of every element of x, slope LEAKY_SLOPE below 0, as floats of x's shape.
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, LEAKY_SLOPE * x)
    ### END SOLUTION


def derivative_leaky_relu(y):
    """Derivative of leaky ReLU, written with its OUTPUT y = leaky_relu(x). Same shape as y.

    The sign of the output is the sign of the input, so y is enough.
    """
    ### BEGIN SOLUTION
    ### TODO (extra): the derivative of leaky ReLU, from its OUTPUT y, as floats of y's shape; take the
    ### negative side's value where the output is 0.
    return np.where(np.asarray(y) > 0, 1.0, LEAKY_SLOPE)
    ### END SOLUTION
