"""Mean squared error and its gradient."""
import numpy as np


def mse(pred, target):
    """Mean squared error: the mean over ALL N * D elements (not a sum, no 1/2).

    Inputs: pred (N, D), target (N, D). Output: Python float.
    """
    ### BEGIN SOLUTION
    ### TODO: the mean squared error of pred against target, a MEAN over all N * D elements (not a sum,
    ### not halved), returned as a Python float.
    pred = np.asarray(pred, dtype=float)
    diff = pred - np.asarray(target, dtype=float).reshape(pred.shape)
    return float(np.mean(diff * diff))
    ### END SOLUTION


def derivative_mse(pred, target):
    """Gradient of mse(pred, target) with respect to pred, for the mse above.

    Inputs: pred (N, D), target (N, D). Output: (N, D), like pred.
    """
    ### BEGIN SOLUTION
    ### TODO: the gradient of mse(pred, target) with respect to every element of pred, exactly (the
    ### mse above is a mean over all elements); shape (N, D), like pred.
    pred = np.asarray(pred, dtype=float)
    diff = pred - np.asarray(target, dtype=float).reshape(pred.shape)
    return 2.0 * diff / pred.size
    ### END SOLUTION
