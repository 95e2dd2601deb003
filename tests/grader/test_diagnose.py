"""grader.lab.diagnose: each diagnosis code from gradients built the way a buggy student builds them."""

import numpy as np
import pytest

from grader.lab import spec
from grader.lab.diagnose import diagnose_gradients
from grader.lab.gradcheck import numerical_gradient

N = 5  # batch size != 2 so that 0.5, 1/N, N/2 and 2 are all different ratios


def _case(sizes=(2, 4, 4, 1), activation="sigmoid", forward=None, seed=1):
    """params, x, y and the numerical gradient of `forward` (default: the spec's) with the MSE."""
    rng = np.random.default_rng(seed)
    params = spec.init_params(sizes, rng)
    x = rng.uniform(0, 1, (N, sizes[0]))
    y = rng.integers(0, 2, (N, sizes[-1]))
    fwd = forward or (lambda p, xx: spec.forward(p, xx, activation))
    numeric = numerical_gradient(lambda p: spec.mse(fwd(p, x), y), params)
    return dict(params=params, x=x, y=y, activation=activation), numeric


@pytest.fixture(scope="module")
def case():
    return _case()


def _diagnose(student, numeric, ctx):
    found = diagnose_gradients(student, numeric, **ctx)
    for d in found:  # every diagnosis is actionable and tagged with its item
        assert d.code and d.message and d.hint and d.item == "backward"
    return found


def _codes(found):
    return [d.code for d in found]


def _correct(ctx, variant="correct"):
    return spec.gradient(ctx["params"], ctx["x"], ctx["y"], ctx["activation"], variant)


def test_correct_gradients_give_nothing(case):
    ctx, numeric = case
    assert _diagnose(_correct(ctx), numeric, ctx) == []
    assert _diagnose(numeric, numeric, ctx) == []


def test_item_is_passed_through(case):
    ctx, numeric = case
    found = diagnose_gradients({k: -g for k, g in numeric.items()}, numeric, item="gradcheck", **ctx)
    assert [d.item for d in found] == ["gradcheck"]


def test_transposed_weight_shape(case):
    ctx, numeric = case
    student = {**_correct(ctx), "W1": _correct(ctx)["W1"].T}  # delta.T @ x
    [d] = _diagnose(student, numeric, ctx)
    assert d.code == "grad_transposed"
    assert "dW1 has shape (4, 2), expected (2, 4)" in d.message and "equals" in d.message
    assert "x.T @ delta" in d.hint


def test_transposed_square_weight(case):
    ctx, numeric = case
    student = {**_correct(ctx), "W2": _correct(ctx)["W2"].T}  # (4, 4): the shape cannot tell
    assert _codes(_diagnose(student, numeric, ctx)) == ["grad_transposed"]


def test_bias_of_shape_n_k(case):
    ctx, numeric = case
    g = _correct(ctx)
    student = {**g, "b3": np.tile(g["b3"] / N, (N, 1)), "b1": np.zeros((N, 4))}
    [d] = _diagnose(student, numeric, ctx)
    assert d.code == "grad_bias_not_summed"
    assert "db1 has shape (5, 4)" in d.message and "db3 has shape (5, 1)" in d.message
    assert "delta.sum(axis=0)" in d.hint


@pytest.mark.parametrize("variant", ["bias_not_summed", "bias_mean"])
def test_bias_variants(case, variant):
    ctx, numeric = case
    [d] = _diagnose(_correct(ctx, variant), numeric, ctx)
    assert d.code == "grad_bias_not_summed"
    assert "b1" in d.message and "weights are right" in d.message


def test_bias_keepdims_is_a_shape_error(case):
    ctx, numeric = case
    g = _correct(ctx)
    [d] = _diagnose({**g, "b2": g["b2"].reshape(1, 4)}, numeric, ctx)
    assert d.code == "grad_shape" and "(1, 4)" in d.message and "keepdims" in d.hint


def test_missing_key(case):
    ctx, numeric = case
    g = _correct(ctx)
    del g["b3"]
    [d] = _diagnose(g, numeric, ctx)
    assert d.code == "grad_shape" and "b3" in d.message


