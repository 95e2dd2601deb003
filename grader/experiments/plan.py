"""What `grade experiments` runs: the lab's discussion experiments, one thing varied at a time.

Starting point: the student's own config.HYPERPARAMETERS[dataset], clamped like the graded
training runs (grader.check.training.clamp_config) but with a wider hidden-width bound so the
hidden-units experiment can reach 100. Then, per data set:

    learning_rate   lr in 0.01, 0.1, 1 (and the student's own lr)
    hidden_units    (h, h) for h in 2, 4, 16, 100 (and the student's own widths)
    no_activation   the student's config against a network without activation (identity) trained
                    with SGD at a learning rate where it converges, on both data sets: it learns
                    `linear` but not XOR
    activations     sigmoid and each extra activation the submission implements
    optimizers      SGD and each extra optimizer the submission implements

An extra the submission does not implement (NotImplementedError, or no such name) is
skipped with a note; one that is implemented but broken is run, and fails in the table.
Identical runs shared by several experiments (the student's own config appears in most)
are trained once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.check.training import TrainSettings, clamp_config
from grader.contract import DATASET_TITLES, DATASETS, EXTRA_ACTIVATIONS, EXTRA_OPTIMIZERS, OPTIMIZER_CLASSES
from grader.lab import datasets
from grader.sandbox import NotAttempted, ProbeError, SubmissionError

LEARNING_RATES = (0.01, 0.1, 1.0)
HIDDEN_UNITS = (2, 4, 16, 100)
EXPERIMENT_MAX_HIDDEN = 128
CHUNKS = 50  # accuracy is measured at this many chunk boundaries per run
DEFAULT_CONFIG: dict[str, Any] = {
    "hidden": (4, 4),
    "activation": "sigmoid",
    "optimizer": "sgd",
    "lr": 0.1,
    "epochs": 1000,
}

EXPERIMENT_TITLES = {
    "learning_rate": "Learning rate",
    "hidden_units": "Hidden units",
    "no_activation": "Without activation functions",
    "activations": "Activation functions",
    "optimizers": "Optimizers",
}


@dataclass(frozen=True)
class RunSpec(TrainSettings):
    """One training run: a fresh network trained with the student's train() in the sandbox."""

    @property
    def key(self) -> tuple:
        return (self.dataset, self.seed, self.hidden, self.activation, self.optimizer, float(self.lr), self.epochs)

    def config(self) -> dict:
        """The run's settings as JSON data."""
        return {
            "hidden": list(self.hidden),
            "activation": self.activation,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "epochs": self.epochs,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Variant:
    """One curve of an experiment's figure, one row of its table."""

    label: str
    run: RunSpec
    baseline: bool = False  # the student's own config


@dataclass(frozen=True)
class Experiment:
    """One thing varied on one data set: one figure, one table."""

    key: str
    dataset: str
    variants: tuple[Variant, ...]
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """File stem of the figure, unique in a plan: e.g. xor_learning_rate."""
        return f"{self.dataset}_{self.key}"

    @property
    def title(self) -> str:
        return f"{EXPERIMENT_TITLES.get(self.key, self.key)} ({DATASET_TITLES.get(self.dataset, self.dataset)})"


@dataclass(frozen=True)
class Availability:
    """Which extras the submission implements, and why the others are skipped."""

    activations: dict[str, bool] = field(default_factory=dict)  # identity and the extra activations
    optimizers: dict[str, bool] = field(default_factory=dict)  # the extra optimizers
    notes: dict[str, str] = field(default_factory=dict)  # name -> why skipped (or a warning)

    @classmethod
    def everything(cls) -> Availability:
        """All extras assumed implemented (plans built without a submission, for tests)."""
        return cls(dict.fromkeys(("identity", *EXTRA_ACTIVATIONS), True), dict.fromkeys(EXTRA_OPTIMIZERS, True))


@dataclass
class Plan:
    """The experiments to run, in order, with the base config and notes for the report."""

    experiments: list[Experiment]
    base: dict[str, dict]  # dataset -> clamped config
    data: dict[str, tuple[np.ndarray, np.ndarray]] = field(repr=False)  # dataset -> (x, y)
    notes: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"kind", "name", "reason"}

    def runs(self) -> list[RunSpec]:
        """The distinct training runs, in plan order."""
        seen: dict[tuple, RunSpec] = {}
        for experiment in self.experiments:
            for variant in experiment.variants:
                seen.setdefault(variant.run.key, variant.run)
        return list(seen.values())


# --- availability of the extras ------------------------------------------------------------


def _is_missing_name(exc: ProbeError) -> bool:
    """The function or class does not exist at all (counts as not implemented)."""
    return isinstance(exc, SubmissionError) and "AttributeError" in exc.reason


