"""Mean squared error and its gradient."""
import numpy as np


def mse(pred, target):
    """Mean of (pred - target)**2 over ALL elements.

    Inputs: pred (N, D), target (N, D). Output: Python float.
    """
    pred = np.asarray(pred, dtype=float)
    diff = pred - np.asarray(target, dtype=float).reshape(pred.shape)
    return float(np.mean(diff * diff))


def derivative_mse(pred, target):
    """Gradient of mse with respect to pred: 2 * (pred - target) / pred.size.

    Inputs: pred (N, D), target (N, D). Output: (N, D), like pred.
    """
    pred = np.asarray(pred, dtype=float)
    diff = pred - np.asarray(target, dtype=float).reshape(pred.shape)
    return 2.0 * diff / pred.size
