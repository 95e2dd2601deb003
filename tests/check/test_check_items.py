"""Fixtures with one defect each lose points exactly in the items that defect breaks, for a reason."""

import pytest

from tests.check.check_expected import DIAGNOSES, FRAMEWORKS, PER_CHECK
from tests.support.fixtures import fixture_path

TRAIN = ("train_linear", "train_xor")


def _codes(run, training: bool) -> list[str]:
    """Diagnosis codes of the training items (as a set's sorted list) or of the others (in order)."""
    codes = [d["code"] for d in run.diagnoses if (d["item"] in TRAIN) == training]
    return sorted(set(codes)) if training else codes


def _assert_failed_exactly(run, failed, phrases, scores=None, absent=None):
    run.assert_graded()
    assert run.failed_items() == set(failed), run.describe()
    for key, test in run.tests.items():
        if key in failed:
            assert test["status"] == "failed" and test["output"], (key, test)
        elif test["max_score"] > 0:
            assert test["status"] == "passed" and test["score"] == test["max_score"], (key, test["output"])
    for key, words in phrases.items():
        for phrase in words:
            assert phrase in run.output(key), f"{phrase!r} not in the {key} reason: {run.output(key)!r}"
    for key, words in (absent or {}).items():
        for phrase in words:
            assert phrase not in run.output(key), f"{phrase!r} in the {key} reason: {run.output(key)!r}"
    for key, score in (scores or {}).items():
        assert run.item(key)["score"] == score, (key, run.item(key))
    assert run.json["score"] == pytest.approx(sum(t["score"] for t in run.json["tests"]))


def _assert_no_framework(run):
    assert run.flags == []
    assert run.item("frameworks")["status"] == "passed"


@pytest.mark.parametrize("sub", sorted(PER_CHECK))
def test_per_check_fixture_fails_its_items(graded, sub):
    expected = PER_CHECK[sub]
    run = graded(sub)
    _assert_failed_exactly(run, expected["failed"], expected["phrases"], expected.get("scores"), expected.get("absent"))
    _assert_no_framework(run)
    codes = _codes(run, training=False)
    assert codes == ([expected["diagnosis"]] if expected.get("diagnosis") else []), run.diagnoses
    assert _codes(run, training=True) == sorted(expected.get("train_diagnoses", ())), run.diagnoses


@pytest.mark.parametrize("sub", sorted(DIAGNOSES))
def test_diagnosis_fixture_is_diagnosed(graded, sub):
    expected = DIAGNOSES[sub]
    run = graded(sub)
    _assert_failed_exactly(run, expected["failed"], expected["phrases"])
    _assert_no_framework(run)
    backward = run.item("backward")
    assert backward["score"] < backward["max_score"]
    assert _codes(run, training=False) == [expected["code"]], run.diagnoses
    assert _codes(run, training=True) == sorted(expected.get("train_diagnoses", ())), run.diagnoses
    diagnosis = next(d for d in run.diagnoses if d["item"] not in TRAIN)
    assert diagnosis["item"] == "backward"
    assert expected["message"] in diagnosis["message"], diagnosis
    assert diagnosis["hint"].strip(), diagnosis
    assert diagnosis["message"] in run.output("backward")
    assert run.item("forward")["status"] == "passed"  # the defect is in backward only


@pytest.mark.graded("extras_missing")
def test_extras_missing_scores_100_with_extras_not_attempted(graded):
    run = graded("extras_missing")
    assert run.json["score"] == 100 and run.json["extra_data"]["bonus"] == 0  # not attempting costs nothing
    for key in ("extra_activations", "extra_optimizers", "extra_conv"):
        assert run.item(key)["extra_data"]["not_attempted"] is True
        assert run.output(key).startswith("not attempted")


@pytest.mark.graded("train_fake_loss_history")
def test_fake_loss_history_keeps_the_accuracy_credit(graded):
    checks = {c["name"]: c for c in graded("train_fake_loss_history").checks("train_linear")}
    assert checks["test_linear_accuracy_on_training_points"]["status"] == "passed"
    assert checks["test_linear_accuracy_on_unseen_points"]["status"] == "passed"
    assert checks["test_linear_loss_history"]["status"] == "failed"


@pytest.mark.parametrize("sub", FRAMEWORKS)
def test_framework_use_scores_0_and_is_flagged(graded, sub):
    run = graded(sub)
    data = run.assert_graded()
    assert data["score"] == 0
    assert "deep-learning framework" in data["output"]
    framework_flags = [flag for flag in run.flags if flag.startswith("framework:")]
    assert framework_flags and all("torch" in flag for flag in framework_flags), run.flags
    assert "torch" in run.output("frameworks") and run.item("frameworks")["status"] == "failed"
    # the code itself works: only the policy zeroes the score
    assert run.failed_items() == set()


