"""A fully connected network trained with backpropagation, in NumPy only.

Layer k (k = 1..L) computes a_k = act(a_{k-1} @ W_k + b_k), output included,
with W_k of shape (sizes[k-1], sizes[k]) and b_k of shape (sizes[k],).
The loss is losses.mse over all elements of the output.
"""
import numpy as np

from . import activations
from .losses import derivative_mse
from .optimizers import SGD


def _activation_pair(name):
    """Look up (f, derivative_f) in activations.py by name, e.g. "sigmoid"."""
    f = getattr(activations, name, None) if isinstance(name, str) else None
    df = getattr(activations, "derivative_" + name, None) if f is not None else None
    if not callable(f) or not callable(df):
        raise ValueError(f"unknown activation {name!r}: expected one of "
                         "'sigmoid', 'tanh', 'relu', 'leaky_relu', 'identity'")
    return f, df


class Network:
    """Multilayer perceptron with the same activation on every layer.

    Attributes:
    - sizes: layer widths, e.g. (2, 4, 4, 1): input, two hidden, output
    - params: dict "W1", "b1", ..., "WL", "bL"; W_k (sizes[k-1], sizes[k]),
      b_k (sizes[k],). forward reads it, so assigning it sets the model.
    - optimizer: object with .step(params, grads); SGD(lr=0.1) by default
    """

    def __init__(self, sizes=(2, 4, 4, 1), activation="sigmoid", optimizer=None, seed=0):
        """Random weights drawn from np.random.default_rng(seed); biases of the right shapes."""
        raise NotImplementedError(
            "TODO: keep self.sizes, the activation's (f, derivative) pair from "
            "_activation_pair(activation) and self.optimizer (SGD(lr=0.1) when None); fill "
            'self.params with "W1", "b1", ..., "WL", "bL": W_k of shape (sizes[k-1], sizes[k]) '
            "drawn from np.random.default_rng(seed) (small values that keep the pre-activations "
            "near 1 in size), b_k of shape (sizes[k],).")

    def forward(self, x):
        """Run the network on a batch.

        Input: x (N, sizes[0]). Output: (N, sizes[-1]), the last layer's activation.
        """
        raise NotImplementedError(
            "TODO: run the layers k = 1..L in turn, output layer included, as the module "
            "docstring says, reading self.params; keep what backward will need; return the last "
            "layer's output, shape (N, sizes[-1]).")

    def backward(self, y):
        """Gradients of mse(forward(x), y) for the x of the last forward.

        Input: y (N, sizes[-1]) targets. Output: dict with the keys and shapes
        of params. Fresh arrays every call: nothing accumulates.
        """
        raise NotImplementedError(
            "TODO: derive, with the chain rule from the output layer back to the first, the "
            "gradient of mse(forward(x), y) with respect to every W_k and b_k, for the x of the "
            "last forward call. Return a new dict with the keys and shapes of self.params. The "
            "activation's derivative takes the layer's OUTPUT; each bias is shared by all N rows "
            "of the batch. Check it with `python -m student.gradcheck`.")

    def update(self, grads):
        """Apply one optimizer step to self.params, in place. grads: like params."""
        raise NotImplementedError(
            "TODO: have the network's optimizer update its parameters with grads, in place.")
