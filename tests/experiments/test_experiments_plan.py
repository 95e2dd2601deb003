"""The experiment plan: what varies, what stays the student's, what is skipped (no sandbox)."""

from __future__ import annotations

import pytest

from grader.experiments.plan import Availability, build_plan, chunk_boundaries, chunk_sizes
from grader.rubric.loader import load_rubric

RUBRIC = load_rubric()
CONFIG = {
    "linear": {"hidden": (8, 8), "activation": "sigmoid", "optimizer": "sgd", "lr": 0.5, "epochs": 5000},
    "xor": {"hidden": (10, 10), "activation": "sigmoid", "optimizer": "adam", "lr": 0.05, "epochs": 600},
}


def labels(plan, name):
    return [v.label for v in next(e for e in plan.experiments if e.name == name).variants]


def test_one_thing_varied_at_a_time_from_the_students_config():
    plan = build_plan(CONFIG, RUBRIC, ("linear", "xor"))
    assert [e.name for e in plan.experiments] == [
        f"{d}_{k}"
        for d in ("linear", "xor")
        for k in ("learning_rate", "hidden_units", "no_activation", "activations", "optimizers")
    ]
    assert labels(plan, "xor_learning_rate") == ["lr = 0.01", "lr = 0.05 (your config)", "lr = 0.1", "lr = 1"]
    assert labels(plan, "linear_learning_rate") == ["lr = 0.01", "lr = 0.1", "lr = 0.5 (your config)", "lr = 1"]
    assert labels(plan, "xor_hidden_units") == [
        "hidden 2, 2",
        "hidden 4, 4",
        "hidden 10, 10 (your config)",
        "hidden 16, 16",
        "hidden 100, 100",
    ]
    assert labels(plan, "xor_no_activation") == [
        "sigmoid (your config)",
        "none (identity), SGD lr 0.05, XOR (easy) set",
        "none (identity), SGD lr 0.05, linear set",
    ]
    assert labels(plan, "xor_activations") == ["sigmoid (your config)", "tanh", "relu", "leaky_relu"]
    assert labels(plan, "linear_optimizers") == ["SGD (your config)", "Momentum", "AdaGrad", "Adam"]
    for experiment in plan.experiments:
        if experiment.key == "no_activation":
            continue  # its own test: a network without activation needs its own optimizer and lr
        base = next(v.run for v in experiment.variants if v.baseline)
        for variant in experiment.variants:  # exactly one field differs from the student's config
            differs = [
                f
                for f in ("hidden", "activation", "optimizer", "lr", "epochs", "seed", "dataset")
                if getattr(variant.run, f) != getattr(base, f)
            ]
            assert len(differs) == (0 if variant.baseline else 1)
    runs = plan.runs()
    assert len({r.key for r in runs}) == len(runs) < sum(len(e.variants) for e in plan.experiments)
    assert plan.data["linear"][0].shape == (100, 2) and plan.data["xor"][0].shape == (21, 2)


def test_clamped_with_wider_hidden_bound_and_epoch_caps():
    raw = {"xor": {"hidden": (300, 2), "lr": 50, "epochs": 10**7, "optimizer": "nadam"}}
    plan = build_plan(raw, RUBRIC, ("xor",), max_epochs=123)
    base = plan.base["xor"]
    assert base["hidden"] == (128, 2) and base["lr"] == RUBRIC.limits.max_lr and base["optimizer"] == "sgd"
    assert base["epochs"] == 123
    assert any("epochs" in note for note in plan.notes) and any("nadam" in note for note in plan.notes)
    assert all(run.epochs == 123 for run in plan.runs())


def test_unusable_config_falls_back_to_defaults_with_a_note():
    plan = build_plan({"linear": {}}, RUBRIC, ("xor",))
    assert plan.base["xor"]["hidden"] == (4, 4) and plan.base["xor"]["optimizer"] == "sgd"
    assert any("defaults" in note for note in plan.notes)


def test_extras_not_implemented_are_skipped():
    available = Availability(
        {"identity": False, "tanh": False, "relu": True, "leaky_relu": False},
        {"momentum": False, "adagrad": False, "adam": False},
        {"identity": "activations.identity is not implemented yet (NotImplementedError)"},
    )
    plan = build_plan(CONFIG, RUBRIC, ("xor",), available)
    assert [e.key for e in plan.experiments] == ["learning_rate", "hidden_units", "activations"]
    assert labels(plan, "xor_activations") == ["sigmoid (your config)", "relu"]
    skipped = {s["name"]: s for s in plan.skipped}
    assert sorted(skipped) == ["adagrad", "adam", "identity", "leaky_relu", "momentum", "tanh"]
    assert "NotImplementedError" in skipped["identity"]["reason"]
    # A student whose own optimizer is Adam still gets it, as their config, in other experiments.
    assert all(run.optimizer == "adam" for run in plan.runs())


def test_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="unknown data set"):
        build_plan(CONFIG, RUBRIC, ("spiral",))


