"""The backward item's probes and its trusted reference gradient (see test_backward.py).

When the student's forward is the specified one on the probe, the reference is the spec's
gradient and every perturbed-forward reply must still be the spec's (a forward that answers
differently when a parameter is nudged is lying to the finite differences). Otherwise backward is
judged against central differences of the student's own forward, after a random subset of those
replies, asked again in random order in a fresh child, gave the same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.check.items.support import close, rng
from grader.lab import gradcheck, spec
from grader.lab.diagnose import RATIO_TOL, constant_factor, convention_constants
from grader.results import Diagnosis

LOW_PRECISION = ("float32", "float16")
RECHECK_RTOL = 1e-9  # the same forward asked the same question twice answers the same numbers


@dataclass
class Reference:
    """The gradient backward is judged against, and how it was obtained."""

    gradient: dict
    trusted: bool  # True: the spec's gradient (the student's forward is the spec's on the probe)
    float32: bool  # forward or backward replies computed in single precision
    lie: str = ""  # why the forward replies cannot be believed; "" when they can
    notes: list[str] = field(default_factory=list)


def case(context, index, sizes, batch):
    """Parameters, inputs and targets of one gradient probe (seeded by the rubric)."""
    rubric = context.rubric
    weights = spec.init_params(sizes, rng(rubric, 300 + index))
    x = rng(rubric, 400 + index).uniform(-2, 2, (batch, sizes[0]))
    y = rng(rubric, 500 + index).uniform(0, 1, (batch, sizes[-1]))
    return weights, x, y


def student_gradients(lab, context, index, sizes, batch):
    """The three backward results of one probe and their reply dtypes, shared by the checks that need them."""
    key = ("backward", index)
    if key not in context.cache:
        weights, x, y = case(context, index, sizes, batch)
        dtypes: list[str] = []
        try:
            grads = lab.backward(
                sizes, "sigmoid", weights, x, y, what=f"backward with sizes {tuple(sizes)}", dtypes=dtypes
            )
            context.cache[key] = {**grads, "dtypes": dtypes}
        except Exception as exc:  # noqa: BLE001 - remembered so both checks report it
            context.cache[key] = exc
    result = context.cache[key]
    if isinstance(result, Exception):
        raise result
    return result


def reference(lab, context, index, sizes, params) -> Reference:
    """The trusted reference gradient of probe `index` (cached: both checks use probe 0)."""
    key = ("reference", index)
    if key not in context.cache:
        try:
            context.cache[key] = build_reference(lab, context, index, sizes, params)
        except Exception as exc:  # noqa: BLE001 - remembered so both checks report it
            context.cache[key] = exc
    result: Reference | Exception = context.cache[key]
    if isinstance(result, Exception):
        raise result
    return result


def build_reference(lab, context, index, sizes, params) -> Reference:
    weights, x, y = case(context, index, sizes, params["batch"])
    dtypes = list(student_gradients(lab, context, index, sizes, params["batch"])["dtypes"])
    what = f"forward (finite differences, sizes {tuple(sizes)})"
    (base,), _ = lab.forward_many(sizes, "sigmoid", [weights], x, what=what, dtypes=dtypes)
    float32 = any(d in LOW_PRECISION for d in dtypes)
    step = params["float32_step"] if float32 else params["step"]
    tolerance = params["forward_tolerance"]
    sets, assemble = gradcheck.perturbations(weights, h=step)
    outputs, _ = lab.forward_many(sizes, "sigmoid", sets, x, what=what)
    expected = spec.forward(weights, x)
    if close(base, expected, tolerance):
        # Each perturbed reply may differ from the spec's as much as the unperturbed one does (rounding,
        # float32 inside), never by what moving a parameter by `step` changes: 1e-3 * step is far below it.
        noise = float(np.max(np.abs(base - expected) / (1.0 + np.abs(expected))))
        strict = min(tolerance, max(1e-3 * step, 10.0 * noise))
        moved = sum(not close(out, spec.forward(p, x), strict) for p, out in zip(sets, outputs))
        lie = (
            (
                f"forward answers differently when parameters are perturbed: it computes the specified network, "
                f"but {moved} of its {len(sets)} replies with one parameter moved by {step:g} differ from the "
                "specified network's"
            )
            if moved
            else ""
        )
        return Reference(spec.gradient(weights, x, y), True, float32, lie)
    numeric = assemble([spec.mse(out, y) for out in outputs])
    picker = np.random.default_rng([context.secret_seed, 800 + index])  # a subset code cannot anticipate
    pick = picker.choice(len(sets), size=min(params["recheck"], len(sets)), replace=False)
    again = lab.forward_in_fresh_child(
        sizes, "sigmoid", [sets[i] for i in pick], x, what=f"{what}, asked again in a fresh process"
    )
    changed = sum(not close(out, outputs[i], RECHECK_RTOL) for i, out in zip(pick, again))
    lie = (
        (
            f"forward answers differently when parameters are perturbed: {changed} of {len(pick)} of its "
            "finite-difference replies changed when asked again in another order in a fresh process"
        )
        if changed
        else ""
    )
    note = "judged against central differences of your own forward, which differs from the specified network"
    return Reference(numeric, False, float32, lie, [note])


def resolve_factor(lab, context, index, sizes, params, r, named, tolerance) -> Diagnosis | None:
    """A second probe whose sizes give the ambiguous constants different values tells them apart."""
    out, batch = sizes[-1], params["batch"]
    hints = [t[2] for t in named]
    for k, n in ((k, n) for k in range(out + 1, out + 5) for n in (batch, batch + 1, batch + 2)):
        values = {t[2]: t for t in convention_constants(n, k)}
        if all(h in values for h in hints) and len({round(values[h][0], 9) for h in hints}) == len(hints):
            break
    else:
        return None
    sizes2 = list(sizes[:-1]) + [k]
    weights = spec.init_params(sizes2, rng(context.rubric, 330 + index))
    x = rng(context.rubric, 430 + index).uniform(-2, 2, (n, sizes2[0]))
    y = rng(context.rubric, 530 + index).uniform(0, 1, (n, k))
    what = f"backward with sizes {tuple(sizes2)} (to tell the constant factors apart)"
    (base,), _ = lab.forward_many(sizes2, "sigmoid", [weights], x, what=what)
    if not close(base, spec.forward(weights, x), params["forward_tolerance"]):
        return None
    r2 = constant_factor(
        lab.backward(sizes2, "sigmoid", weights, x, y, what=what)["first"], spec.gradient(weights, x, y), tolerance
    )
    if r2 is None:
        return None
    winners = [values[h] for h in hints if abs(abs(r2) / values[h][0] - 1.0) < RATIO_TOL]
    if len(winners) != 1:
        return None
    value, symbol, hint = winners[0]
    first = next(t for t in named if t[2] == hint)
    ruled_out = " or ".join(t[1] for t in named if t[2] != hint and t[1])
    message = (
        f"every gradient is {r:.4g}x the numerical one ({r:.4g} = {first[1]}): with sizes {tuple(sizes2)} "
        f"and a batch of N={n} it is {r2:.4g}x ({value:.4g} = {symbol}), so not {ruled_out}"
    )
    return Diagnosis("grad_scale", message, hint, "backward")
