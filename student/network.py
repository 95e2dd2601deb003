"""A fully connected network trained with backpropagation, in NumPy only.

TODO: implement Network.__init__, forward, backward and update.

Layer k (k = 1..L) computes a_k = act(a_{k-1} @ W_k + b_k), output included,
with W_k of shape (sizes[k-1], sizes[k]) and b_k of shape (sizes[k],).
The loss is losses.mse over all elements of the output.
"""
import numpy as np

from . import activations
from .losses import derivative_mse
from .optimizers import SGD


def _activation_pair(name):
    """Look up (f, derivative_f) in activations.py by name, e.g. "sigmoid". Provided."""
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
        """Random weights (scaled normal, from default_rng(seed)), zero biases."""
        raise NotImplementedError(
            "TODO: store self.sizes, the activation pair (_activation_pair(activation)) and "
            "self.optimizer (SGD(lr=0.1) when None); fill self.params with W_k of shape "
            "(sizes[k-1], sizes[k]) drawn from np.random.default_rng(seed), e.g. normal with "
            "std 1/sqrt(sizes[k-1]), and b_k of shape (sizes[k],), e.g. zeros, for k = 1..L")

    def forward(self, x):
        """Run the network on a batch.

        Input: x (N, sizes[0]). Output: (N, sizes[-1]), the last layer's activation.
        """
        raise NotImplementedError(
            "TODO: a = x; for k = 1..L: a = act(a @ self.params['Wk'] + self.params['bk']) "
            "(output layer included); keep every a for backward; return the last one")

    def backward(self, y):
        """Gradients of mse(forward(x), y) for the x of the last forward.

        Input: y (N, sizes[-1]) targets. Output: dict with the keys and shapes
        of params. Fresh arrays every call: nothing accumulates.
        """
        raise NotImplementedError(
            "TODO: delta = derivative_mse(a_L, y) * act'(a_L) (act' takes the OUTPUT); "
            "for k = L..1: dW_k = a_{k-1}.T @ delta, db_k = delta summed over the batch "
            "(axis 0), then delta = (delta @ W_k.T) * act'(a_{k-1}); return a new dict")

    def update(self, grads):
        """Apply one optimizer step to self.params, in place. grads: like params."""
        raise NotImplementedError("TODO: call self.optimizer.step(self.params, grads)")
