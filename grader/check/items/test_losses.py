"""MSE and its derivative against the spec (a mean over all elements)."""

import numpy as np
import pytest

from grader.check.items.support import close, describe_ratio, ratio, rng
from grader.lab import spec

pytestmark = pytest.mark.rubric("loss")


def _data(rubric, salt, shape):
    generator = rng(rubric, salt)
    return generator.uniform(0, 1, shape), generator.integers(0, 2, shape).astype(float)


@pytest.mark.parametrize("shape", [(9, 1), (5, 3)], ids=["column", "matrix"])
def test_mse_value(lab, rubric, params, shape):
    pred, target = _data(rubric, 10 + shape[1], shape)
    got = lab.call("losses", "mse", pred, target, what=f"mse(pred, target) for shape {shape}")
    assert got.size == 1, f"mse returned {got.size} values: it must return one number (the mean)"
    expected = spec.mse(pred, target)
    n = pred.size
    hint = describe_ratio(
        ratio(got, np.array(expected)),
        {
            float(n): "it is the sum of squared errors: divide by the number of elements (np.mean)",
            0.5: "it has an extra factor 1/2: the lab's MSE is mean((pred - target) ** 2)",
            n / 2: "it is 1/2 the sum of squared errors: use the mean",
            float(pred.shape[1]): "it divides by the number of rows only: average over all elements",
        },
    )
    assert close(got.ravel(), np.array([expected]), params["tolerance"]), (
        f"mse is {float(got.ravel()[0]):.6g}, expected {expected:.6g}" + (f": {hint}" if hint else "")
    )


def test_derivative_mse(lab, rubric, params):
    pred, target = _data(rubric, 13, (8, 1))
    got = lab.call("losses", "derivative_mse", pred, target, what="derivative_mse(pred, target)")
    expected = spec.derivative_mse(pred, target)
    assert got.shape == expected.shape, f"derivative_mse returned shape {got.shape}, expected {expected.shape}"
    hint = describe_ratio(
        ratio(got, expected),
        {
            0.5: "the factor 2 of d/dp (p - t)^2 is missing",
            float(pred.size): "it does not divide by the number of elements",
            -1.0: "the sign is flipped: it is 2 * (pred - target) / n",
        },
    )
    assert close(got, expected, params["tolerance"]), "derivative_mse must return 2 * (pred - target) / pred.size" + (
        f": {hint}" if hint else ""
    )
