"""Turn a failed gradient comparison into Diagnosis objects a student can act on.

`student` are the gradients the student's backward returned; `numeric` are central
differences of the student's own forward with the parent's MSE. A parameter passes
when its shape is right and its relative error is below `tolerance`. Otherwise the
rules below run in order, most specific first, and the first that explains the
failure wins; grad_mismatch is the fallback.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from grader.contract import ACTIVATIONS
from grader.lab import spec
from grader.lab.gradcheck import relative_error
from grader.results import Diagnosis

MATCH_TOL = 1e-4  # student "matches" a hypothesis: every parameter within this relative error
RATIO_TOL = 1e-3  # a fitted ratio "is" a named constant within this relative distance

FD_HINT = (
    "check your backward against central differences locally: perturb one parameter by "
    "+-1e-5, (loss(p + h) - loss(p - h)) / 2h, and compare (grader.lab.gradcheck.numerical_gradient)"
)


@dataclass
class _Case:
    """Everything a rule looks at; spec variants are computed on demand and cached."""

    student: dict
    numeric: dict
    params: dict
    x: np.ndarray
    y: np.ndarray
    activation: str
    tolerance: float
    errors: dict = field(default_factory=dict)  # key -> relative error, inf for a wrong shape
    _variants: dict = field(default_factory=dict)

    @property
    def keys(self):
        return list(self.params)

    @property
    def N(self):
        return self.x.shape[0]

    @property
    def out(self):
        return self.params[f"W{spec.n_layers(self.params)}"].shape[1]

    def failing(self):
        return [k for k in self.keys if not self.errors[k] < self.tolerance]  # nan fails too

    def shape_ok(self, key):
        return key in self.student and self.student[key].shape == self.params[key].shape

    def variant(self, name):
        if name not in self._variants:
            self._variants[name] = spec.gradient(self.params, self.x, self.y, self.activation, name)
        return self._variants[name]

    def slopes(self, kinds):
        """The gradients of a backward whose layer k multiplies by slope kinds[k-1] ("a", "z" or "1")."""
        key = ("slopes",) + tuple(kinds)
        if key not in self._variants:
            self._variants[key] = spec.frozen_gradient(self.params, self.x, self.y, self.activation, kinds)
        return self._variants[key]

    def matches(self, grads, keys=None):
        return all(relative_error(self.student[k], grads[k]) < MATCH_TOL for k in keys or self.keys)


def _names(keys):
    return ", ".join(keys)


def _diag(code, message, hint):
    return Diagnosis(code=code, message=message, hint=hint)


def _shape_rule(c):
    """Missing gradients, transposed weights, unsummed or keepdims biases: wrong shapes."""
    found: dict[str, tuple[list[str], str]] = {}  # code -> (messages, hint), merged so each code is reported once
    for k in c.keys:
        if c.shape_ok(k):
            continue
        want = c.params[k].shape
        if k not in c.student:
            code, msg = "grad_shape", f"backward returned no gradient for {k}"
            hint = f"return a dict with the keys of net.params: {_names(c.keys)}"
        else:
            got = c.student[k].shape
            code, msg, hint = _wrong_shape(c, k, got, want)
        found.setdefault(code, ([], hint))[0].append(msg)
    return [_diag(code, "; ".join(msgs), hint) for code, (msgs, hint) in found.items()]


def _wrong_shape(c, k, got, want):
    """(code, message, hint) for gradient k of shape `got` where `want` was expected."""
    if k.startswith("W") and got == want[::-1]:
        same = relative_error(c.student[k].T, c.numeric[k]) < MATCH_TOL
        extra = "; transposed it equals the numerical gradient" if same else ""
        return (
            "grad_transposed",
            f"d{k} has shape {got}, expected {want}{extra}",
            "compute x.T @ delta (inputs of the layer, transposed, times delta), not delta.T @ x",
        )
    if k.startswith("b") and got == (c.N,) + want:
        return (
            "grad_bias_not_summed",
            f"d{k} has shape {got} = (N, k): one row per sample, the batch is not summed",
            "sum delta over the batch axis: db = delta.sum(axis=0)",
        )
    if int(np.prod(got)) == int(np.prod(want)):
        return (
            "grad_shape",
            f"d{k} has shape {got}, expected {want}",
            "return gradients with exactly the shapes of the parameters, e.g. "
            "delta.sum(axis=0) without keepdims=True for a bias",
        )
    return (
        "grad_shape",
        f"d{k} has shape {got}, expected {want}",
        "the gradient of a parameter has the parameter's shape",
    )


def _transposed_rule(c):
    """A square weight gradient that equals the transposed numerical one."""
    keys = [
        k
        for k in c.failing()
        if k.startswith("W")
        and c.params[k].shape[0] == c.params[k].shape[1]
        and relative_error(c.student[k].T, c.numeric[k]) < MATCH_TOL
    ]
    if not keys:
        return []
    return [
        _diag(
            "grad_transposed",
            f"d{_names(keys)} equals the transpose of the numerical gradient",
            "compute x.T @ delta (inputs of the layer, transposed, times delta), not delta.T @ x",
        )
    ]


def _bias_rule(c):
    """Weights right, biases computed from the first sample only or averaged over the batch."""
    bad = c.failing()
    if not bad or any(k.startswith("W") for k in bad):
        return []
    biases = [k for k in c.keys if k.startswith("b")]
    for variant, what in (
        ("bias_not_summed", "the first sample's delta only"),
        ("bias_mean", f"the mean over the batch (1/N = 1/{c.N} of the sum)"),
    ):
        if c.matches(c.variant(variant), biases):
            return [
                _diag(
                    "grad_bias_not_summed",
                    f"bias gradients {_names(bad)} are {what}; the weights are right",
                    "sum delta over the batch axis: db = delta.sum(axis=0)",
                )
            ]
    return []


def _zero_rule(c):
    """Gradients that are all zero where the numerical ones are not."""
    zero = [k for k in c.failing() if not np.any(c.student[k]) and np.any(c.numeric[k])]
    if not zero:
        return []
    if len(zero) == len(c.keys) or all(not np.any(c.student[k]) for k in c.keys):
        return [
            _diag(
                "grad_zero",
                "every gradient is zero while the numerical ones are not",
                "backward must return the computed gradients, not the np.zeros_like placeholders",
            )
        ]
    if all(k.startswith("b") for k in zero):
        hint = "compute the bias gradients too: db = delta.sum(axis=0)"
    else:
        hint = "propagate delta back through every layer: delta = (delta_next @ W_next.T) * derivative(a)"
    return [_diag("grad_zero", f"the gradients of {_names(zero)} are all zero while the numerical ones are not", hint)]


def _fit_ratio(s, n):
    """(r, residual) of the least-squares fit s ~ r * n; residual relative to ||s||."""
    nn = float(n @ n)
    if nn == 0.0:
        return None, np.inf
    r = float(s @ n) / nn
    return r, float(np.linalg.norm(s - r * n) / max(np.linalg.norm(s), 1e-300))


def convention_constants(N, out):
    """(value, symbol, hint) of the constant factors a loss-convention mistake produces."""
    M = N * out  # elements of the prediction: what the mean divides by
    sym = "N" if out == 1 else "N*k"
    ratios = [
        (0.5, "", "did you drop the factor 2 of d/dp (p-t)^2, or use 1/2 of the mean?"),
        (2.0, "", "the factor 2 of d/dp (p-t)^2 is counted twice: derivative_mse already has it"),
        (M, sym, "did you use the sum of squared errors instead of the mean? MSE divides by the number of elements"),
        (M / 2, f"{sym}/2", "did you use 1/2 sum instead of the mean?"),
        (1 / M, f"1/{sym}", "did you divide by N twice (in derivative_mse and again in backward)?"),
    ]
    if out > 1:  # mean over the batch only, or over the outputs only
        ratios += [
            (out, "k, the output size", "divide by pred.size = N*k, not by the batch size N"),
            (N, "N, the batch size", "divide by pred.size = N*k, not by the output size k"),
        ]
    return ratios


def _global_ratio(c):
    """The factor r with student ~ r * numeric over all parameters at once, or None."""
    # a factor explains the failure only if rescaling by it would pass, and it is not 1
    return constant_factor(c.student, c.numeric, c.tolerance)


def constant_factor(student, reference, tolerance):
    """The factor r != 1 with student ~ r * reference over every parameter at once, or None."""
    keys = list(reference)
    if any(np.shape(student.get(k)) != np.shape(reference[k]) for k in keys):
        return None
    s = np.concatenate([np.asarray(student[k], dtype=np.float64).ravel() for k in keys])
    n = np.concatenate([np.asarray(reference[k], dtype=np.float64).ravel() for k in keys])
    r, residual = _fit_ratio(s, n)
    if r is None or residual >= tolerance or abs(r - 1.0) < RATIO_TOL:
        return None
    return r


def named_factors(r, N, out):
    """[(value, symbol, hint)] of the loss-convention constants equal to |r| for batch N and k = out outputs."""
    return [t for t in convention_constants(N, out) if abs(abs(r) / t[0] - 1.0) < RATIO_TOL]


def _named_ratio_rule(c):
    """One constant factor, -1 or a loss-convention constant, between student and numerical gradients."""
    r = _global_ratio(c)
    if r is None:
        return []
    if abs(r + 1.0) < RATIO_TOL:
        return [
            _diag(
                "grad_sign_flipped",
                "every gradient is -1x the numerical one (the sign is flipped)",
                "you return the gradient of -loss; update subtracts lr*g so backward must return +dL/dp",
            )
        ]
    named = named_factors(r, c.N, c.out)
    if not named:
        return []
    value = f"{named[0][0]:.4g}"
    symbols = " or ".join(t[1] for t in named if t[1])
    message = f"every gradient is {'' if r > 0 else '-'}{value}x the numerical one"
    message += f" ({value} = {symbols})" if symbols else ""
    message += "" if r > 0 else ": the sign is flipped too"
    return [_diag("grad_scale", message, " Or: ".join(t[2] for t in named))]


def _constant_ratio_rule(c):
    """Any other constant factor: weaker evidence than an exact mistake variant, so it runs after them."""
    r = _global_ratio(c)
    if r is None:
        return []
    return [
        _diag(
            "grad_scale",
            f"every gradient is {r:.4g}x the numerical one",
            f"a constant factor {r:.4g}: check the loss convention, mse = mean((p - t)**2) over "
            "all elements and derivative_mse = 2 * (p - t) / p.size",
        )
    ]


def _variant_rule(c):
    """The student's gradients equal a spec mistake variant that differs from the correct ones."""
    act, L = c.activation, spec.n_layers(c.params)
    table = [
        (
            "no_derivative",
            "grad_missing_sigmoid_derivative",
            f"the gradients match a backward pass without derivative_{act}: missing in every layer",
            f"multiply by derivative_{act}(a) at every layer: delta = grad_a * derivative_{act}(a)",
        ),
        (
            "no_output_derivative",
            "grad_missing_output_derivative",
            f"the gradients match a backward pass that skips derivative_{act} at the output layer {L}",
            f"the output layer has an activation too: delta_{L} = derivative_mse(p, y) * derivative_{act}(p)",
        ),
        (
            "derivative_of_preactivation",
            "grad_derivative_of_preactivation",
            f"the gradients match derivative_{act} applied to the pre-activation z instead of the output a",
            f"derivative_{act} takes the {act}'s OUTPUT: pass a = {act}(z), not z",
        ),
    ]
    correct = c.variant("correct")
    for variant, code, message, hint in table:
        grads = c.variant(variant)
        if all(relative_error(grads[k], correct[k]) < MATCH_TOL for k in c.keys):
            continue  # same as the correct gradient for this activation (e.g. identity): explains nothing
        if c.matches(grads):
            return [_diag(code, message, hint)]
    return _layer_slopes_rule(c, correct)


