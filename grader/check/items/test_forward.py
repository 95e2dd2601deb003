"""Forward pass with parameters the parent sets, for several layer sizes."""

import numpy as np
import pytest

from grader.check.items.support import close, rng
from grader.lab import spec

pytestmark = pytest.mark.rubric("forward")


def _probe(lab, rubric, params, index, sizes):
    weights = spec.init_params(sizes, rng(rubric, 100 + index))
    x = rng(rubric, 200 + index).uniform(-1, 1, (params["batch"], sizes[0]))
    (out,), _ = lab.forward_many(sizes, "sigmoid", [weights], x, what=f"forward with sizes {tuple(sizes)}")
    return weights, x, out


def _explain(weights, x, out, tolerance):
    """Name the mistake a wrong forward output matches, or ''."""
    no_bias = {k: (v * 0 if k.startswith("b") else v) for k, v in weights.items()}
    if close(out, spec.forward(no_bias, x), tolerance):
        return "the biases are ignored: compute a @ W + b"
    last = spec.n_layers(weights)
    hidden = {k: v for k, v in weights.items() if int(k[1:]) < last}
    a = spec.forward(hidden, x) if hidden else x
    if close(out, a @ weights[f"W{last}"] + weights[f"b{last}"], tolerance):
        return "the output layer has no sigmoid: the lab applies it on every layer, output included"
    return ""


def test_forward_matches_the_spec(lab, rubric, params, grade):
    wrong = []
    for index, sizes in enumerate(params["sizes"]):
        weights, x, out = _probe(lab, rubric, params, index, sizes)
        if not close(out, spec.forward(weights, x), params["tolerance"]):
            why = _explain(weights, x, out, params["tolerance"])
            wrong.append(f"sizes {tuple(sizes)}" + (f" ({why})" if why else ""))
    if wrong:
        grade.partial(1 - len(wrong) / len(params["sizes"]), "")
        pytest.fail("forward differs from sigmoid(a @ W + b) on every layer for " + "; ".join(wrong))


def test_parameter_shapes_follow_sizes(lab, params):
    for sizes in params["sizes"]:
        shapes = lab.init_shapes(sizes, what=f"Network(sizes={tuple(sizes)})")
        expected = spec.param_shapes(sizes)
        assert set(shapes) == set(expected), (
            f"Network(sizes={tuple(sizes)}).params has keys {sorted(shapes)}, expected {sorted(expected)}"
        )
        for key, shape in expected.items():
            assert tuple(shapes[key]) == shape, (
                f"Network(sizes={tuple(sizes)}).params['{key}'] has shape {tuple(shapes[key])}, expected {shape}"
            )


def test_same_seed_same_parameters(lab, params):
    sizes = params["sizes"][0]
    first, again, other = lab.init_params(sizes, [7, 7, 8], what=f"Network(sizes={tuple(sizes)}, seed=...)")
    changed = [k for k in first if not np.array_equal(first[k], again[k])]
    assert not changed, (
        f"Network(seed=7) built twice has different {', '.join(changed)}: draw the initial parameters from "
        "np.random.default_rng(seed), not from an unseeded generator or the global np.random state"
    )
    assert any(not np.array_equal(first[k], other[k]) for k in first), (
        "Network(seed=7) and Network(seed=8) have the same parameters: the seed is ignored; "
        "draw them from np.random.default_rng(seed)"
    )