@pytest.mark.graded("framework_import_torch")
def test_framework_import_is_found_statically_and_at_run_time(graded):
    flags = graded("framework_import_torch").flags
    assert any("network.py:" in f and "imports torch" in f for f in flags), flags  # the AST scan, with its line
    assert "framework: import of torch" in flags  # the child's audit hook


@pytest.mark.graded("framework_computed_import")
def test_framework_import_by_computed_name_is_caught_at_run_time(graded):
    """The AST scan cannot name the module: the audit hook does, and the scan asks a TA to look."""
    lines = (fixture_path("framework_computed_import") / "network.py").read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if '__import__("to" + "rch")' in text)
    assert graded("framework_computed_import").flags == [
        "framework: import of torch",
        f'review: network.py:{line} imports a module whose name is computed (__import__("to" + "rch"))',
    ]


@pytest.mark.parametrize("sub", FRAMEWORKS)
def test_framework_summary_states_the_zero_score(graded, sub):
    assert graded(sub).json["output"].startswith("Score 0 / 100."), graded(sub).json["output"]


# ---- precise reasons ------------------------------------------


@pytest.mark.graded("sigmoid_nan_for_large_x")
def test_sigmoid_nan_reason_names_the_fix(graded):
    assert "exp(x)/(1+exp(x))" in graded("sigmoid_nan_for_large_x").output("activations")


@pytest.mark.graded("params_wrong_shapes")
def test_wrong_parameter_shapes_are_named(graded):
    assert "params['W1'] has shape (4, 2), expected (2, 4)" in graded("params_wrong_shapes").output("forward")


@pytest.mark.graded("config_uses_missing_adam")
def test_unimplemented_optimizer_in_config_is_named(graded):
    run = graded("config_uses_missing_adam")
    for key in ("train_linear", "train_xor"):
        assert "Adam" in run.output(key), run.output(key)


@pytest.mark.graded("grad_bias_not_summed")
def test_backward_partial_credit_when_only_biases_are_wrong(graded):
    # every weight gradient is right: half of the parameters pass the gradient check
    assert graded("grad_bias_not_summed").item("backward")["score"] == pytest.approx(12.5)


@pytest.mark.parametrize("sub", ["grad_half_scale", "grad_sum_not_mean", "grad_half_squared_error"])
def test_backward_half_credit_when_the_only_error_is_one_constant_factor(graded, sub):
    backward = graded(sub).item("backward")
    assert backward["score"] == pytest.approx(0.5 * backward["max_score"])  # rubric: scale_credit = 0.5


@pytest.mark.graded("grad_sign_flipped")
def test_no_scale_credit_for_a_flipped_sign(graded):
    assert graded("grad_sign_flipped").item("backward")["score"] == 0


@pytest.mark.graded("network_float32")
def test_float32_is_checked_at_its_precision_and_told_float64_is_expected(graded):
    run = graded("network_float32")
    assert run.item("backward")["score"] == run.item("backward")["max_score"]
    [note] = run.diagnoses
    assert note["code"] == "float32" and "float64 is expected" in note["message"]


@pytest.mark.graded("grad_missing_sigmoid_derivative")
def test_every_network_seed_result_is_shown(graded):
    """The seed policy passes an item on min_passing_seeds of [seeds] train; each seed's result is
    in the reason and in the check's data, whatever the verdict."""
    run = graded("grad_missing_sigmoid_derivative")
    reason = run.output("train_xor")
    assert "on 2 of 3 network seeds" in reason, reason
    assert all(f"seed {seed} " in reason for seed in (0, 1, 2)), reason
    check = next(c for c in run.checks("train_xor") if c["name"] == "test_xor_accuracy_on_training_points")
    assert sorted(check["data"]) == ["seed0", "seed1", "seed2"], check["data"]
    assert [check["data"][f"seed{s}"]["passed"] for s in (0, 1, 2)].count(True) < 2


@pytest.mark.graded("reference")
def test_reference_passes_every_training_check_on_every_seed(graded):
    for key in ("train_linear", "train_xor"):
        check = next(c for c in graded("reference").checks(key) if "accuracy_on_training" in c["name"])
        assert [check["data"][f"seed{s}"]["passed"] for s in (0, 1, 2)] == [True] * 3, check["data"]


@pytest.mark.graded("conv_bias_gradient_mean")
def test_a_wrong_extra_loses_only_its_bonus(graded):
    run = graded("conv_bias_gradient_mean")
    conv = run.item("extra_conv")
    assert run.json["extra_data"]["autograded_score"] == 100
    assert 0 < conv["score"] < conv["extra_data"]["bonus_points"] and conv["status"] == "failed"
    assert "backward's db differs from central differences" in run.output("extra_conv")