@pytest.mark.parametrize("epochs", [1, 7, 49, 50, 51, 600, 20_000, 20_001])
def test_chunks_cover_every_epoch(epochs):
    bounds = chunk_boundaries(epochs)
    sizes = chunk_sizes(bounds)
    assert len(bounds) == min(50, epochs) and bounds[-1] == epochs and sum(sizes) == epochs
    assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1


def test_evaluate_measures_accuracy_at_chunk_boundaries_in_the_parent():
    import numpy as np

    from grader.experiments.plan import RunSpec
    from grader.experiments.runner import evaluate

    x = np.array([[0.0, 0.0], [1.0, 1.0]])
    y = np.array([[0], [1]])
    run = RunSpec("xor", 0, (1, 1), "sigmoid", "sgd", 0.1, 30)
    wrong = {
        "W1": np.array([[1.0], [1.0]]),
        "b1": np.array([0.0]),
        "W2": np.array([[-5.0]]),
        "b2": np.array([0.0]),
        "W3": np.array([[1.0]]),
        "b3": np.array([0.0]),
    }
    right = {**wrong, "W2": np.array([[5.0]]), "b2": np.array([-2.5]), "W3": np.array([[10.0]]), "b3": np.array([-6.0])}
    reply = {"snapshots": [wrong, right, right], "losses": np.linspace(0.3, 0.1, 30), "seconds": 0.5}
    result = evaluate(run, x, y, reply, [10, 20, 30])
    assert result.ok and result.chunk_accuracy == [0.5, 1.0, 1.0]
    assert result.epochs_to_100 == 20 and result.accuracy == 1.0 and result.seconds == 0.5
    assert result.final_loss < 0.1 and not result.warning
    short = evaluate(run, x, y, {**reply, "losses": np.ones(29), "snapshots": [wrong] * 3}, [10, 20, 30])
    assert short.epochs_to_100 is None and "29 losses for 30 epochs" in short.warning


def test_failures_are_classified():
    from grader.experiments.plan import RunSpec
    from grader.experiments.runner import failed_result
    from grader.sandbox import ChildDied, MalformedReply, NotAttempted, ProbeTimeout, SubmissionError

    run = RunSpec("xor", 0, (4, 4), "sigmoid", "sgd", 1.0, 100)
    cases = {
        MalformedReply("training [W1] returned 3 NaN or infinite value(s)"): ("diverged", "diverged"),
        MalformedReply("training returned shape (3,), expected (2, 4)"): ("failed", "malformed"),
        ProbeTimeout("training did not finish within 60 s"): ("failed", "timeout"),
        ChildDied("your code's process exited with status 3"): ("failed", "crash"),
        SubmissionError("training raised ValueError: no", traceback="tb"): ("failed", "error"),
        NotAttempted("TODO: train"): ("not_attempted", "not_attempted"),
    }
    for exc, (status, error) in cases.items():
        result = failed_result(run, exc)
        assert (result.status, result.error) == (status, error) and result.reason and not result.ok
        assert result.detail == exc.reason


def test_schedule_starts_the_costliest_runs_then_keeps_plan_order():
    from grader.experiments.runner import schedule

    plan = build_plan({**CONFIG, "linear": {**CONFIG["linear"], "epochs": 20000}}, RUBRIC, ("linear", "xor"))
    runs = plan.runs()
    order = schedule(runs)
    assert sorted(order, key=runs.index) == runs  # a permutation
    assert order[0].dataset == "linear" and order[0].hidden == (100, 100)
    rest = [run for run in order if run.hidden != (100, 100) or run.dataset != "linear"]
    assert rest == [run for run in runs if run in rest]


@pytest.mark.parametrize("hidden, lr", [((2, 2), 0.05), ((10, 10), 0.05), ((8, 32), 0.015625), ((64, 4), 0.0078125)])
def test_no_activation_runs_converge_on_both_sets(hidden, lr):
    """The lab's point: a network without activation is linear, so it learns `linear` but not XOR.
    It runs with SGD at a learning rate that shrinks with the width (the student's own lr diverges)."""
    config = {
        d: {"hidden": hidden, "activation": "sigmoid", "optimizer": "adam", "lr": 1.0, "epochs": 500}
        for d in ("linear", "xor")
    }
    plan = build_plan(config, RUBRIC, ("linear",))
    experiment = next(e for e in plan.experiments if e.key == "no_activation")
    own, here, there = experiment.variants
    assert own.baseline and own.run.activation == "sigmoid" and own.run.lr == 1.0
    for variant, dataset in ((here, "linear"), (there, "xor")):
        assert (variant.run.activation, variant.run.optimizer, variant.run.lr) == ("identity", "sgd", lr)
        assert variant.run.dataset == dataset and variant.run.hidden == tuple(hidden)
        assert variant.run.epochs == own.run.epochs and not variant.baseline
    assert sorted(plan.data) == ["linear", "xor"]  # the other set's data travels with the plan
    assert plan.data["xor"][0].shape == (21, 2)


def test_no_activation_needs_the_identity_activation():
    available = Availability({"identity": False}, {}, {"identity": "not implemented"})
    plan = build_plan(CONFIG, RUBRIC, ("xor",), available)
    assert "no_activation" not in [e.key for e in plan.experiments]
