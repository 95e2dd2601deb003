"""A synthetic GradeResult for the report tests and the report benchmark (no submission needed)."""

from __future__ import annotations

import numpy as np

from grader.results import CheckOutcome, Diagnosis, GradeResult, ItemResult, ManualItem

EVIL = "<script>alert('pwned')</script>"
STUDENT_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "network.py", line 42, in backward\n'
    f'    raise ValueError("{EVIL} & friends")\n'
    f"ValueError: {EVIL} & friends\n"
)


def _xor():
    inputs, labels = [], []
    for i in range(11):
        inputs.append([0.1 * i, 0.1 * i])
        labels.append(0)
        if i == 5:
            continue
        inputs.append([0.1 * i, 1 - 0.1 * i])
        labels.append(1)
    return np.array(inputs, dtype=float), np.array(labels, dtype=int).reshape(-1, 1)


def _params(rng, sizes=(2, 4, 4, 1)):
    params = {}
    for k in range(1, len(sizes)):
        params[f"W{k}"] = rng.standard_normal((sizes[k - 1], sizes[k])) * 2.0
        params[f"b{k}"] = rng.standard_normal(sizes[k])
    return params


def _losses(rng, epochs, start=0.25, rate=4.0):
    t = np.arange(epochs) / max(epochs, 1)
    noise = 1.0 + 0.05 * rng.standard_normal(epochs)
    return start * np.exp(-rate * t) * noise + 1e-4


def make_artifacts(epochs: int = 2000, seed: int = 0) -> dict:
    """Artifacts in the shape of docs/architecture.md, with small real arrays."""
    rng = np.random.default_rng(seed)
    lin_x = rng.uniform(0, 1, (100, 2))
    lin_y = (lin_x[:, 0] <= lin_x[:, 1]).astype(int).reshape(-1, 1)
    xor_x, xor_y = _xor()
    return {
        "train": {
            "linear": {
                "x": lin_x,
                "y": lin_y,
                "params": _params(rng),
                "losses": _losses(rng, epochs),
                "activation": "sigmoid",
                "hidden_x": rng.uniform(0, 1, (50, 2)),
                "hidden_y": rng.integers(0, 2, (50, 1)),
                "reference_losses": _losses(rng, epochs, rate=6.0),
                "config": {"hidden": [4, 4], "activation": "sigmoid", "optimizer": "sgd", "lr": 0.1, "epochs": epochs},
            },
            "xor": {
                "x": xor_x,
                "y": xor_y,
                "params": _params(rng),
                "losses": _losses(rng, epochs, rate=2.0),
                "activation": "tanh",
                "hidden_x": None,
                "hidden_y": None,
                "reference_losses": None,
            },
        },
        "gradcheck": {
            "sizes": [2, 4, 4, 1],
            "tolerance": 1e-5,
            "relative_errors": {
                "W1": 3e-10,
                "b1": 0.5,
                "W2": 2e-9,
                "b2": 0.0,
                "W3": 1e-11,
                "b3": float("inf"),
            },
        },
    }


def make_result(epochs: int = 2000, seed: int = 0) -> GradeResult:
    """Passed, failed (with diagnoses), crashed (student traceback) and not-attempted items."""
    diag = Diagnosis(
        code="bias_not_summed",
        message="gradient of b1 uses only the first sample",
        hint="sum delta over the batch axis: db = delta.sum(axis=0)",
        item="backward",
    )
    items = [
        ItemResult(
            key="activations",
            title="Sigmoid and its derivative",
            score=10,
            max_score=10,
            status="passed",
            reason="all 4 checks passed",
            checks=[CheckOutcome("test_sigmoid", "activations", "passed", 1.0, duration=0.01)],
        ),
        ItemResult(
            key="backward",
            title="Backward pass",
            score=10,
            max_score=25,
            status="failed",
            reason="gradient of b1 is wrong: relative error 0.5 (tolerance 1e-5) " + "x" * 150,
            checks=[
                CheckOutcome(
                    "test_gradient[2-4-4-1]",
                    "backward",
                    "failed",
                    0.4,
                    reason="gradient of b1 differs",
                    duration=0.2,
                    diagnoses=[diag],
                ),
            ],
        ),
        ItemResult(
            key="train_xor",
            title="Trains on XOR",
            score=0,
            max_score=15,
            status="failed",
            reason=f"train() crashed: ValueError: {EVIL}",
            checks=[
                CheckOutcome(
                    "test_train_xor",
                    "train_xor",
                    "error",
                    0.0,
                    reason=f"train() crashed: {EVIL}",
                    duration=0.5,
                    traceback=STUDENT_TRACEBACK,
                ),
            ],
        ),
        ItemResult(
            key="optimizers",
            title="Extra: optimizers",
            score=0,
            max_score=10,
            status="failed",
            reason="not attempted",
            not_attempted=True,
            checks=[
                CheckOutcome("test_adam", "optimizers", "not_attempted", 0.0, reason="Adam raises NotImplementedError")
            ],
        ),
    ]
    return GradeResult(
        score=sum(i.score for i in items),
        max_score=sum(i.max_score for i in items),
        items=items,
        execution_time=1.234,
        output="20 / 60",
        manual_items=[ManualItem("report", "Lab report", 20)],
        flags=[f"suspicious output: {EVIL}"],
        meta={
            "grader_version": "0.1.0",
            "rubric_name": "lab1",
            "rubric_sha256": "abc123",
            "submission_sha256": "def456",
            "python": "3.11.2",
            "numpy": "2.4.6",
            "seeds": {"probe": 2026, "train": [0], "hidden": "rubric"},
            "platform": "linux",
            "timings": {"test_sigmoid": 0.01},
        },
        artifacts=make_artifacts(epochs, seed),
    )
