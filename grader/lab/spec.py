"""The trusted math of the submission contract: activations, forward, MSE, backward, mistake variants.

An independent computation of what a submission must return: it never imports
reference/ or student/. Everything is float64. Shapes: x (N, sizes[0]),
y (N, sizes[-1]), W_k (sizes[k-1], sizes[k]), b_k (sizes[k],).
"""

from __future__ import annotations

import numpy as np

from grader.contract import ACTIVATIONS, LEAKY_SLOPE

# The gradients a student with a typical mistake computes; "correct" is the true gradient.
MISTAKE_VARIANTS = (
    "correct",
    "no_derivative",  # act' missing in every layer
    "no_output_derivative",  # act' missing only at the output layer
    "derivative_of_preactivation",  # derivative_<act>(z) instead of derivative_<act>(a)
    "bias_not_summed",  # db = delta[0], the first sample only
    "bias_mean",  # db = delta.mean(axis=0) instead of the sum
)


def sigmoid(x):
    """1 / (1 + exp(-x)) without overflow for any finite x."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(under="ignore"):  # exp(-1e4) underflowing to 0 is the right answer
        e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def activation(name, x):
    """The activation `name` applied elementwise to x (float64, same shape)."""
    x = np.asarray(x, dtype=np.float64)
    if name == "sigmoid":
        return sigmoid(x)
    if name == "identity":
        return x.copy()
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, x, LEAKY_SLOPE * x)
    raise ValueError(f"unknown activation {name!r}; expected one of {ACTIVATIONS}")


def activation_derivative(name, y):
    """d act / d z written in terms of the activation's OUTPUT y (lab convention)."""
    y = np.asarray(y, dtype=np.float64)
    if name == "sigmoid":
        return y * (1.0 - y)
    if name == "identity":
        return np.ones_like(y)
    if name == "tanh":
        return 1.0 - y * y
    if name == "relu":
        return (y > 0).astype(np.float64)
    if name == "leaky_relu":
        # sign(y) == sign(z) for a leaky ReLU, so the output is enough
        return np.where(y > 0, 1.0, LEAKY_SLOPE)
    raise ValueError(f"unknown activation {name!r}; expected one of {ACTIVATIONS}")


def param_shapes(sizes):
    """{"W1": (s0, s1), "b1": (s1,), ...} in layer order."""
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must hold at least two positive ints, got {sizes}")
    shapes = {}
    for k in range(1, len(sizes)):
        shapes[f"W{k}"] = (sizes[k - 1], sizes[k])
        shapes[f"b{k}"] = (sizes[k],)
    return shapes


def init_params(sizes, rng=None):
    """Random parameters for probes; biases are non-zero so a bias mistake shows."""
    rng = np.random.default_rng(rng)
    params = {}
    for key, shape in param_shapes(sizes).items():
        if key.startswith("W"):
            params[key] = rng.standard_normal(shape) / np.sqrt(shape[0])  # keeps sigmoids unsaturated
        else:
            params[key] = rng.uniform(0.1, 1.0, shape) * rng.choice([-1.0, 1.0], shape)
    return params


def n_layers(params):
    """Number of layers L of a params dict with W1..WL, b1..bL."""
    return sum(1 for k in params if k.startswith("W"))


def sizes_of(params):
    """Layer sizes (s0, s1, ..., sL) read from the weight shapes."""
    L = n_layers(params)
    return (params["W1"].shape[0],) + tuple(params[f"W{k}"].shape[1] for k in range(1, L + 1))


def _layers(params, x, activation_name):
    """Forward pass keeping every pre-activation z_k and output a_k (a_0 = x)."""
    a = [np.asarray(x, dtype=np.float64)]
    z = [None]  # z[k] belongs to layer k; index 0 unused
    for k in range(1, n_layers(params) + 1):
        W = np.asarray(params[f"W{k}"], dtype=np.float64)
        b = np.asarray(params[f"b{k}"], dtype=np.float64)
        z.append(a[-1] @ W + b)
        a.append(activation(activation_name, z[-1]))
    return z, a


def forward(params, x, activation="sigmoid"):
    """(N, sizes[-1]) output: a = act(a @ W_k + b_k) on every layer, output included."""
    return _layers(params, x, activation)[1][-1]


def _pair(pred, target):
    """pred and target as float64 arrays of one shape; broadcasting (N, 1) with (N,) is refused."""
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if pred.shape != target.shape:
        raise ValueError(f"pred has shape {pred.shape} but target has shape {target.shape}")
    return pred, target


def mse(pred, target):
    """mean((pred - target) ** 2) over all elements."""
    pred, target = _pair(pred, target)
    return float(np.mean((pred - target) ** 2))


def derivative_mse(pred, target):
    """d mse / d pred = 2 * (pred - target) / pred.size, shape of pred."""
    pred, target = _pair(pred, target)
    return 2.0 * (pred - target) / pred.size


def _local_derivative(name, z, a, layer, L, variant):
    """The factor d a / d z a student with `variant` multiplies by at `layer`."""
    if variant == "no_derivative" or (variant == "no_output_derivative" and layer == L):
        return 1.0
    if variant == "derivative_of_preactivation":
        return activation_derivative(name, z)  # e.g. z * (1 - z) for sigmoid
    return activation_derivative(name, a)


def _bias_gradient(delta, variant):
    """(k,) bias gradient from the (N, k) delta, as the variant computes it."""
    if variant == "bias_not_summed":
        return delta[0].copy()
    if variant == "bias_mean":
        return delta.mean(axis=0)
    return delta.sum(axis=0)


def backward(params, x, y, activation="sigmoid", variant="correct"):
    """Gradients of mse(forward(params, x), y), or the ones a student with `variant` computes."""
    if variant not in MISTAKE_VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {MISTAKE_VARIANTS}")
    z, a = _layers(params, x, activation)
    L = n_layers(params)
    grads = {}
    grad_a = derivative_mse(a[L], y)  # (N, sizes[-1])
    for k in range(L, 0, -1):
        delta = grad_a * _local_derivative(activation, z[k], a[k], k, L, variant)  # (N, s_k)
        grads[f"W{k}"] = a[k - 1].T @ delta  # (s_{k-1}, s_k)
        grads[f"b{k}"] = _bias_gradient(delta, variant)  # (s_k,)
        grad_a = delta @ np.asarray(params[f"W{k}"], dtype=np.float64).T  # (N, s_{k-1})
    return {key: grads[key] for key in param_shapes(sizes_of(params))}  # W1, b1, ... order