def probe_availability(probes) -> Availability:
    """Ask the sandbox cheaply which extras exist: one tiny call per function or class."""
    activations: dict[str, bool] = {}
    optimizers: dict[str, bool] = {}
    notes: dict[str, str] = {}
    for module, names, found in (
        ("activations", ("identity", *EXTRA_ACTIVATIONS), activations),
        ("optimizers", EXTRA_OPTIMIZERS, optimizers),
    ):
        try:
            probes.require(module)
        except ProbeError as exc:
            for name in names:
                found[name], notes[name] = False, exc.reason
    if activations and optimizers:
        return Availability(activations, optimizers, notes)
    x = np.array([[-1.5, -0.25, 0.0, 0.5, 2.0]])
    for name in ("identity", *EXTRA_ACTIVATIONS):
        if name in activations:
            continue
        activations[name] = True
        for func, arg in ((name, x), (f"derivative_{name}", np.abs(x) / 3.0)):
            try:
                probes.call("activations", func, arg, what=f"activations.{func}")
            except NotAttempted:
                activations[name] = False
                notes[name] = f"activations.{func} is not implemented yet (NotImplementedError)"
                break
            except ProbeError as exc:
                if _is_missing_name(exc):
                    activations[name] = False
                    notes[name] = f"activations.py has no {func}"
                    break
                notes[name] = f"{func} is implemented but failed a quick call: {exc.reason}"
                break  # implemented but broken: the runs show it
    params = {"W1": np.array([[0.5], [-0.25]]), "b1": np.array([0.1])}
    grads = {"W1": np.array([[0.1], [-0.2]]), "b1": np.array([0.05])}
    for name in EXTRA_OPTIMIZERS:
        if name in optimizers:
            continue
        cls = OPTIMIZER_CLASSES[name]
        optimizers[name] = True
        try:
            probes.optimizer_steps(cls, {"lr": 0.01}, params, grads, 1, what=f"optimizers.{cls}")
        except NotAttempted:
            optimizers[name] = False
            notes[name] = f"optimizers.{cls} is not implemented yet (NotImplementedError)"
        except ProbeError as exc:
            if _is_missing_name(exc):
                optimizers[name] = False
                notes[name] = f"optimizers.py has no class {cls}"
            else:
                notes[name] = f"{cls} is implemented but failed a quick step: {exc.reason}"
    return Availability(activations, optimizers, notes)


# --- the plan --------------------------------------------------------------------------------


def experiment_limits(limits):
    """The rubric's training clamps, with hidden widths allowed up to 128 for the experiments."""
    return dataclasses.replace(limits, max_hidden=max(int(limits.max_hidden), EXPERIMENT_MAX_HIDDEN))


def training_data(rubric, dataset: str) -> tuple[np.ndarray, np.ndarray]:
    """The rubric's training set of a data set, with its first train seed."""
    params = {}
    for item in rubric.items.values():
        if item.params.get("dataset") == dataset:
            params = item.params
            break
    return datasets.training_set(dataset, params, rubric.seeds.train[0])


def base_config(raw_config, dataset: str, rubric, max_epochs: int | None = None) -> tuple[dict, list[str]]:
    """The student's clamped config for a data set; defaults (with a note) when it is unusable."""
    limits = experiment_limits(rubric.limits)
    if raw_config is None:
        config, notes = dict(DEFAULT_CONFIG), list[str]()
    else:
        try:
            config, notes = clamp_config(raw_config, dataset, limits)
        except ProbeError as exc:
            config, notes = dict(DEFAULT_CONFIG), [f"{exc.reason}; used the defaults"]
    config["epochs"] = min(int(config["epochs"]), int(rubric.limits.max_epochs))
    if max_epochs is not None and config["epochs"] > max_epochs:
        notes.append(f"epochs={config['epochs']} limited to {max_epochs} for this run")
        config["epochs"] = int(max_epochs)
    config["hidden"] = tuple(int(h) for h in config["hidden"])
    return config, notes


def _format_lr(lr: float) -> str:
    return f"{lr:g}"


def _mark(label: str, baseline: bool) -> str:
    return f"{label} (your config)" if baseline else label


def _variants(base: RunSpec, field_name: str, values, label) -> tuple[Variant, ...]:
    """Variants of base with field_name set to each value; the student's own value is kept too."""
    own = getattr(base, field_name)
    values = list(values)
    if own not in values:
        values.append(own)
    out, seen = [], set()
    for value in values:
        run = dataclasses.replace(base, **{field_name: value})
        if run.key in seen:
            continue
        seen.add(run.key)
        out.append(Variant(_mark(label(value), value == own), run, value == own))
    return tuple(out)


