"""predict (0/1 labels at forward >= 0.5, shape (N, 1)) and accuracy (the fraction of equal labels).

Each is judged against the student's own forward and predict replies, so a wrong forward or
predict costs points in its own item only.
"""

import numpy as np
import pytest

from grader.check.items.support import rng
from grader.lab import spec

pytestmark = pytest.mark.rubric("predict")
SIZES = (2, 4, 4, 1)


def _probe(lab, rubric, salt, zero=False):
    """x, y and the replies of forward/predict/accuracy for a net holding seeded (or zero) parameters."""
    weights = spec.init_params(SIZES, rng(rubric, salt))
    if zero:  # every output is sigmoid(0) = 0.5 exactly: the threshold itself
        weights = {k: np.zeros_like(v) for k, v in weights.items()}
    x = rng(rubric, salt + 1).uniform(-3, 3, (40, 2))
    y = rng(rubric, salt + 2).integers(0, 2, (40, 1))
    return x, y, lab.predict(SIZES, weights, x, y, what="predict(net, x) and accuracy(net, x, y)")


def test_predict_labels_at_threshold_one_half(lab, rubric):
    x, _, reply = _probe(lab, rubric, 900)
    pred = reply["pred"]
    assert pred.shape == (x.shape[0], 1), (
        f"predict(net, x) returned shape {pred.shape}, expected (N, 1) = {(x.shape[0], 1)}"
    )
    assert np.all((pred == 0) | (pred == 1)), "predict(net, x) must return labels 0 and 1, not the network's outputs"
    want = (reply["out"] >= 0.5).astype(float)
    if not np.array_equal(pred, want):
        everything = " (it labels every point 1: is the threshold 0 instead of 0.5?)" if np.all(pred == 1) else ""
        flipped = " (every label is flipped)" if np.array_equal(pred, 1 - want) else ""
        pytest.fail(
            f"predict(net, x) differs from net.forward(x) >= 0.5 on {int(np.sum(pred != want))} of "
            f"{x.shape[0]} points{everything}{flipped}"
        )
    _, _, at_half = _probe(lab, rubric, 900, zero=True)
    half = at_half["out"] == 0.5
    assert np.all(at_half["pred"][half] == 1), (
        "an output of exactly 0.5 is class 1: predict is forward(x) >= 0.5, not > 0.5"
    )


def test_accuracy_is_the_fraction_of_equal_labels(lab, rubric, params):
    _, y, reply = _probe(lab, rubric, 910)
    acc, pred = reply["accuracy"], reply["pred"]
    assert acc.size == 1, f"accuracy(net, x, y) returned {acc.size} values: it must return one float"
    labels = pred.reshape(y.shape) if pred.size == y.size else (reply["out"] >= 0.5)
    got, want = float(acc.ravel()[0]), float(np.mean(labels == y))
    if want > 0 and abs(got - 100 * want) <= params["tolerance"]:
        pytest.fail(f"accuracy(net, x, y) is {got:g}, a percentage: return the fraction {want:g} in [0, 1]")
    assert abs(got - want) <= params["tolerance"], (
        f"accuracy(net, x, y) is {got:g}, expected the fraction of points where predict(net, x) == y, {want:g}"
    )
    assert reply["accuracy_type"] in ("float", "float64", "float32"), (
        f"accuracy(net, x, y) returned a {reply['accuracy_type']}: return a float, e.g. float(np.mean(...))"
    )