def test_all_zero(case):
    ctx, numeric = case
    [d] = _diagnose({k: np.zeros_like(v) for k, v in numeric.items()}, numeric, ctx)
    assert d.code == "grad_zero" and "every gradient" in d.message


def test_some_params_zero(case):
    ctx, numeric = case
    g = _correct(ctx)
    [d] = _diagnose({**g, "W1": np.zeros((2, 4)), "b1": np.zeros(4)}, numeric, ctx)
    assert d.code == "grad_zero" and "W1, b1" in d.message and "propagate" in d.hint


def test_sign_flipped(case):
    ctx, numeric = case
    [d] = _diagnose({k: -g for k, g in _correct(ctx).items()}, numeric, ctx)
    assert d.code == "grad_sign_flipped" and "+dL/dp" in d.hint


@pytest.mark.parametrize(
    "factor,name,hint",
    [
        (0.5, "0.5x the numerical one", "factor 2"),
        (2.0, "2x the numerical one", "twice"),
        (N, "5x the numerical one (5 = N)", "sum of squared errors"),
        (N / 2, "2.5x the numerical one (2.5 = N/2)", "1/2 sum"),
        (1 / N, "0.2x the numerical one (0.2 = 1/N)", "divide by N twice"),
        (3.7, "3.7x the numerical one", "constant factor 3.7"),
    ],
)
def test_constant_scale(case, factor, name, hint):
    ctx, numeric = case
    [d] = _diagnose({k: factor * g for k, g in _correct(ctx).items()}, numeric, ctx)
    assert d.code == "grad_scale"
    assert d.message == f"every gradient is {name}" and hint in d.hint


def test_scale_with_several_outputs_tells_batch_from_elements():
    ctx, numeric = _case(sizes=(2, 3, 3))
    g = _correct(ctx)
    for factor, text in [
        (N * 3, "15x the numerical one (15 = N*k)"),
        (3, "3x the numerical one (3 = k, the output size)"),
        (N, "5x the numerical one (5 = N, the batch size)"),
        (2, "2x"),
    ]:
        [d] = _diagnose({k: factor * v for k, v in g.items()}, numeric, ctx)
        assert d.code == "grad_scale" and text in d.message, (factor, d.message)


def test_scale_names_every_explanation_when_two_coincide():
    ctx, numeric = _case(sizes=(2, 3, 2))  # N*k/2 == N
    [d] = _diagnose({k: N * v for k, v in _correct(ctx).items()}, numeric, ctx)
    assert "5x the numerical one (5 = N*k/2 or N, the batch size)" in d.message
    assert "1/2 sum" in d.hint and "not by the output size" in d.hint


