"""The backward item's reference gradient: trusted spec math, lying forwards caught, replies cross-checked.

The checks run against a fake probe object (no child): its forward is a plain function of the
parameters the test chooses, so each path of grader.check.items.gradients is exercised alone.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from grader.check.items import gradients as backward_item
from grader.lab import spec
from grader.lab.gradcheck import numerical_gradient, relative_error
from grader.rubric.loader import load_rubric

RUBRIC = load_rubric()
PARAMS = dict(RUBRIC.items["backward"].params)
SIZES = list(PARAMS["sizes"][0])


def _no_output_activation(params, x):
    """A forward that is not the spec's: no sigmoid on the last layer."""
    hidden = {k: v for k, v in params.items() if int(k[1:]) < 3}
    return spec.forward(hidden, x) @ params["W3"] + params["b3"]


class FakeLab:
    """Answers forward_many with `forward`, fresh-child forwards with `fresh` (default: the same)."""

    def __init__(self, forward, fresh=None, dtype=np.float64, lie=None):
        self.forward, self.fresh, self.dtype, self.lie = forward, fresh or forward, dtype, lie
        self.fresh_calls = []

    def backward(self, sizes, activation, params, x, y, what, dtypes=None):
        grads = {k: np.zeros_like(v) for k, v in params.items()}
        if dtypes is not None:
            dtypes.extend([np.dtype(self.dtype).name] * len(grads))
        return {"first": grads, "second": grads, "after_forward": grads}

    def forward_many(self, sizes, activation, param_sets, x, what, dtypes=None):
        base = param_sets[0]
        outs = [self.forward(p, x) for p in param_sets]
        if self.lie is not None:
            outs = [self.lie(p, base, x, o) for p, o in zip(param_sets, outs)]
        if dtypes is not None:
            dtypes.extend([np.dtype(self.dtype).name] * len(outs))
        return outs, {}

    def forward_in_fresh_child(self, sizes, activation, param_sets, x, what):
        self.fresh_calls.append(len(param_sets))
        return [self.fresh(p, x) for p in param_sets]


def _reference(lab):
    context = SimpleNamespace(rubric=RUBRIC, cache={}, secret_seed=99)
    return backward_item.reference(lab, context, 0, SIZES, PARAMS), context


def test_spec_forward_gives_the_trusted_spec_gradient():
    ref, context = _reference(FakeLab(spec.forward))
    weights, x, y = backward_item.case(context, 0, SIZES, PARAMS["batch"])
    numeric = numerical_gradient(lambda p: spec.mse(spec.forward(p, x), y), weights)
    assert ref.trusted and not ref.lie and not ref.float32
    assert all(relative_error(ref.gradient[k], numeric[k]) < 1e-7 for k in weights)


def test_a_forward_lying_only_when_perturbed_is_caught():
    def freeze(p, base, x, out):  # every perturbed call answered as if nothing moved
        return spec.forward(base, x) if p is not base else out

    ref, _ = _reference(FakeLab(spec.forward, lie=freeze))
    assert ref.lie.startswith("forward answers differently when parameters are perturbed")


def test_a_tiny_lie_is_caught_too():
    def nudge(p, base, x, out):
        return out + (1e-7 if p is not base else 0.0)

    ref, _ = _reference(FakeLab(spec.forward, lie=nudge))
    assert "differ from the specified network's" in ref.lie


def test_float32_rounding_is_not_a_lie():
    def f32(p, x):
        return spec.forward({k: v.astype(np.float32) for k, v in p.items()}, x.astype(np.float32)).astype(np.float32)

    ref, _ = _reference(FakeLab(f32, dtype=np.float32))
    assert ref.trusted and ref.float32 and not ref.lie


def test_own_forward_is_the_reference_after_a_consistent_recheck():
    lab = FakeLab(_no_output_activation)
    ref, context = _reference(lab)
    weights, x, y = backward_item.case(context, 0, SIZES, PARAMS["batch"])
    numeric = numerical_gradient(lambda p: spec.mse(_no_output_activation(p, x), y), weights, h=PARAMS["step"])
    assert not ref.trusted and not ref.lie and lab.fresh_calls == [PARAMS["recheck"]]
    assert all(relative_error(ref.gradient[k], numeric[k]) < 1e-9 for k in weights)


def test_own_forward_that_changes_in_a_fresh_child_is_caught():
    calls = []

    def stateful(p, x):  # answers depend on how many calls came before
        calls.append(1)
        return _no_output_activation(p, x) + 1e-6 * len(calls)

    ref, _ = _reference(FakeLab(stateful))
    assert "changed when asked again in another order in a fresh process" in ref.lie


@pytest.mark.parametrize("factor", [0.5, 7.0])
def test_scale_only_resolves_and_credits(factor):
    """constant_factor sees one factor; named_factors lists every convention it could be."""
    from grader.lab.diagnose import constant_factor, named_factors

    weights = spec.init_params((3, 5, 2, 2), 1)
    x = np.random.default_rng(0).uniform(-2, 2, (7, 3))
    y = np.random.default_rng(1).uniform(0, 1, (7, 2))
    g = spec.gradient(weights, x, y)
    r = constant_factor({k: factor * v for k, v in g.items()}, g, 1e-5)
    assert r == pytest.approx(factor)
    symbols = [t[1] for t in named_factors(r, 7, 2) if t[1]]
    assert symbols == ([] if factor == 0.5 else ["N*k/2", "N, the batch size"])
