"""Mean squared error and its gradient. TODO: implement both functions."""
import numpy as np


def mse(pred, target):
    """Mean of (pred - target)**2 over ALL elements.

    Inputs: pred (N, D), target (N, D). Output: Python float.
    """
    raise NotImplementedError("TODO: return float(np.mean((pred - target) ** 2)): the mean, not the sum, not 1/2")


def derivative_mse(pred, target):
    """Gradient of mse with respect to pred: 2 * (pred - target) / pred.size.

    Inputs: pred (N, D), target (N, D). Output: (N, D), like pred.
    """
    raise NotImplementedError("TODO: return 2 * (pred - target) / pred.size, the exact gradient of mse")
