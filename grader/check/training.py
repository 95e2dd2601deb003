"""Training jobs built from the rubric and the student's config, and their trusted evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from grader.contract import ACTIVATIONS, OPTIMIZERS
from grader.lab import datasets, spec
from grader.results import Diagnosis
from grader.sandbox import MalformedReply

CONFIG_KEYS = {"linear": "linear", "xor": "xor"}


TASKS = ("lab", "flipped", "secret")  # the rubric's data; its labels flipped; a task from the secret seed


@dataclass(frozen=True)
class TrainSettings:
    """What a training run is told: its data set, its seed and the (clamped) config.py entries.
    A check's run (TrainJob) and an experiment's run (grader.experiments.plan.RunSpec) share them."""

    dataset: str
    seed: int
    hidden: tuple[int, int]
    activation: str
    optimizer: str
    lr: float
    epochs: int


@dataclass(frozen=True)
class TrainJob(TrainSettings):
    """One training run the parent asks for: clamped config, data and seed."""

    x: np.ndarray = field(repr=False, compare=False)
    y: np.ndarray = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()  # what was clamped or defaulted, shown to the student
    # "flipped" (labels 1 - y) and "secret" (a task drawn from the secret seed) show that train()
    # learns the data it is given: hand-made weights fit only the lab's labels.
    task: str = "lab"

    @property
    def flipped(self) -> bool:
        return self.task == "flipped"

    @property
    def key(self) -> str:
        return f"{self.dataset}:{self.seed}" + ("" if self.task == "lab" else f":{self.task}")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.x.shape[1], *self.hidden, 1)

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        return spec.param_shapes(self.sizes)

    @property
    def what(self) -> str:
        """The run in words, as a reason names it."""
        return f"training on the {self.dataset} set" + {
            "lab": "",
            "flipped": " with its labels flipped (1 - y)",
            "secret": " on a task drawn from the grader's secret seed",
            "secret-2": " on a second task drawn from the grader's secret seed",
        }.get(self.task, f" for one epoch with {self.optimizer} (lr={self.lr:g})")

    def variant(self, task: str, params: dict, secret_seed: int) -> TrainJob:
        """The same run (config and seed) on the flipped labels or on the secret task."""
        if task == "flipped":
            x, y = self.x, 1 - self.y
        elif task in ("secret", "secret-2"):
            x, y = datasets.secret_task(self.dataset, params, secret_seed, draw=0 if task == "secret" else 1)
        else:
            raise ValueError(f"unknown task {task!r}; expected one of {TASKS[1:]}")
        return replace(self, x=x, y=y, task=task)


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


def make_jobs(raw_config: object, rubric, secret_seed: int) -> list[TrainJob]:
    """Every graded run of the rubric's training items (one per network seed, in rubric order),
    then, per data set, the first seed's runs on the flipped labels and on the secret task."""
    jobs, checks = [], []
    for item in rubric.items.values():
        dataset = item.params.get("dataset")
        if not dataset:
            continue
        config, notes = clamp_config(raw_config, dataset, rubric.limits)
        runs = []
        for seed in rubric.seeds.train:
            x, y = datasets.training_set(dataset, item.params, seed)
            runs.append(TrainJob(dataset=dataset, seed=seed, x=x, y=y, notes=tuple(notes), **config))
        jobs += runs
        checks += [runs[0].variant(task, item.params, secret_seed) for task in TASKS[1:]]
    return jobs + checks  # the graded runs first: they are what a student waits for


def accuracy(params: dict, x: np.ndarray, y: np.ndarray, activation: str) -> float:
    """Accuracy of the spec forward of params at threshold 0.5."""
    predictions = (spec.forward(params, x, activation) >= 0.5).astype(np.int64)
    return float(np.mean(predictions == y))


def loss_history_problem(
    losses: np.ndarray, final_mse: float, epochs: int, rtol: float, atol: float, own_loss: float | None = None
) -> str:
    """Why a reported loss history is not credible, or '' when it is.

    own_loss: the student's own losses.mse of the returned parameters' outputs; a history that
    matches it is consistent (a wrong mse costs points in the loss item, not twice).
    """
    if losses.size == 0:
        return "train() returned an empty loss history"
    if losses.size != epochs:
        return f"train() returned {losses.size} losses for {epochs} epochs: return one loss per epoch"
    if np.any(losses < 0):
        return "the reported losses contain negative values: MSE cannot be negative"
    if not loss_matches(losses[-1], final_mse, rtol, atol) and (
        own_loss is None or not loss_matches(losses[-1], own_loss, rtol, atol)
    ):
        return (
            f"the last reported loss {losses[-1]:.4g} does not match the MSE {final_mse:.4g} of the "
            "returned parameters on the training data: report mse(forward(x), y) of each epoch"
        )
    grew = loss_grew(losses, final_mse, atol)
    return f"{grew.message}: {grew.hint}" if grew else ""


