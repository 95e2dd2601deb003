"""Backward pass against central finite differences of the student's own forward."""

import numpy as np
import pytest

from grader.lab import gradcheck, spec
from grader.check.items.support import close, rng
from grader.lab.diagnose import diagnose_gradients


def _case(context, index, sizes, batch):
    """Parameters, inputs and targets of one gradient probe (seeded by the rubric)."""
    rubric = context.rubric
    weights = spec.init_params(sizes, rng(rubric, 300 + index))
    x = rng(rubric, 400 + index).uniform(-2, 2, (batch, sizes[0]))
    y = rng(rubric, 500 + index).uniform(0, 1, (batch, sizes[-1]))
    return weights, x, y


def _student_gradients(lab, context, index, sizes, batch):
    """The three backward results of one probe, shared by the checks that need them."""
    key = ("backward", index)
    if key not in context.cache:
        weights, x, y = _case(context, index, sizes, batch)
        try:
            context.cache[key] = lab.backward(sizes, "sigmoid", weights, x, y, what=f"backward with sizes {tuple(sizes)}")
        except Exception as exc:  # noqa: BLE001 - remembered so both checks report it
            context.cache[key] = exc
    result = context.cache[key]
    if isinstance(result, Exception):
        raise result
    return result


def _numerical(lab, weights, x, y, sizes, step):
    """Central differences of spec MSE over the student's forward, in one probe."""
    sets, assemble = gradcheck.perturbations(weights, h=step)
    outputs, _ = lab.forward_many(sizes, "sigmoid", sets, x, what=f"forward (finite differences, sizes {tuple(sizes)})")
    return assemble([spec.mse(out, y) for out in outputs])


@pytest.mark.rubric("backward")
def test_gradients_match_finite_differences(lab, context, params, grade):
    tolerance, failures, credit = params["tolerance"], [], []
    for index, sizes in enumerate(params["sizes"]):
        weights, x, y = _case(context, index, sizes, params["batch"])
        student = _student_gradients(lab, context, index, sizes, params["batch"])["first"]
        numeric = _numerical(lab, weights, x, y, sizes, params["step"])
        errors = {k: (gradcheck.relative_error(student[k], numeric[k]) if student[k].shape == numeric[k].shape
                      else float("inf")) for k in weights}
        if index == 0:
            grade.data["gradcheck"] = {"sizes": list(sizes), "tolerance": tolerance,
                                       "relative_errors": {k: min(v, 1e300) for k, v in errors.items()}}
        credit.append(np.mean([e < tolerance for e in errors.values()]))
        found = diagnose_gradients(student, numeric, params=weights, x=x, y=y, tolerance=tolerance)
        for diagnosis in found:
            diagnosis.item = "backward"
            if all(d.code != diagnosis.code for d in grade.diagnoses):
                grade.diagnoses.append(diagnosis)
        if found:
            worst = max(errors, key=errors.get)
            failures.append(f"sizes {tuple(sizes)}: {found[0].message} (worst {worst}, relative error {errors[worst]:.2g})")
    if failures:
        grade.partial(float(np.mean(credit)), "")
        pytest.fail("; ".join(failures))


@pytest.mark.rubric("backward_repeatable")
def test_backward_does_not_accumulate(lab, context, rubric):
    tolerance = rubric.items["backward_repeatable"].params["tolerance"]
    sizes = rubric.items["backward"].params["sizes"][0]
    batch = rubric.items["backward"].params["batch"]
    grads = _student_gradients(lab, context, 0, sizes, batch)
    for key in grads["first"]:
        first, second, again = grads["first"][key], grads["second"][key], grads["after_forward"][key]
        assert close(second, first, tolerance), (
            f"calling backward twice gives different {key} gradients: backward must not accumulate "
            "(build new gradient arrays each call, do not add into stored ones)"
        )
        assert close(again, first, tolerance), (
            f"backward after a second forward gives a different {key} gradient: recompute from the last forward"
        )
