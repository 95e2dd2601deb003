"""The extras (other activations and optimizers), verified for the report's Extra item."""

import numpy as np
import pytest

from grader.lab import spec
from grader.check.items.support import close, rng
from grader.sandbox import NotAttempted, ProbeError

EXTRA_ACTIVATIONS = ("tanh", "relu", "leaky_relu")


def _try_all(names, check):
    """Run check(name) for each; returns (passed, failed reasons, not attempted)."""
    passed, failed, skipped = [], [], []
    for name in names:
        try:
            problem = check(name)
        except NotAttempted:
            skipped.append(name)
            continue
        except ProbeError as exc:
            problem = exc.reason
        (failed.append(f"{name}: {problem}") if problem else passed.append(name))
    return passed, failed, skipped


def _finish(grade, names, passed, failed, skipped, kind):
    grade.data.update(verified=passed, wrong=[f.split(":")[0] for f in failed], not_attempted=skipped)
    if len(skipped) == len(names):
        raise NotAttempted(f"no extra {kind} attempted (optional)")
    grade.partial(len(passed) / len(names), "")
    assert not failed and not skipped, "; ".join(failed + ([f"not attempted: {', '.join(skipped)}"] if skipped else []))


@pytest.mark.rubric("extra_activations")
def test_extra_activations(lab, rubric, params, grade):
    x = rng(rubric, 700).normal(0, 3, (5, 4))

    def check(name):
        got = lab.call("activations", name, x, what=f"{name}(x)")
        if not close(got, spec.activation(name, x), params["tolerance"]):
            return f"{name}(x) differs from the definition"
        y = spec.activation(name, x)
        derivative = lab.call("activations", f"derivative_{name}", y, what=f"derivative_{name}(y)")
        if not close(derivative, spec.activation_derivative(name, y), params["tolerance"]):
            return f"derivative_{name}(y) is wrong (it receives the activation's OUTPUT y)"
        return ""

    _finish(grade, EXTRA_ACTIVATIONS, *_try_all(EXTRA_ACTIVATIONS, check), "activations")


def _expected_steps(name, weights, grads, steps, lr):
    """Independent computation of `steps` optimizer steps with constant gradients."""
    out = {}
    for key, p in weights.items():
        p, g = p.copy(), grads[key]
        v = np.zeros_like(p)
        s = np.zeros_like(p)
        for t in range(1, steps + 1):
            if name == "Momentum":
                v = 0.9 * v - lr * g
                p = p + v
            elif name == "AdaGrad":
                s = s + g * g
                p = p - lr * g / (np.sqrt(s) + 1e-8)
            else:  # Adam
                v = 0.9 * v + 0.1 * g
                s = 0.999 * s + 0.001 * g * g
                p = p - lr * (v / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
        out[key] = p
    return out


@pytest.mark.rubric("extra_optimizers")
def test_extra_optimizers(lab, rubric, params, grade):
    weights = spec.init_params((2, 3, 1), rng(rubric, 710))
    grads = {k: rng(rubric, 711).normal(0, 1, v.shape) for k, v in weights.items()}
    names, lr, steps = ("Momentum", "AdaGrad", "Adam"), 0.05, 3

    def check(name):
        got = lab.optimizer_steps(name, {"lr": lr}, weights, grads, steps, what=f"{name}(lr={lr}).step x{steps}")
        expected = _expected_steps(name, weights, grads, steps, lr)
        bad = [k for k in weights if not close(got[k], expected[k], params["tolerance"])]
        return f"after {steps} steps {', '.join(bad)} differ from the update rule" if bad else ""

    _finish(grade, names, *_try_all(names, check), "optimizers")
