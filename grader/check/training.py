"""Training jobs built from the rubric and the student's config, and their trusted evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.contract import ACTIVATIONS, OPTIMIZERS
from grader.lab import datasets, spec
from grader.sandbox import MalformedReply

CONFIG_KEYS = {"linear": "linear", "xor": "xor"}


@dataclass(frozen=True)
class TrainJob:
    """One training run the parent asks for: clamped config, data and seed."""

    dataset: str
    seed: int
    hidden: tuple[int, int]
    activation: str
    optimizer: str
    lr: float
    epochs: int
    x: np.ndarray = field(repr=False, compare=False)
    y: np.ndarray = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()  # what was clamped or defaulted, shown to the student
    flipped: bool = False  # labels 1 - y: shows train() learns the data it is given

    @property
    def key(self) -> str:
        return f"{self.dataset}:{self.seed}" + (":flipped" if self.flipped else "")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.x.shape[1], *self.hidden, 1)

    @property
    def param_shapes(self) -> dict[str, tuple]:
        return spec.param_shapes(self.sizes)


def clamp_config(raw: object, dataset: str, limits) -> tuple[dict, list[str]]:
    """The student's HYPERPARAMETERS[dataset] within the rubric's limits, with notes."""
    notes: list[str] = []
    entry = raw.get(CONFIG_KEYS[dataset]) if isinstance(raw, dict) else None
    if not isinstance(entry, dict):
        raise MalformedReply(f'config.HYPERPARAMETERS has no "{CONFIG_KEYS[dataset]}" entry (a dict)')

    def number(key, default, low, high, kind):
        value = entry.get(key, default)
        try:
            value = kind(value)
        except (TypeError, ValueError):
            notes.append(f"{key}={entry.get(key)!r} is not a number; used {default}")
            value = default
        clamped = min(max(value, low), high)
        if clamped != value:
            notes.append(f"{key}={value} clamped to {clamped}")
        return clamped

    hidden = entry.get("hidden", (4, 4))
    if not (isinstance(hidden, (list, tuple)) and len(hidden) == 2):
        notes.append(f"hidden={hidden!r} is not (h1, h2); used (4, 4)")
        hidden = (4, 4)
    widths = []
    for width in hidden:
        try:
            width = int(width)
        except (TypeError, ValueError):
            width = 4
        widths.append(min(max(width, 1), limits.max_hidden))
    if tuple(widths) != tuple(hidden):
        notes.append(f"hidden={tuple(hidden)} clamped to {tuple(widths)}")
    activation = str(entry.get("activation", "sigmoid")).lower()
    if activation not in ACTIVATIONS:
        notes.append(f"activation {activation!r} unknown; used sigmoid")
        activation = "sigmoid"
    optimizer = str(entry.get("optimizer") or "sgd").lower()
    if optimizer not in OPTIMIZERS:
        notes.append(f"optimizer {optimizer!r} unknown; used sgd")
        optimizer = "sgd"
    config = {
        "hidden": tuple(widths),
        "activation": activation,
        "optimizer": optimizer,
        "lr": number("lr", 0.1, limits.min_lr, limits.max_lr, float),
        "epochs": int(number("epochs", 1000, 1, limits.max_epochs, int)),
    }
    return config, notes


def make_jobs(raw_config: object, rubric) -> list[TrainJob]:
    """Every training job of the rubric's training items, in rubric order."""
    jobs, flipped = [], []
    for item in rubric.items.values():
        dataset = item.params.get("dataset")
        if not dataset:
            continue
        config, notes = clamp_config(raw_config, dataset, rubric.limits)
        for seed in rubric.seeds.train:
            x, y = datasets.training_set(dataset, item.params, seed)
            jobs.append(TrainJob(dataset=dataset, seed=seed, x=x, y=y, notes=tuple(notes), **config))
        # Hand-made weights fit only the lab's labels: the flipped run shows training produced them.
        first = jobs[-len(rubric.seeds.train)]
        flipped.append(TrainJob(dataset=dataset, seed=first.seed, x=first.x, y=1 - first.y, notes=tuple(notes),
                                flipped=True, **config))
    return jobs + flipped  # the graded runs first: they are what a student waits for


def accuracy(params: dict, x: np.ndarray, y: np.ndarray, activation: str) -> float:
    """Accuracy of the spec forward of params at threshold 0.5."""
    predictions = (spec.forward(params, x, activation) >= 0.5).astype(np.int64)
    return float(np.mean(predictions == y))


def loss_history_problem(losses: np.ndarray, final_mse: float, epochs: int, rtol: float, atol: float) -> str:
    """Why a reported loss history is not credible, or '' when it is."""
    if losses.size == 0:
        return "train() returned an empty loss history"
    if losses.size != epochs:
        return f"train() returned {losses.size} losses for {epochs} epochs: return one loss per epoch"
    if np.any(losses < 0):
        return "the reported losses contain negative values: MSE cannot be negative"
    if abs(losses[-1] - final_mse) > atol + rtol * final_mse:
        return (
            f"the last reported loss {losses[-1]:.4g} does not match the MSE {final_mse:.4g} of the "
            "returned parameters on the training data: report mse(forward(x), y) of each epoch"
        )
    if losses.size > 1 and losses[-1] > losses[0] and final_mse > atol:
        return (f"the loss grew from {losses[0]:.4g} to {losses[-1]:.4g}: check that backward returns "
                "+dL/dp and update subtracts it, then try a lower learning rate")
    return ""