def loss_matches(reported: float, actual: float, rtol: float, atol: float) -> bool:
    return bool(abs(reported - actual) <= atol + rtol * abs(actual))


def loss_grew(losses: np.ndarray, final_mse: float, atol: float) -> Diagnosis | None:
    """Training made the loss worse: gradient ascent, wrong gradients or a far too high lr."""
    if losses.size > 1 and np.all(np.isfinite(losses)) and losses[-1] > losses[0] and final_mse > atol:
        return Diagnosis(
            "train_loss_grew",
            f"the loss grew from {losses[0]:.4g} to {losses[-1]:.4g}",
            "check that backward returns +dL/dp and update subtracts it, then try a lower learning rate",
        )
    return None


# --- why a training run failed: the diagnoses, most specific first ------------------------------------


def diverged(job: TrainJob, what: str) -> Diagnosis:
    """NaN or overflow during training (`what` says where it showed)."""
    return Diagnosis(
        "train_diverged",
        f"training diverged: {what} (lr={job.lr:g}, {job.optimizer})",
        "lower lr in config.py, and check backward: it must return +dL/dp (see the backward item)",
    )


def params_unchanged(losses: np.ndarray) -> Diagnosis | None:
    """Every epoch reports the same loss (and the last one is the MSE of the returned parameters,
    which the loss history check verifies): the parameters never changed during training."""
    if losses.size < 2 or not np.all(np.isfinite(losses)):
        return None
    if float(np.ptp(losses)) > 1e-12 * max(1.0, float(np.max(np.abs(losses)))):
        return None
    return Diagnosis(
        "train_params_unchanged",
        f"the parameters never change during training: the loss stays at {losses[0]:.4g} for all {losses.size} epochs",
        "train() must apply the gradients every step, net.update(net.backward(y)) after net.forward(x); "
        "if it does, check that backward returns non-zero gradients and the optimizer changes net.params",
    )


def identical_units(params: dict) -> Diagnosis | None:
    """A hidden layer whose units all have the same weights and bias: they started equal (zero or
    constant initialisation), get equal gradients and stay copies of one another."""
    for k in range(1, spec.n_layers(params)):
        weights, bias = params[f"W{k}"], params[f"b{k}"]
        if (
            weights.shape[1] > 1
            and np.allclose(weights, weights[:, :1], rtol=1e-9, atol=1e-12)
            and np.allclose(bias, bias[0], rtol=1e-9, atol=1e-12)
        ):
            return Diagnosis(
                "train_identical_units",
                f"the hidden units are identical: after training every column of W{k} and every entry of "
                f"b{k} are equal, so the {weights.shape[1]} units of layer {k} act as one",
                "break the symmetry with random init: draw the initial weights from "
                "np.random.default_rng(seed) in Network.__init__ (zero or constant weights stay equal)",
            )
    return None


def forward_differs(student: np.ndarray, params: dict, x: np.ndarray, activation: str) -> Diagnosis | None:
    """The student's forward on the trained parameters is not the lab's: training optimised
    another function than the one the grader evaluates."""
    expected = spec.forward(params, x, activation)
    if np.allclose(student, expected, rtol=1e-6, atol=1e-8):
        return None
    last = spec.n_layers(params)
    hidden = {k: v for k, v in params.items() if int(k[1:]) < last}
    below = spec.forward(hidden, x, activation) if hidden else x
    if np.allclose(student, below @ params[f"W{last}"] + params[f"b{last}"], rtol=1e-6, atol=1e-8):
        return Diagnosis(
            "train_forward_no_output_activation",
            f"your forward has no {activation} on the output layer (see the forward item): it trained a "
            "network whose outputs are not probabilities, and predict thresholds them at 0.5",
            f"apply {activation} on every layer, output included; then train again",
        )
    return Diagnosis(
        "train_forward_differs",
        "your forward computes another function than the lab's (see the forward item), so the trained "
        "parameters do not predict what your network learned",
        "fix forward first: a = act(a @ W_k + b_k) on every layer",
    )


def optimizer_probe_jobs(job: TrainJob) -> tuple[TrainJob, TrainJob]:
    """One epoch with the job's optimizer and one with SGD at another learning rate, same seed: a
    Network that uses the optimizer it is given ends them with different parameters."""
    given = replace(job, epochs=1, task="optimizer-given")
    return given, replace(job, epochs=1, optimizer="sgd", lr=other_lr(job), task="optimizer-other")