def _layers_text(layers, L):
    """'layer 1', 'layers 1, 2 (the hidden layers)' or 'layer 3 (the output layer)'."""
    text = ("layer " if len(layers) == 1 else "layers ") + ", ".join(str(k) for k in layers)
    if list(layers) == list(range(1, L)):
        text += " (the hidden layers)"
    elif list(layers) == [L]:
        text += " (the output layer)"
    return text


def _layer_slopes_rule(c, correct):
    """derivative_<act> of the pre-activation, or no derivative, in some layers only."""
    act, L = c.activation, spec.n_layers(c.params)
    for kinds in itertools.product(spec.SLOPES, repeat=L):
        if set(kinds) == {"a"}:
            continue
        grads = c.slopes(kinds)
        if all(relative_error(grads[k], correct[k]) < MATCH_TOL for k in c.keys) or not c.matches(grads):
            continue
        pre = [k for k, kind in enumerate(kinds, 1) if kind == "z"]
        none = [k for k, kind in enumerate(kinds, 1) if kind == "1"]
        parts = []
        if pre:
            parts.append(
                f"derivative_{act} applied to the pre-activation z instead of the output a in {_layers_text(pre, L)}"
            )
        if none:
            parts.append(f"no derivative_{act} in {_layers_text(none, L)}")
        right = [k for k, kind in enumerate(kinds, 1) if kind == "a"]
        message = "the gradients match a backward pass with " + " and ".join(parts)
        message += f"; {_layers_text(right, L)} {'is' if len(right) == 1 else 'are'} right" if right else ""
        code = "grad_derivative_of_preactivation" if pre else "grad_missing_sigmoid_derivative"
        hint = (
            f"every layer multiplies by derivative_{act}(a_k) of its OWN output a_k = {act}(z_k): "
            f"pass a_k, not z_k, in every layer"
        )
        return [_diag(code, message, hint)]
    return []


