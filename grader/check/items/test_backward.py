"""Backward pass against a trusted reference gradient (grader/check/items/gradients.py says which)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.check.items.gradients import (
    case,
    reference,
    resolve_factor,
    student_gradients,
)
from grader.check.items.support import close
from grader.lab import gradcheck
from grader.lab.diagnose import constant_factor, diagnose_gradients, named_factors
from grader.results import Diagnosis
from grader.sandbox import ProbeError


def _float32_note(tolerance, step):
    return Diagnosis(
        "float32",
        f"your network computes in float32: float64 is expected (the contract's arrays are float64); "
        f"backward was checked at a precision suited to float32 (tolerance {tolerance:g}, step {step:g})",
        "keep arrays float64: np.asarray(x, dtype=float), and no .astype(np.float32)",
        "backward",
    )


def _add(grade, diagnosis):
    diagnosis.item = "backward"
    if all(d.code != diagnosis.code for d in grade.diagnoses):
        grade.diagnoses.append(diagnosis)


@pytest.mark.rubric("backward")
def test_gradients_match_the_reference(lab, context, params, grade):
    failures, credit = [], []
    for index, sizes in enumerate(params["sizes"]):
        weights, x, y = case(context, index, sizes, params["batch"])
        student = student_gradients(lab, context, index, sizes, params["batch"])["first"]
        ref = reference(lab, context, index, sizes, params)
        tolerance = params["float32_tolerance"] if ref.float32 else params["tolerance"]
        if ref.float32:
            _add(grade, _float32_note(tolerance, params["float32_step"]))
        if ref.lie:
            _add(
                grade,
                Diagnosis(
                    "forward_lies_when_perturbed",
                    ref.lie,
                    "forward must compute the same function whatever parameters it is given",
                ),
            )
            failures.append(f"sizes {tuple(sizes)}: {ref.lie}")
            credit.append(0.0)
            continue
        errors = {
            k: (
                gradcheck.relative_error(student[k], ref.gradient[k])
                if student[k].shape == ref.gradient[k].shape
                else float("inf")
            )
            for k in weights
        }
        if index == 0:
            grade.data["gradcheck"] = {
                "sizes": list(sizes),
                "tolerance": tolerance,
                "trusted": ref.trusted,
                "relative_errors": {k: min(v, 1e300) for k, v in errors.items()},
            }
        found = diagnose_gradients(student, ref.gradient, params=weights, x=x, y=y, tolerance=tolerance)
        r = constant_factor(student, ref.gradient, tolerance) if found else None
        named = [t for t in named_factors(r, x.shape[0], sizes[-1]) if t[1]] if r is not None else []
        if found and found[0].code == "grad_scale" and len(named) > 1:
            found = [resolve_factor(lab, context, index, sizes, params, r, named, tolerance) or found[0]]
        for diagnosis in found:
            _add(grade, diagnosis)
        fraction = float(np.mean([e < tolerance for e in errors.values()]))
        if found:
            if r is not None and r > 0:  # one constant factor is the only error (e.g. the 1/2 SE convention)
                fraction = max(fraction, params["scale_credit"])
            worst = max(errors, key=errors.__getitem__)
            failures.append(
                f"sizes {tuple(sizes)}: {found[0].message} (worst {worst}, relative error "
                f"{errors[worst]:.2g})" + "".join(f"; {note}" for note in ref.notes)
            )
        credit.append(1.0 if not found else fraction)
    if failures:
        grade.partial(float(np.mean(credit)), "")
        pytest.fail("; ".join(failures))


@pytest.mark.rubric("backward_repeatable")
def test_backward_does_not_accumulate(lab, context, rubric):
    tolerance = rubric.items["backward_repeatable"].params["tolerance"]
    backward = rubric.items["backward"].params
    sizes = backward["sizes"][0]
    grads = student_gradients(lab, context, 0, sizes, backward["batch"])
    try:
        lie = reference(lab, context, 0, sizes, backward).lie
    except ProbeError:
        lie = ""  # forward itself fails: the forward and backward items say so; repeating backward is this one
    assert not lie, f"not credited: {lie}"
    for key in grads["first"]:
        first, second, again = grads["first"][key], grads["second"][key], grads["after_forward"][key]
        assert close(second, first, tolerance), (
            f"calling backward twice gives different {key} gradients: backward must not accumulate "
            "(build new gradient arrays each call, do not add into stored ones)"
        )
        assert close(again, first, tolerance), (
            f"backward after a second forward gives a different {key} gradient: recompute from the last forward"
        )
