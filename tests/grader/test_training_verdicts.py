"""The seed policy of the training checks: a check passes on min_passing_seeds of the network
seeds, each seed's result is kept, and the item's diagnoses are attached once (no sandbox)."""

from __future__ import annotations

import numpy as np

from grader.check.plugin import Grade
from grader.check.training import (
    SeedRun,
    TrainJob,
    causes_text,
    diverged,
    first_failing,
    verdict,
)
from grader.lab import datasets
from grader.results import Diagnosis

PARAMS = {"min_accuracy": 0.95, "min_hidden_accuracy": 0.9, "min_passing_seeds": 2}
STUCK = Diagnosis("train_params_unchanged", "the parameters never change during training", "call update")


def _run(seed: int, acc: float | None, hidden: float | None = 1.0, history: str = "", cause=None) -> SeedRun:
    x, y = datasets.linear(10, seed)
    job = TrainJob(
        dataset="linear", seed=seed, hidden=(4, 4), activation="sigmoid", optimizer="sgd", lr=0.5, epochs=100, x=x, y=y
    )
    return SeedRun(job, {"params": {}, "losses": np.zeros(100), "seconds": 0.0}, acc, hidden, history, cause)


def test_two_of_three_seeds_pass_the_check():
    grade = Grade()
    runs = [_run(0, 0.5, cause=STUCK), _run(1, 1.0), _run(2, 0.96)]
    assert verdict(runs, "training", PARAMS, grade, "train_linear") == []
    assert grade.diagnoses == []


def test_one_of_three_fails_the_check_with_every_failing_seed():
    grade = Grade()
    runs = [_run(0, 0.5, cause=STUCK), _run(1, 1.0), _run(2, 0.6, cause=STUCK)]
    failing = verdict(runs, "training", PARAMS, grade, "train_linear")
    assert [run.job.seed for run in failing] == [0, 2]
    assert [(d.code, d.item) for d in grade.diagnoses] == [("train_params_unchanged", "train_linear")]
    assert causes_text(failing) == "the parameters never change during training: call update"


def test_diagnoses_go_to_the_first_failing_check_only():
    runs = [_run(s, 0.5, hidden=0.5, cause=STUCK) for s in range(3)]
    assert first_failing(runs, PARAMS) == "training"
    hidden = Grade()
    assert len(verdict(runs, "hidden", PARAMS, hidden, "train_linear")) == 3
    assert hidden.diagnoses == []  # the training check carries them
    training = Grade()
    verdict(runs, "training", PARAMS, training, "train_linear")
    assert len(training.diagnoses) == 1


def test_different_causes_are_named_seed_by_seed():
    job = _run(1, None).job
    runs = [
        _run(0, 0.5, cause=STUCK),
        _run(1, None, None, "diverged", diverged(job, "the loss became NaN at epoch 3 of 100")),
        _run(2, 0.5),
    ]
    failing = verdict(runs, "training", PARAMS, Grade(), "train_linear")
    text = causes_text(failing, hints=False)
    assert text.startswith("seed 0: the parameters never change during training; seed 1: training diverged")
    assert "seed 2" not in text  # no cause found: the generic advice covers it


def test_a_single_seed_rubric_needs_that_seed():
    params = dict(PARAMS, min_passing_seeds=1)
    assert verdict([_run(0, 0.96)], "training", params, Grade(), "train_linear") == []
    assert len(verdict([_run(0, 0.9)], "training", params, Grade(), "train_linear")) == 1
