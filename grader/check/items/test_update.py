"""One SGD step, p - lr * g: through Network.update (default and given optimizer) and optimizers.SGD.

Gradients are always sent in the reverse of the parameters' key order: optimizers pair by key.
"""

import numpy as np
import pytest

from grader.check.items.support import close, describe_ratio, ratio, rng
from grader.lab import spec
from grader.sandbox import ProbeError, SubmissionError

pytestmark = pytest.mark.rubric("update")
SIZES = (2, 4, 4, 1)
DEFAULT_LR = 0.1  # the contract's default SGD(lr=0.1)


def _params_and_grads(rubric, salt):
    """Parameters, and gradients of the same keys in the reverse order."""
    weights = spec.init_params(SIZES, rng(rubric, salt))
    grads = {k: rng(rubric, salt + 1).normal(0, 1, v.shape) for k, v in reversed(weights.items())}
    return weights, grads


IGNORES_OPTIMIZER = (
    "the Network ignores the optimizer it is given; keep optimizer=... in self.optimizer and call its step in update"
)
IGNORES_LR = "SGD.step must step with the lr it was constructed with (self.lr), not a constant"


def _problem(got, weights, grads, lr, tolerance, what, why_default=IGNORES_OPTIMIZER):
    """Why `got` is not one step p - lr * g, or ''."""
    for key in weights:
        step = got[key] - weights[key]
        if close(step, -lr * grads[key], tolerance):
            continue
        if not np.any(step):
            hint = "the parameters did not change: update them in place or assign net.params"
        elif lr != DEFAULT_LR and np.isclose(float(ratio(step, -lr * grads[key]) or 0.0), DEFAULT_LR / lr):
            hint = f"it stepped with lr = {DEFAULT_LR:g}: {why_default}"
        else:
            hint = describe_ratio(ratio(step, -lr * grads[key]), {-1.0: "it adds lr * g: subtract the gradient"})
        return f"{what} changed {key} by something other than -lr * g" + (f": {hint}" if hint else "")
    return ""


def _check(call, weights, grads, lr, tolerance, what, why_default=IGNORES_OPTIMIZER):
    """call(grads) -> params after one step; fails with the reason, naming pairing by position."""
    error = None
    try:
        problem = _problem(call(grads), weights, grads, lr, tolerance, what, why_default)
    except SubmissionError as exc:
        error, problem = exc, exc.reason
    if not problem:
        return
    try:  # the same gradients in the parameters' own key order
        in_order = not _problem(call({k: grads[k] for k in weights}), weights, grads, lr, tolerance, what)
    except ProbeError:
        in_order = False
    if in_order:
        pytest.fail(
            f"{what} is right only when the gradients come in the parameters' key order: it pairs "
            "gradients with parameters by position; look each one up by name, grads[name]"
        )
    if error is not None:
        raise error
    pytest.fail(problem)


def test_network_update_is_one_sgd_step(lab, rubric, params):
    weights, grads = _params_and_grads(rubric, 600)
    _check(
        lambda g: lab.update(SIZES, weights, g, what="net.update(grads)"),
        weights,
        grads,
        DEFAULT_LR,
        params["tolerance"],
        "net.update(grads) with the default SGD(lr=0.1)",
    )


def test_sgd_step(lab, rubric, params):
    weights, grads = _params_and_grads(rubric, 610)
    lr = params["lr"]
    _check(
        lambda g: lab.optimizer_steps("SGD", {"lr": lr}, weights, g, 1, what="SGD(lr).step(params, grads)"),
        weights,
        grads,
        lr,
        params["tolerance"],
        f"SGD(lr={lr:g}).step",
        IGNORES_LR,
    )


def test_network_uses_the_optimizer_it_is_given(lab, rubric, params):
    weights, grads = _params_and_grads(rubric, 620)
    lr = params["lr"]
    what = f"Network(optimizer=SGD(lr={lr:g})).update(grads)"
    why = IGNORES_OPTIMIZER
    try:  # a constant step may be SGD's own fault: then the Network is not to blame
        alone = lab.optimizer_steps("SGD", {"lr": lr}, weights, grads, 1, what=f"SGD(lr={lr:g}).step")
        if lr != DEFAULT_LR and all(
            close(alone[k] - weights[k], -DEFAULT_LR * grads[k], params["tolerance"]) for k in weights
        ):
            why = f"SGD(lr={lr:g}).step itself ignores its lr ({IGNORES_LR})"
    except ProbeError:
        pass
    _check(
        lambda g: lab.update(SIZES, weights, g, what=what, optimizer="SGD", lr=lr),
        weights,
        grads,
        lr,
        params["tolerance"],
        what,
        why,
    )
