"""One SGD step: p - lr * g, through Network.update and through optimizers.SGD."""

import numpy as np
import pytest

from grader.lab import spec
from grader.check.items.support import close, describe_ratio, ratio, rng

pytestmark = pytest.mark.rubric("update")
SIZES = (2, 4, 4, 1)
DEFAULT_LR = 0.1  # the contract's default SGD(lr=0.1)


def _params_and_grads(rubric, salt):
    weights = spec.init_params(SIZES, rng(rubric, salt))
    grads = {k: rng(rubric, salt + 1).normal(0, 1, v.shape) for k, v in weights.items()}
    return weights, grads


def _compare(got, weights, grads, lr, tolerance, what):
    for key in weights:
        step = got[key] - weights[key]
        if close(step, -lr * grads[key], tolerance):
            continue
        hint = describe_ratio(ratio(step, -lr * grads[key]), {
            -1.0: "it adds lr * g: subtract the gradient",
            0.0: "the parameters did not change: update them in place or assign net.params",
        })
        if not np.any(step):
            hint = "the parameters did not change: update them in place or assign net.params"
        pytest.fail(f"{what} changed {key} by something other than -lr * g" + (f": {hint}" if hint else ""))


def test_network_update_is_one_sgd_step(lab, rubric, params):
    weights, grads = _params_and_grads(rubric, 600)
    got = lab.update(SIZES, weights, grads, what="net.update(grads)")
    _compare(got, weights, grads, DEFAULT_LR, params["tolerance"], "net.update(grads) with the default SGD(lr=0.1)")


def test_sgd_step(lab, rubric, params):
    weights, grads = _params_and_grads(rubric, 610)
    got = lab.optimizer_steps("SGD", {"lr": params["lr"]}, weights, grads, 1, what="SGD(lr).step(params, grads)")
    _compare(got, weights, grads, params["lr"], params["tolerance"], f"SGD(lr={params['lr']}).step")
