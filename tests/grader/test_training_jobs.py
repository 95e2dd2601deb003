"""Training jobs and the trusted diagnoses of a training run (pure: no submission, no sandbox)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.check.probes import _divergence
from grader.check.training import (
    TrainJob,
    backward_differs,
    chance_level,
    forward_differs,
    identical_units,
    loss_grew,
    loss_history_problem,
    make_jobs,
    optimizer_ignored,
    optimizer_probe_jobs,
    params_unchanged,
)
from grader.lab import datasets, spec
from grader.rubric.loader import load_rubric

CONFIG = {"linear": {"hidden": [4, 4], "lr": 0.5, "epochs": 100}, "xor": {"hidden": [4, 4], "lr": 0.5, "epochs": 100}}
SECRET = 987654321


def test_graded_runs_for_every_seed_then_flipped_and_secret_runs():
    rubric = load_rubric()
    jobs = make_jobs(CONFIG, rubric, SECRET)
    graded = [job for job in jobs if job.task == "lab"]
    assert [(job.dataset, job.seed) for job in graded] == [
        (d, s) for d in ("linear", "xor") for s in rubric.seeds.train
    ]
    others = jobs[len(graded) :]
    assert [(job.dataset, job.task) for job in others] == [
        ("linear", "flipped"),
        ("linear", "secret"),
        ("xor", "flipped"),
        ("xor", "secret"),
    ]
    for job in others:
        twin = next(g for g in graded if g.dataset == job.dataset and g.seed == job.seed)
        assert job.key == f"{twin.key}:{job.task}" and job.seed == rubric.seeds.train[0]
        assert (job.hidden, job.lr, job.epochs) == (twin.hidden, twin.lr, twin.epochs)
        assert set(np.unique(job.y)) == {0, 1}
        if job.flipped:
            np.testing.assert_array_equal(job.x, twin.x)
            np.testing.assert_array_equal(job.y, 1 - twin.y)
    assert len({job.key for job in jobs}) == len(jobs)


@pytest.mark.parametrize("dataset", ["linear", "xor"])
def test_the_secret_task_is_the_lab_task_turned_by_a_secret_angle(dataset):
    params = {"n": 100}
    x, y = datasets.secret_task(dataset, params, SECRET)
    again = datasets.secret_task(dataset, params, SECRET)
    np.testing.assert_array_equal(x, again[0])
    np.testing.assert_array_equal(y, again[1])
    assert not np.array_equal(x, datasets.secret_task(dataset, params, SECRET, draw=1)[0])
    lab_x, lab_y = datasets.training_set(dataset, params, 0)
    assert x.shape == lab_x.shape and y.shape == lab_y.shape and set(np.unique(y)) == {0, 1}
    tasks = [datasets.secret_task(dataset, params, seed) for seed in range(40)]
    assert len({t[0].tobytes() for t in tasks}) == 40
    for tx, ty in tasks:
        # the lab's labelling rule (and its flip) misses many points: hand-made weights fail
        rule = (tx[:, 0] <= tx[:, 1]) if dataset == "linear" else (np.abs(tx[:, 0] - tx[:, 1]) > 0.1)
        agreement = float(np.mean(rule.reshape(-1, 1) == ty))
        assert 0.1 < agreement < 0.85, agreement
    if dataset == "xor":  # a rotation about the origin keeps every point's distance to it
        np.testing.assert_allclose(np.linalg.norm(x, axis=1), np.linalg.norm(lab_x, axis=1))
        assert np.array_equal(y, lab_y) or np.array_equal(y, 1 - lab_y)


def _trained(sizes=(2, 4, 4, 1), seed=0):
    return spec.init_params(sizes, np.random.default_rng(seed))


def test_params_unchanged_only_for_a_flat_history():
    assert params_unchanged(np.full(600, 0.2512)).code == "train_params_unchanged"
    assert "0.2512 for all 600 epochs" in params_unchanged(np.full(600, 0.2512)).message
    assert params_unchanged(np.linspace(0.25, 0.1, 600)) is None
    dead = np.concatenate([[0.49, 2.5], np.full(598, 0.48)])  # ReLU units that died after two epochs
    assert params_unchanged(dead) is None
    assert params_unchanged(np.array([0.25])) is None
    assert params_unchanged(np.full(5, np.nan)) is None


def test_identical_units_after_zero_init():
    params = _trained()
    assert identical_units(params) is None
    same = dict(params, W1=np.tile(params["W1"][:, :1], (1, 4)), b1=np.full(4, params["b1"][0]))
    found = identical_units(same)
    assert found.code == "train_identical_units" and "W1" in found.message
    assert "break the symmetry with random init" in found.hint
    second = dict(params, W2=np.zeros((4, 4)), b2=np.zeros(4))
    assert "layer 2" in identical_units(second).message
    assert identical_units(dict(params, W3=np.zeros((4, 1)))) is None  # the output layer has one unit


def test_forward_differs_names_a_missing_output_activation():
    params, x = _trained(), np.random.default_rng(1).uniform(0, 1, (7, 2))
    assert forward_differs(spec.forward(params, x), params, x, "sigmoid") is None
    hidden = spec.forward({k: v for k, v in params.items() if k[1:] != "3"}, x)
    raw = hidden @ params["W3"] + params["b3"]
    assert forward_differs(raw, params, x, "sigmoid").code == "train_forward_no_output_activation"
    no_bias = spec.forward({k: (v * 0 if k.startswith("b") else v) for k, v in params.items()}, x)
    assert forward_differs(no_bias, params, x, "sigmoid").code == "train_forward_differs"


def test_backward_differs_against_the_trusted_gradients():
    params = _trained()
    x, y = datasets.xor_easy()
    right = spec.gradient(params, x, y)
    assert backward_differs(right, params, x, y, "sigmoid") is None
    wrong = spec.gradient(params, x, y, variant="no_derivative")
    found = backward_differs(wrong, params, x, y, "sigmoid")
    assert found.code == "train_backward_differs" and "see the backward item" in found.message


def test_divergence_names_the_epoch_and_what_went_non_finite():
    params = _trained()
    losses = np.array([0.3, 0.5, np.inf, np.nan])
    assert _divergence(params, losses) == "the loss became infinite at epoch 3 of 4"
    assert _divergence(params, np.array([0.3, np.nan])) == "the loss became NaN at epoch 2 of 2"
    assert (
        _divergence(dict(params, W2=params["W2"] * np.nan), np.array([0.3, 0.2]))
        == "the parameters W2 became NaN or infinite"
    )
    assert _divergence(params, np.array([0.3, 0.2])) == ""


def test_loss_history_matches_the_lab_mse_or_the_students_own():
    losses = np.linspace(0.5, 0.1, 50)
    assert loss_history_problem(losses, 0.1, 50, 0.25, 0.02) == ""
    assert "does not match the MSE" in loss_history_problem(losses, 0.001, 50, 0.25, 0.02)
    # an mse that sums instead of averaging: the history is consistent with the student's own loss
    assert loss_history_problem(losses, 0.001, 50, 0.25, 0.02, own_loss=0.1) == ""
    assert "49 losses for 50 epochs" in loss_history_problem(losses[1:], 0.1, 50, 0.25, 0.02)
    grew = loss_grew(np.linspace(0.25, 0.5, 10), 0.5, 0.02)
    assert grew.code == "train_loss_grew" and "0.25 to 0.5" in grew.message
    assert loss_grew(np.linspace(0.5, 0.25, 10), 0.25, 0.02) is None


def _job(optimizer="adam", lr=0.05) -> TrainJob:
    x, y = datasets.xor_easy()
    return TrainJob(
        dataset="xor", seed=0, hidden=(4, 4), activation="sigmoid", optimizer=optimizer, lr=lr, epochs=600, x=x, y=y
    )


def test_optimizer_probe_runs_differ_in_optimizer_and_key():
    given, other = optimizer_probe_jobs(_job())
    assert (given.optimizer, given.lr, given.epochs) == ("adam", 0.05, 1)
    assert (other.optimizer, other.epochs) == ("sgd", 1) and other.lr != 0.05
    assert len({given.key, other.key, _job().key}) == 3
    assert optimizer_probe_jobs(_job("sgd", 0.5))[1].lr != 0.5


def test_optimizer_ignored_when_both_runs_end_equal():
    params = _trained()
    moved = {k: v + 0.01 for k, v in params.items()}
    run = {"params": params, "diverged": ""}
    found = optimizer_ignored(_job(), run, {"params": {k: v.copy() for k, v in params.items()}, "diverged": ""})
    assert found.code == "train_optimizer_ignored" and "adam (lr=0.05)" in found.message
    assert optimizer_ignored(_job(), run, {"params": moved, "diverged": ""}) is None
    assert optimizer_ignored(_job(), run, {"params": params, "diverged": "the loss became NaN"}) is None


def test_chance_level_is_the_majority_share():
    assert chance_level(np.array([[0], [1], [1], [1]])) == 0.75
    assert chance_level(datasets.xor_easy()[1]) == pytest.approx(11 / 21)
