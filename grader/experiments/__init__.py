"""`grade experiments`: the lab's discussion experiments, run with the student's own code.

    from grader.experiments import run_experiments
    report = run_experiments("student", "out/", datasets=("xor",), jobs=2)
    report.paths["markdown"], report.paths["json"], report.figures  # what was written

Starting from the student's config (clamped), one setting is varied at a time (learning
rate, hidden units, no activation, and each extra activation and optimizer the submission
implements; see grader.experiments.plan). Every run trains a fresh network with the
student's train() inside a sandbox, in ~50 chunks of epochs; the parent computes the
accuracy after each chunk and the final loss from the returned parameters. The submission
is never imported in this process. Writes, atomically, into out_dir:

    <dataset>_<experiment>.png   learning curves of the variants (one figure per experiment)
    experiments.md               one Markdown table per experiment, figures by relative path
    experiments.json             the raw numbers

A failing run (crash, timeout, bad reply, exception) is reported with its reason and the
others still run; bad submissions never raise. Results are deterministic (seeds from the
rubric) and do not depend on the number of jobs.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.usage import UsageError, resolve_rubric, resolve_submission

# Only light imports here: grader/cli.py imports grader.experiments.cli (and so this package)
# for every `grade` command; numpy, the sandbox and matplotlib load when experiments run.
if TYPE_CHECKING:
    from grader.experiments.plan import Experiment, Plan
    from grader.experiments.runner import RunResult
    from grader.rubric.loader import Rubric

SCHEMA_VERSION = 1
MARKDOWN_NAME = "experiments.md"
JSON_NAME = "experiments.json"


@dataclass
class ExperimentRow:
    """One variant of one experiment: a row of its table, a curve of its figure."""

    experiment: str  # the experiment's name, e.g. "xor_learning_rate"
    key: str  # the experiment's kind, e.g. "learning_rate"
    dataset: str
    variant: str
    baseline: bool
    result: RunResult

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def final_loss(self) -> float | None:
        return self.result.final_loss

    @property
    def accuracy(self) -> float | None:
        return self.result.accuracy

    @property
    def epochs_to_100(self) -> int | None:
        return self.result.epochs_to_100

    @property
    def seconds(self) -> float | None:
        return self.result.seconds

    @property
    def reason(self) -> str:
        return self.result.reason


@dataclass
class ExperimentsReport:
    """What run_experiments did and wrote."""

    submission: Path
    out_dir: Path
    rubric_name: str
    seed: int
    experiments: list[Experiment]
    rows: list[ExperimentRow]
    base: dict[str, dict]
    notes: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    figures: dict[str, Path] = field(default_factory=dict)  # experiment name -> PNG
    paths: dict[str, Path] = field(default_factory=dict)  # "markdown", "json"
    runs: int = 0  # distinct training runs (shared variants run once)
    jobs: int = 1
    seconds: float = 0.0

    @property
    def failed(self) -> list[ExperimentRow]:
        """Rows whose run failed (crash, timeout, bad reply, exception) or is not attempted."""
        return [row for row in self.rows if row.status in ("failed", "not_attempted")]

    @property
    def diverged(self) -> list[ExperimentRow]:
        """Rows whose training blew up to NaN or infinity: a result, not a failure of the code."""
        return [row for row in self.rows if row.status == "diverged"]

    @property
    def ok(self) -> bool:
        """At least one run finished."""
        return any(row.result.ok for row in self.rows)


def _frameworks() -> list[str]:
    from grader.scan.imports import FRAMEWORKS

    return sorted(FRAMEWORKS)


def run_experiments(submission, out_dir, *, rubric=None, datasets=("xor",), jobs: int = 2,
                    progress=True, max_epochs: int | None = None, timeout: float | None = None) -> ExperimentsReport:
    """Run the discussion experiments on a submission and write figures, experiments.md and .json.

    rubric: Rubric, path or None (rubric/lab1.toml). datasets: some of "linear", "xor".
    jobs: sandboxes (child processes) training in parallel. progress: a progress bar or
    counter on stderr. max_epochs: cap on every run's epochs (quick runs, tests).
    timeout: seconds per training run (default: twice the rubric's train_seconds, since
    the experiments train wider networks than the student's config).
    Raises UsageError for a missing folder, a bad rubric or bad arguments; never for a bad submission.
    """
    from grader.atomic import atomic_write_text
    from grader.experiments import figures as figure_module
    from grader.experiments.plan import DATASETS, Availability, build_plan, probe_availability
    from grader.experiments.runner import Progress, RunResult, Workers
    from grader.experiments.table import render_markdown
    from grader.sandbox import ChildLimits, ProbeError, Sandbox

    started = time.perf_counter()
    submission = resolve_submission(submission)
    rubric = resolve_rubric(rubric)
    datasets = tuple(dict.fromkeys(datasets))
    unknown = [d for d in datasets if d not in DATASETS]
    if unknown or not datasets:
        raise UsageError(f"unknown data set(s) {unknown or list(datasets)}; expected some of {list(DATASETS)}")
    if int(jobs) < 1:
        raise UsageError(f"jobs must be at least 1, got {jobs}")
    if max_epochs is not None and int(max_epochs) < 1:
        raise UsageError(f"max_epochs must be at least 1, got {max_epochs}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} is a file: pass a folder")
    limits = ChildLimits.from_rubric(rubric.limits)
    timeout = float(timeout) if timeout is not None else 2.0 * limits.train_seconds
    frameworks = _frameworks()

    def make_box() -> Sandbox:
        return Sandbox(submission, limits, frameworks=frameworks)

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {out_dir}: {exc.strerror or exc}") from None

    boxes: list = [None] * int(jobs)
    reporter = None
    try:
        config_note, raw_config, availability = "", None, Availability()
        try:
            boxes[0] = make_box()  # the others start right after: they import while the first probes
            for slot in range(1, len(boxes)):
                boxes[slot] = make_box()
        except ProbeError as exc:  # too large to copy: every run reports it
            if boxes[0] is None:
                config_note = f"the submission could not be started: {exc.reason}"
        figure_module.warm_up()
        if boxes[0] is not None:
            from grader.check.probes import LabProbes

            probes = LabProbes(boxes[0], limits)
            try:
                raw_config = probes.config()
            except ProbeError as exc:
                config_note = f"config.HYPERPARAMETERS could not be read ({exc.reason}); used the defaults"
            availability = probe_availability(probes)
        plan = build_plan(raw_config, rubric, datasets, availability, max_epochs=max_epochs,
                          config_note=config_note)
        runs = plan.runs()
        for box in boxes:
            if box is not None:  # every failing run may cost one restart: never give up on the others
                box.max_restarts = max(box.max_restarts, 2 * len(runs) + 4)

        reporter = Progress(len(runs), enabled=bool(progress))
        figure_paths: dict[str, Path] = {}
        notes = list(plan.notes)
        results: dict[tuple, RunResult] = {}
        pending = {e.name: {v.run.key for v in e.variants} for e in plan.experiments}

        def on_result(index: int, result: RunResult) -> None:
            results[result.run.key] = result
            reporter.update(_run_label(result.run), result)
            for experiment in plan.experiments:  # draw each figure as soon as its runs are done
                keys = pending.get(experiment.name)
                if keys is not None and keys <= results.keys():
                    del pending[experiment.name]
                    _draw(experiment, results, out_dir, figure_paths, notes)

        workers = Workers(boxes, make_box, limits, plan.data, timeout)
        workers.run(runs, on_result)
        for experiment in plan.experiments:  # experiments whose runs never reported (none expected)
            if experiment.name in pending:
                _draw(experiment, results, out_dir, figure_paths, notes)
    finally:
        if reporter is not None:
            reporter.close()
        for box in boxes:
            if box is not None:
                box.close()

    rows = [ExperimentRow(e.name, e.key, e.dataset, v.label, v.baseline,
                          results.get(v.run.key) or RunResult(v.run, "failed", reason="not run", error="error"))
            for e in plan.experiments for v in e.variants]
    report = ExperimentsReport(
        submission=submission, out_dir=out_dir, rubric_name=rubric.name, seed=int(rubric.seeds.train[0]),
        experiments=list(plan.experiments), rows=rows, base=plan.base, notes=notes, skipped=list(plan.skipped),
        figures={e.name: figure_paths[e.name] for e in plan.experiments if e.name in figure_paths},
        runs=len(runs), jobs=int(jobs),
    )
    report.seconds = time.perf_counter() - started
    report.paths["markdown"] = atomic_write_text(out_dir / MARKDOWN_NAME, render_markdown(report))
    report.paths["json"] = atomic_write_text(out_dir / JSON_NAME, json.dumps(
        report_json(report, rubric, plan), indent=1, allow_nan=False) + "\n")
    return report


def _run_label(run) -> str:
    return (f"{run.dataset} hidden {run.hidden[0]},{run.hidden[1]} {run.activation} {run.optimizer} "
            f"lr {run.lr:g}")


def _draw(experiment: Experiment, results: dict, out_dir: Path, paths: dict, notes: list) -> None:
    from grader.experiments import figures as figure_module

    try:
        paths[experiment.name] = figure_module.write_experiment_figure(experiment, results, out_dir)
    except Exception as exc:  # noqa: BLE001 - a figure that cannot be drawn costs only itself
        notes.append(f"figure {experiment.name}.png could not be drawn: {type(exc).__name__}: {exc}")


def _number(value):
    """A JSON-safe number: None for missing or non-finite values."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _result_json(result: RunResult) -> dict:
    from grader.report.figures import downsample_curve

    epochs, values = downsample_curve(result.losses)
    return {
        "status": result.status,
        "error": result.error,
        "reason": result.reason,
        "warning": result.warning,
        "detail": result.detail,
        "final_loss": _number(result.final_loss),
        "accuracy": _number(result.accuracy),
        "epochs_to_100": result.epochs_to_100,
        "seconds": _number(result.seconds),
        "chunk_epochs": list(result.boundaries),
        "chunk_accuracy": [_number(a) for a in result.chunk_accuracy],
        "losses_count": int(result.losses.size),
        "losses": {"epochs": [int(e) for e in epochs], "values": [_number(v) for v in values],
                   "note": "train()'s own losses, at most 1,000 epochs, dense at the start (counted from 1)"},
        "traceback": result.traceback,
    }


def report_json(report: ExperimentsReport, rubric: Rubric, plan: Plan) -> dict:
    """experiments.json: every number of the report, plus what produced it."""
    import grader
    from grader.hashing import submission_hash

    by_name = {e.name: e for e in report.experiments}
    experiments = []
    for name, experiment in by_name.items():
        rows = [row for row in report.rows if row.experiment == name]
        figure = report.figures.get(name)
        experiments.append({
            "name": name, "key": experiment.key, "dataset": experiment.dataset, "title": experiment.title,
            "figure": figure.name if figure is not None else None,
            "variants": [{"label": row.variant, "baseline": row.baseline, "config": row.result.run.config(),
                          **_result_json(row.result)} for row in rows],
        })
    return {
        "schema_version": SCHEMA_VERSION,
        "grader_version": grader.__version__,
        "submission": str(report.submission),
        "submission_sha256": submission_hash(report.submission),
        "rubric": {"name": rubric.name, "sha256": rubric.sha256},
        "seed": report.seed,
        "datasets": list(plan.base),
        "base_config": {d: {**c, "hidden": list(c["hidden"])} for d, c in plan.base.items()},
        "notes": report.notes,
        "skipped": report.skipped,
        "runs": report.runs,
        "jobs": report.jobs,
        "execution_time": round(report.seconds, 3),
        "experiments": experiments,
    }


__all__ = ["ExperimentRow", "ExperimentsReport", "UsageError", "run_experiments"]
