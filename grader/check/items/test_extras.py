"""The extras (other activations, optimizers, the Conv1D layer): bonus items, 'not attempted' costs nothing."""

import numpy as np
import pytest

from grader.check.items.support import close, rng
from grader.check.training import TrainJob, accuracy
from grader.lab import datasets, gradcheck, spec
from grader.sandbox import NotAttempted, ProbeError

EXTRA_ACTIVATIONS = ("tanh", "relu", "leaky_relu")


def _try_all(names, check) -> tuple[list[str], list[str], list[str]]:
    """Run check(name) for each; returns (passed, failed reasons, not attempted)."""
    passed: list[str] = []
    failed: list[str] = []
    skipped: list[str] = []
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


def _xor_trains(lab, name, params):
    """'' when train() with Network(optimizer=<name>(lr)) reaches 100% on the XOR set, else why not."""
    x, y = datasets.xor_easy()
    key = name.lower()
    job = TrainJob(
        dataset="xor",
        seed=0,
        hidden=tuple(params["xor_hidden"]),
        activation="sigmoid",
        optimizer=key,
        lr=params["xor_lr"][key],
        epochs=params["xor_epochs"],
        x=x,
        y=y,
    )
    run = lab.train_chunks(job, [job.epochs])
    acc = accuracy(run["snapshots"][-1], x, y, "sigmoid")
    return (
        ""
        if acc >= 1.0
        else (
            f"trained on XOR ({job.epochs} epochs, lr {job.lr:g}, hidden {job.hidden}) it "
            f"classifies {acc:.1%} of the points correctly, 100% expected"
        )
    )


@pytest.mark.rubric("extra_optimizers")
def test_extra_optimizers(lab, rubric, params, grade):
    weights = spec.init_params((2, 3, 1), rng(rubric, 710))
    grads = {k: rng(rubric, 711).normal(0, 1, v.shape) for k, v in reversed(weights.items())}
    names, lr, steps = ("Momentum", "AdaGrad", "Adam"), 0.05, 3

    def check(name):
        got = lab.optimizer_steps(name, {"lr": lr}, weights, grads, steps, what=f"{name}(lr={lr}).step x{steps}")
        expected = _expected_steps(name, weights, grads, steps, lr)
        bad = [k for k in weights if not close(got[k], expected[k], params["tolerance"])]
        if bad:
            return f"after {steps} steps {', '.join(bad)} differ from the update rule"
        return _xor_trains(lab, name, params)

    _finish(grade, names, *_try_all(names, check), "optimizers")


@pytest.mark.rubric("extra_conv")
def test_extra_conv(lab, rubric, params, grade):
    """Conv1D(2, 3, 3): parameter shapes, forward against the definition, dx, dW, db against differences."""
    g = rng(rubric, 720)
    W, b = g.normal(0, 1, (3, 2, 3)), g.normal(0, 1, 3)
    x, dout = g.normal(0, 1, (2, 2, 8)), g.normal(0, 1, (2, 3, 6))
    reply = lab.conv(W, b, x, dout, what="Conv1D(in_channels=2, out_channels=3, kernel_size=3)")
    shapes = {"W": (3, 2, 3), "b": (3,)}
    expected = gradcheck.relative_errors(
        {"dx": reply["dx"], "W": reply["W"], "b": reply["b"]},
        {("dx" if k == "x" else k): v for k, v in spec.conv1d_gradients(W, b, x, dout).items()},
    )
    problems = []
    if reply["shapes"] != shapes:
        problems.append(f"Conv1D(2, 3, 3).params has shapes {reply['shapes']}, expected {shapes}")
    forward_error = gradcheck.relative_error(reply["out"], spec.conv1d(W, b, x))
    if not forward_error < params["tolerance"]:
        problems.append(
            f"forward differs from the valid cross-correlation out[n, o, t] = b[o] + "
            f"sum_c,k W[o, c, k] * x[n, c, t + k] (relative error {forward_error:.2g})"
        )
    for key, error in expected.items():
        if not error < params["tolerance"]:
            problems.append(
                f"backward's {'dx' if key == 'dx' else 'd' + key} differs from central differences "
                f"(relative error {error:.2g})"
            )
    grade.data.update(forward_error=forward_error, gradient_errors=expected)
    grade.partial(1 - len(problems) / 5, "")
    assert not problems, "; ".join(problems)