def optimizer_ignored(job: TrainJob, given: dict, other: dict) -> Diagnosis | None:
    """Both one-epoch runs (optimizer_probe_jobs) returned the same parameters."""
    if given["diverged"] or other["diverged"]:
        return None
    if not all(np.array_equal(given["params"][k], other["params"][k]) for k in given["params"]):
        return None
    return Diagnosis(
        "train_optimizer_ignored",
        f"Network ignores the optimizer it is given: one epoch with {job.optimizer} (lr={job.lr:g}) and one "
        f"with sgd (lr={other_lr(job):g}) end with the same parameters, so config.py's optimizer and lr "
        "have no effect",
        "in Network.__init__ keep the optimizer argument (SGD(lr=0.1) only when it is None) and let update "
        "call self.optimizer.step(self.params, grads)",
    )


def other_lr(job: TrainJob) -> float:
    return 0.5 if not np.isclose(job.lr, 0.5) else 0.25


def backward_differs(student: dict, params: dict, x: np.ndarray, y: np.ndarray, activation: str) -> Diagnosis | None:
    """The student's gradients at the trained parameters are not the lab's (forward being right)."""
    expected = spec.gradient(params, x, y, activation)
    wrong = [
        k
        for k in expected
        if k not in student
        or np.shape(student[k]) != expected[k].shape
        or not np.allclose(student[k], expected[k], rtol=1e-4, atol=1e-7)
    ]
    if not wrong:
        return None
    return Diagnosis(
        "train_backward_differs",
        f"backward returns wrong gradients at the trained parameters ({', '.join(wrong[:4])}), so training "
        "follows the wrong direction (see the backward item)",
        "fix backward first; then tune lr, epochs or hidden sizes in config.py if it still does not learn",
    )


def chance_level(y: np.ndarray) -> float:
    """The accuracy of always predicting the majority label."""
    share = float(np.mean(y))
    return max(share, 1.0 - share)


# --- the seed policy: a check passes on min_passing_seeds of the network seeds -------------------------

CHECKS = ("training", "hidden", "history")  # the item's checks, in the order their diagnoses are attached


@dataclass
class SeedRun:
    """One graded training run and what the parent found in it."""

    job: TrainJob
    result: dict
    accuracy: float | None  # on the training points; None when training diverged
    hidden_accuracy: float | None
    history: str  # why the loss history is not credible, or ''
    cause: Diagnosis | None  # why the run fails a check, when known

    def passes(self, check: str, params: dict) -> bool:
        if check == "history":
            return not self.history
        value = self.accuracy if check == "training" else self.hidden_accuracy
        threshold = params["min_accuracy"] if check == "training" else params["min_hidden_accuracy"]
        return value is not None and value >= threshold


def causes_text(failing: list[SeedRun], hints: bool = True) -> str:
    """The causes of the failing runs in words: once when they agree, else grouped by seed."""
    seeds: dict[str, list[str]] = {}
    causes: dict[str, Diagnosis] = {}
    for run in failing:
        if run.cause is not None:
            seeds.setdefault(run.cause.code, []).append(str(run.job.seed))
            causes.setdefault(run.cause.code, run.cause)
    if not causes:
        return ""

    def text(cause: Diagnosis) -> str:
        return f"{cause.message}: {cause.hint}" if hints else cause.message

    if len(causes) == 1 and sum(len(s) for s in seeds.values()) == len(failing):
        return text(next(iter(causes.values())))
    return "; ".join(
        f"seed{'s' if len(s) > 1 else ''} {', '.join(s)}: {text(causes[code])}" for code, s in seeds.items()
    )


def first_failing(runs: list[SeedRun], params: dict) -> str | None:
    """The first check (in CHECKS order) that fewer than min_passing_seeds runs pass, or None."""
    needed = min(params["min_passing_seeds"], len(runs))
    return next((c for c in CHECKS if sum(r.passes(c, params) for r in runs) < needed), None)


def verdict(runs: list[SeedRun], check: str, params: dict, grade, item_key: str) -> list[SeedRun]:
    """The failing runs when fewer than min_passing_seeds pass `check`, else []. The item's diagnoses
    are attached to its first failing check in CHECKS order (so they appear once, in any order)."""
    needed = min(params["min_passing_seeds"], len(runs))
    failing = [run for run in runs if not run.passes(check, params)]
    if len(runs) - len(failing) >= needed:
        return []
    if first_failing(runs, params) == check:
        codes: set[str] = set()
        for run in failing:
            if run.cause is not None and run.cause.code not in codes:
                codes.add(run.cause.code)
                grade.diagnoses.append(Diagnosis(run.cause.code, run.cause.message, run.cause.hint, item_key))
    return failing