def test_negative_named_scale(case):
    ctx, numeric = case
    [d] = _diagnose({k: -0.5 * g for k, g in _correct(ctx).items()}, numeric, ctx)
    assert d.code == "grad_scale" and d.message == "every gradient is -0.5x the numerical one: the sign is flipped too"


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize(
    "variant,code",
    [
        ("no_derivative", "grad_missing_sigmoid_derivative"),
        ("no_output_derivative", "grad_missing_output_derivative"),
        ("derivative_of_preactivation", "grad_derivative_of_preactivation"),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_spec_variants(variant, code, activation, seed):
    # on the lab's [0, 1] inputs the outputs are nearly equal, so "no_output_derivative" is
    # nearly a constant factor: the exact variant must win over a generic scale
    ctx, numeric = _case(activation=activation, seed=seed)
    [d] = _diagnose(_correct(ctx, variant), numeric, ctx)
    assert d.code == code and f"derivative_{activation}" in d.message + d.hint


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_preactivation_in_the_hidden_layers_only(seed):
    ctx, numeric = _case(seed=seed)
    [d] = _diagnose(_correct(ctx, "derivative_of_preactivation_hidden"), numeric, ctx)
    assert d.code == "grad_derivative_of_preactivation"
    assert "pre-activation z instead of the output a in layers 1, 2 (the hidden layers)" in d.message
    assert "layer 3 (the output layer) is right" in d.message and "pass a_k, not z_k" in d.hint


def test_slopes_wrong_in_one_middle_layer():
    ctx, numeric = _case(seed=5)
    student = spec.frozen_gradient(ctx["params"], ctx["x"], ctx["y"], "sigmoid", ("a", "z", "a"))
    [d] = _diagnose(student, numeric, ctx)
    assert d.code == "grad_derivative_of_preactivation" and "in layer 2 instead" not in d.message
    assert "instead of the output a in layer 2;" in d.message and "layers 1, 3 are right" in d.message
    student = spec.frozen_gradient(ctx["params"], ctx["x"], ctx["y"], "sigmoid", ("1", "1", "a"))
    [d] = _diagnose(student, numeric, ctx)
    assert d.code == "grad_missing_sigmoid_derivative"
    assert "no derivative_sigmoid in layers 1, 2 (the hidden layers)" in d.message


def test_preactivation_hint_names_the_output(case):
    ctx, numeric = case
    [d] = _diagnose(_correct(ctx, "derivative_of_preactivation"), numeric, ctx)
    assert "pass a = sigmoid(z), not z" in d.hint


def test_unexplained_mismatch_lists_the_worst_first(case):
    ctx, numeric = case
    g = _correct(ctx)
    rng = np.random.default_rng(0)
    student = {**g, "W2": g["W2"] + 0.01 * rng.standard_normal((4, 4)), "W1": g["W1"] + rng.standard_normal((2, 4))}
    [d] = _diagnose(student, numeric, ctx)
    assert d.code == "grad_mismatch"
    assert d.message.index("W1 rel. error") < d.message.index("W2 rel. error")
    assert "b1" not in d.message and "tolerance 1e-05" in d.message
    assert "finite" not in d.message and "central differences" in d.hint


def test_mismatch_names_a_per_parameter_ratio_and_the_output_layer(case):
    ctx, numeric = case
    g = _correct(ctx)
    [d] = _diagnose({**g, "W3": 0.5 * g["W3"]}, numeric, ctx)
    assert d.code == "grad_mismatch"
    assert "gradient of W3 is 0.5x the numerical one" in d.message
    assert "only the output layer (W3) is wrong" in d.message


def _forward_without_output_activation(p, x):
    """A buggy student forward: sigmoid on the hidden layers only."""
    a = x
    for k in range(1, 4):
        z = a @ p[f"W{k}"] + p[f"b{k}"]
        a = spec.sigmoid(z) if k < 3 else z
    return a


@pytest.fixture(scope="module")
def wrong_forward_case():
    return _case(forward=_forward_without_output_activation)


def test_forward_also_wrong_backward_follows_the_spec(wrong_forward_case):
    ctx, numeric = wrong_forward_case
    [d] = _diagnose(_correct(ctx), numeric, ctx)
    assert d.code == "grad_forward_inconsistent" and "fix forward" in d.hint


def test_forward_also_wrong_scale_is_still_found(wrong_forward_case):
    ctx, numeric = wrong_forward_case
    [d] = _diagnose({k: 0.5 * g for k, g in numeric.items()}, numeric, ctx)
    assert d.code == "grad_scale" and "0.5x" in d.message


def test_forward_also_wrong_mismatch_says_so(wrong_forward_case):
    ctx, numeric = wrong_forward_case
    g = {k: v + 0.1 for k, v in numeric.items()}
    [d] = _diagnose(g, numeric, ctx)
    assert d.code == "grad_mismatch" and "fix forward first" in d.message


def test_forward_consistent_with_backward_passes(wrong_forward_case):
    ctx, numeric = wrong_forward_case  # backward differentiates the student's own forward: not this item's fault
    assert _diagnose(numeric, numeric, ctx) == []


def test_identity_variant_equal_to_correct_is_not_blamed():
    ctx, numeric = _case(activation="identity")
    g = _correct(ctx)
    [d] = _diagnose({**g, "W1": g["W1"] + 1.0}, numeric, ctx)
    assert d.code == "grad_mismatch"  # "no_derivative" equals the correct gradient here: it explains nothing


def test_unknown_activation_raises(case):
    ctx, numeric = case
    with pytest.raises(ValueError):
        diagnose_gradients(numeric, numeric, **{**ctx, "activation": "softplus"})
