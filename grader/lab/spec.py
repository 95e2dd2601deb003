"""The trusted math of the submission contract: activations, forward, MSE, gradients and mistake variants.

An independent computation of what a submission must return: it never imports
reference/ or student/. Everything is float64. Shapes: x (N, sizes[0]),
y (N, sizes[-1]), W_k (sizes[k-1], sizes[k]), b_k (sizes[k],).
Gradients come from central differences (frozen_gradient), never from a written-out
backward a submission could copy.
"""

from __future__ import annotations

import numpy as np

from grader.contract import ACTIVATIONS, LEAKY_SLOPE
from grader.lab.gradcheck import numerical_gradient

# The gradients a student with a typical mistake computes; "correct" is the true gradient.
# Each is (local slope per layer, bias rows): see gradient().
MISTAKE_VARIANTS = (
    "correct",
    "no_derivative",  # act' missing in every layer
    "no_output_derivative",  # act' missing only at the output layer
    "derivative_of_preactivation",  # derivative_<act>(z) instead of derivative_<act>(a), every layer
    "derivative_of_preactivation_hidden",  # derivative_<act>(z) in the hidden layers only
    "bias_not_summed",  # the bias gradient of the first sample only
    "bias_mean",  # the bias gradient averaged over the batch instead of summed
)

# What a layer multiplies by as its local slope d a / d z: act'(a) (right), act'(z) (the
# derivative of the pre-activation) or 1 (no derivative).
SLOPES = ("a", "z", "1")
FROZEN_STEP = 1.0  # the frozen forward is quadratic along every coordinate: any step is exact


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


def param_shapes(sizes) -> dict[str, tuple[int, ...]]:
    """{"W1": (s0, s1), "b1": (s1,), ...} in layer order."""
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must hold at least two positive ints, got {sizes}")
    shapes: dict[str, tuple[int, ...]] = {}
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
    z: list[np.ndarray | None] = [None]  # z[k] belongs to layer k; index 0 unused
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


def variant_plan(variant, L):
    """(slope kind per layer 1..L, bias rows kind) of a mistake variant."""
    if variant not in MISTAKE_VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {MISTAKE_VARIANTS}")
    slopes = {
        "no_derivative": ("1",) * L,
        "no_output_derivative": ("a",) * (L - 1) + ("1",),
        "derivative_of_preactivation": ("z",) * L,
        "derivative_of_preactivation_hidden": ("z",) * (L - 1) + ("a",),
    }.get(variant, ("a",) * L)
    rows = {"bias_not_summed": "first", "bias_mean": "mean"}.get(variant, "sum")
    return slopes, rows


def _bias_rows(kind, N):
    """(N,) weight of each sample in a bias gradient: the sum, the first sample only, or the mean."""
    if kind == "first":
        return np.eye(1, N).ravel()
    return np.full(N, 1.0 / N if kind == "mean" else 1.0)


def frozen_gradient(params, x, y, activation="sigmoid", slopes=None, rows="sum"):
    """Central differences of MSE over a forward whose layer slopes are frozen arrays.

    Layer k computes a_k0 + s_k * (z_k - z_k0): the spec forward's value at `params`, with
    local slope s_k = act'(a_k) ("a"), act'(z_k) ("z") or 1 ("1"), and the bias of layer k
    reaching sample n with weight rows[n]. Along every single parameter this forward is
    affine, so the MSE is quadratic and central differences are exact (up to rounding):
    slopes "a" everywhere and rows "sum" give the true gradient, the others the gradient a
    student with that mistake computes. No backward recursion is written down here.
    Returns {key: (shape of params[key])} in params' key order.
    """
    params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    x = np.asarray(x, dtype=np.float64)
    L = n_layers(params)
    slopes = tuple(slopes or ("a",) * L)
    if len(slopes) != L or any(s not in SLOPES for s in slopes):
        raise ValueError(f"slopes must be {L} of {SLOPES}, got {slopes}")
    z0, a0 = _layers(params, x, activation)
    frozen = [None] + [
        activation_derivative(activation, a0[k])
        if kind == "a"
        else activation_derivative(activation, z0[k])
        if kind == "z"
        else np.ones_like(z0[k])
        for k, kind in zip(range(1, L + 1), slopes)
    ]  # (N, s_k) each
    weight = _bias_rows(rows, x.shape[0])[:, None]  # (N, 1)

    def loss(p):
        a = x
        for k in range(1, L + 1):
            b0 = params[f"b{k}"]
            z = a @ p[f"W{k}"] + b0 + weight * (p[f"b{k}"] - b0)
            a = a0[k] + frozen[k] * (z - z0[k])
        return mse(a, y)

    return numerical_gradient(loss, params, h=FROZEN_STEP)


def gradient(params, x, y, activation="sigmoid", variant="correct"):
    """Gradients of mse(forward(params, x), y), or the ones a student with `variant` computes."""
    slopes, rows = variant_plan(variant, n_layers(params))
    return frozen_gradient(params, x, y, activation, slopes, rows)


def conv1d(W, b, x):
    """Valid 1-D cross-correlation, stride 1: out[n, o, t] = b[o] + sum_{c,k} W[o, c, k] * x[n, c, t + k].

    W (O, C, K), b (O,), x (N, C, L) -> (N, O, L - K + 1), float64.
    """
    W, b, x = (np.asarray(a, dtype=np.float64) for a in (W, b, x))
    K, T = W.shape[2], x.shape[2] - W.shape[2] + 1
    out = np.empty((x.shape[0], W.shape[0], T))
    for t in range(T):  # one output position at a time: the definition, read literally
        out[:, :, t] = np.tensordot(x[:, :, t : t + K], W, axes=([1, 2], [1, 2])) + b
    return out


def conv1d_gradients(W, b, x, dout):
    """{"W", "b", "x"}: d sum(conv1d(W, b, x) * dout) / d each, by central differences (exact: it is linear in each)."""
    arrays = {"W": W, "b": b, "x": x}
    dout = np.asarray(dout, dtype=np.float64)
    return numerical_gradient(lambda p: float(np.sum(conv1d(p["W"], p["b"], p["x"]) * dout)), arrays, h=FROZEN_STEP)