def _forward_differs(c):
    """Keys where the numerical gradient of the student's forward is not the spec gradient."""
    correct = c.variant("correct")
    return [k for k in c.keys if not relative_error(c.numeric[k], correct[k]) < MATCH_TOL]


def _forward_rule(c):
    """Backward right for the specified network, but the student's forward is another function."""
    if not _forward_differs(c) or not c.matches(c.variant("correct")):
        return []
    return [
        _diag(
            "grad_forward_inconsistent",
            "your backward returns the gradients of the specified network, but your forward computes "
            "another function, so they are not the gradients of your forward",
            "fix forward: a = act(a @ W_k + b_k) on every layer, output layer included",
        )
    ]


def _mismatch(c):
    """Fallback: per-parameter relative errors, the worst first, with whatever else is known."""
    bad = sorted(c.failing(), key=lambda k: -c.errors[k])
    parts = [f"{k} rel. error {c.errors[k]:.2g}" for k in bad]
    notes = []
    for k in (k for k in bad if c.numeric[k].size > 1):  # any one number is a multiple of another
        r, residual = _fit_ratio(c.student[k].ravel(), c.numeric[k].ravel())
        if r is not None and residual < c.tolerance:
            notes.append(f"gradient of {k} is {r:.4g}x the numerical one")
    L = spec.n_layers(c.params)
    if set(bad) <= {f"W{L}", f"b{L}"} and L > 1:
        notes.append(f"only the output layer ({_names(bad)}) is wrong, the earlier layers are right")
    if _forward_differs(c):
        notes.append("the numerical gradient of your forward differs from the specification's too: fix forward first")
    message = f"gradients differ from the numerical ones: {', '.join(parts)} (tolerance {c.tolerance:g})"
    return _diag("grad_mismatch", "; ".join([message] + notes), FD_HINT)


RULES = (
    _shape_rule,
    _transposed_rule,
    _bias_rule,
    _zero_rule,
    _named_ratio_rule,
    _variant_rule,
    _forward_rule,
    _constant_ratio_rule,
)


def diagnose_gradients(student, numeric, *, params, x, y, activation="sigmoid", tolerance=1e-5, item="backward"):
    """[] when every student gradient matches the numerical one, else the most specific Diagnosis."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; expected one of {ACTIVATIONS}")
    student = {k: np.asarray(v, dtype=np.float64) for k, v in student.items()}
    params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    c = _Case(
        student,
        {k: np.asarray(numeric[k], dtype=np.float64) for k in params},
        params,
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        activation,
        tolerance,
    )
    c.errors = {k: relative_error(student[k], c.numeric[k]) if c.shape_ok(k) else float("inf") for k in params}
    if not c.failing():
        return []
    for rule in RULES:
        found = rule(c)
        if found:
            break
    else:
        found = [_mismatch(c)]
    return [Diagnosis(d.code, d.message, d.hint, item) for d in found]