def build_plan(
    raw_config,
    rubric,
    datasets_: tuple[str, ...] = ("xor",),
    availability: Availability | None = None,
    *,
    max_epochs: int | None = None,
    config_note: str = "",
) -> Plan:
    """Every experiment for the data sets, in a fixed order (the order of the report)."""
    available = availability or Availability.everything()
    seed = int(rubric.seeds.train[0])
    experiments, base_configs, data, notes, skipped = [], {}, {}, [], []
    if config_note:
        notes.append(config_note)
    for name in ("identity", *EXTRA_ACTIVATIONS, *EXTRA_OPTIMIZERS):
        known = available.activations.get(name, available.optimizers.get(name, False))
        reason = available.notes.get(name, "")
        if not known:
            kind = "optimizer" if name in EXTRA_OPTIMIZERS else "activation"
            skipped.append({"kind": kind, "name": name, "reason": reason or "not implemented"})
        elif reason:
            notes.append(f"{name}: {reason}")
    for dataset in datasets_:
        if dataset not in DATASETS:
            raise ValueError(f"unknown data set {dataset!r}; expected one of {DATASETS}")
        config, config_notes = base_config(raw_config, dataset, rubric, max_epochs)
        base_configs[dataset] = config
        data[dataset] = training_data(rubric, dataset)
        notes.extend(f"{DATASET_TITLES[dataset]} config: {note}" for note in config_notes)
        base = RunSpec(
            dataset=dataset,
            seed=seed,
            hidden=config["hidden"],
            activation=config["activation"],
            optimizer=config["optimizer"],
            lr=float(config["lr"]),
            epochs=int(config["epochs"]),
        )

        lrs = _variants(base, "lr", LEARNING_RATES, lambda v: f"lr = {_format_lr(v)}")
        experiments.append(Experiment("learning_rate", dataset, tuple(sorted(lrs, key=lambda v: v.run.lr))))

        hidden = _variants(base, "hidden", [(h, h) for h in HIDDEN_UNITS], lambda v: f"hidden {v[0]}, {v[1]}")
        experiments.append(
            Experiment("hidden_units", dataset, tuple(sorted(hidden, key=lambda v: (max(v.run.hidden), v.run.hidden))))
        )

        if available.activations.get("identity", False):
            other_set = next(d for d in DATASETS if d != dataset)
            data.setdefault(other_set, training_data(rubric, other_set))
            experiments.append(Experiment("no_activation", dataset, no_activation_variants(base, other_set)))

        extras = [name for name in EXTRA_ACTIVATIONS if available.activations.get(name, False)]
        if extras:
            names = ["sigmoid", *extras]
            experiments.append(
                Experiment("activations", dataset, _variants(base, "activation", names, _activation_label))
            )
        extras = [name for name in EXTRA_OPTIMIZERS if available.optimizers.get(name, False)]
        if extras:
            names = ["sgd", *extras]
            experiments.append(
                Experiment(
                    "optimizers", dataset, _variants(base, "optimizer", names, lambda v: OPTIMIZER_CLASSES.get(v, v))
                )
            )
    return Plan(experiments, base_configs, data, notes, skipped)


def linear_network_lr(hidden: tuple[int, int]) -> float:
    """A learning rate at which SGD trains a network without activation to convergence.

    Without an activation the network is a product of matrices whose curvature grows with its
    width: measured on both data sets, SGD converges up to lr 0.1 at widths 4-10, 0.05 at 32,
    0.01 at 64, and diverges to NaN at 0.1 and width 64 (the student's lr often does).
    """
    return min(0.05, 0.5 / max(hidden))


def no_activation_variants(base: RunSpec, other_set: str) -> tuple[Variant, ...]:
    """The student's config, then a network without activation (SGD at a learning rate where it
    converges) on this data set and on the other one: it learns `linear` but not XOR, because
    a product of matrices is a linear map."""
    linear = dataclasses.replace(base, activation="identity", optimizer="sgd", lr=linear_network_lr(base.hidden))
    label = f"none (identity), SGD lr {_format_lr(linear.lr)}"
    variants = [Variant(_mark(_activation_label(base.activation), True), base, True)]
    if linear.key != base.key:
        variants.append(Variant(f"{label}, {DATASET_TITLES[base.dataset]} set", linear))
    variants.append(
        Variant(f"{label}, {DATASET_TITLES[other_set]} set", dataclasses.replace(linear, dataset=other_set))
    )
    return tuple(variants)


def _activation_label(name: str) -> str:
    return "none (identity)" if name == "identity" else name


def chunk_boundaries(epochs: int, chunks: int = CHUNKS) -> list[int]:
    """Cumulative epoch counts at the end of each chunk: at most `chunks` nearly equal chunks."""
    epochs = int(epochs)
    n = max(1, min(int(chunks), epochs))
    bounds = np.round(np.linspace(0, epochs, n + 1)).astype(np.int64)[1:]
    return [int(b) for b in bounds]


def chunk_sizes(boundaries: list[int]) -> list[int]:
    """Epochs of each chunk from the cumulative boundaries."""
    return [int(b - a) for a, b in zip([0, *boundaries[:-1]], boundaries)]
