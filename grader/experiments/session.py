"""run_experiments: check the arguments, start the sandboxes, plan, train and draw, write the files.

Each step is one function; run_experiments only chains them. Light imports at the top: the
command line imports this module for every `grade` command; numpy, the sandbox and matplotlib
load when experiments run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.experiments.report import ExperimentRow, ExperimentsReport, report_json
from grader.usage import UsageError, resolve_rubric, resolve_submission

if TYPE_CHECKING:
    from grader.experiments.plan import Availability, Experiment, Plan, RunSpec
    from grader.experiments.runner import RunResult
    from grader.rubric.model import Rubric
    from grader.sandbox import ChildLimits, Sandbox

MARKDOWN_NAME = "experiments.md"
JSON_NAME = "experiments.json"


def run_experiments(
    submission: str | Path,
    out_dir: str | Path,
    *,
    rubric: Rubric | str | Path | None = None,
    datasets: tuple[str, ...] = ("xor",),
    jobs: int = 2,
    progress: bool = True,
    max_epochs: int | None = None,
    timeout: float | None = None,
) -> ExperimentsReport:
    """Run the discussion experiments on a submission and write figures, experiments.md and .json.

    rubric: Rubric, path or None (rubric/lab1.toml). datasets: some of "linear", "xor".
    jobs: sandboxes (child processes) training in parallel. progress: a progress bar or
    counter on stderr. max_epochs: cap on every run's epochs (quick runs, tests).
    timeout: seconds per training run (default: twice the rubric's train_seconds, since
    the experiments train wider networks than the student's config).
    Raises UsageError for a missing folder, a bad rubric or bad arguments; never for a bad submission.
    """
    started = time.perf_counter()
    args = _arguments(submission, out_dir, rubric, datasets, jobs, max_epochs, timeout)
    with _sandboxes(args) as boxes:
        raw_config, availability, config_note = _read_config(boxes, args)
        from grader.experiments.plan import build_plan

        plan = build_plan(
            raw_config, args.rubric, args.datasets, availability, max_epochs=args.max_epochs, config_note=config_note
        )
        results, figures, notes = _train_and_draw(plan, boxes, args, progress)
    report = _report(args, plan, results, figures, notes)
    report.seconds = time.perf_counter() - started
    _write(report, args.rubric, plan)
    return report


@dataclass
class _Arguments:
    """run_experiments' arguments, checked and resolved."""

    submission: Path
    out_dir: Path
    rubric: Rubric
    datasets: tuple[str, ...]
    jobs: int
    max_epochs: int | None
    timeout: float
    limits: ChildLimits
    frameworks: list[str] = field(default_factory=list)


def _arguments(
    submission: str | Path,
    out_dir: str | Path,
    rubric: Rubric | str | Path | None,
    datasets: tuple[str, ...],
    jobs: int,
    max_epochs: int | None,
    timeout: float | None,
) -> _Arguments:
    """Check and resolve the arguments (UsageError when one is wrong) and create out_dir."""
    from grader.contract import DATASETS
    from grader.sandbox import ChildLimits
    from grader.scan.imports import FRAMEWORKS

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
    # Experiments are not graded: each run has its CPU budget (timeout), and there is no per-submission
    # total, which a sweep of many runs on one child would otherwise use up.
    limits = dataclasses.replace(ChildLimits.from_rubric(rubric.limits), cpu_seconds=10**6)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {out_dir}: {exc.strerror or exc}") from None
    return _Arguments(
        submission,
        out_dir,
        rubric,
        datasets,
        int(jobs),
        max_epochs,
        float(timeout) if timeout is not None else 2.0 * limits.train_seconds,
        limits,
        sorted(FRAMEWORKS),
    )


class _Sandboxes:
    """`jobs` sandboxes of the submission, started together, always closed; `first` may be None
    when the submission cannot be started (then every run reports why)."""

    def __init__(self, args: _Arguments):
        self.args = args
        self.boxes: list[Sandbox | None] = [None] * args.jobs
        self.start_error = ""

    def make(self) -> Sandbox:
        from grader.sandbox import Sandbox

        return Sandbox(self.args.submission, self.args.limits, frameworks=self.args.frameworks)

    def start(self) -> None:
        from grader.experiments import figures
        from grader.sandbox import ProbeError

        try:
            for slot in range(len(self.boxes)):  # the others start right after: they import while the first probes
                self.boxes[slot] = self.make()
        except ProbeError as exc:  # too large to copy: every run reports it
            if self.boxes[0] is None:
                self.start_error = f"the submission could not be started: {exc.reason}"
        figures.warm_up()

    def close(self) -> None:
        for box in self.boxes:
            if box is not None:
                box.close()


@contextlib.contextmanager
def _sandboxes(args: _Arguments) -> Iterator[_Sandboxes]:
    boxes = _Sandboxes(args)
    try:
        boxes.start()
        yield boxes
    finally:
        boxes.close()


def _read_config(boxes: _Sandboxes, args: _Arguments) -> tuple[Any, Availability, str]:
    """config.HYPERPARAMETERS and the extras the submission implements, through the first sandbox."""
    from grader.experiments.plan import Availability, probe_availability
    from grader.sandbox import ProbeError

    first = boxes.boxes[0]
    if first is None:
        return None, Availability(), boxes.start_error
    from grader.check.probes import LabProbes

    probes, note, raw = LabProbes(first, args.limits), "", None
    try:
        raw = probes.config()
    except ProbeError as exc:
        note = f"config.HYPERPARAMETERS could not be read ({exc.reason}); used the defaults"
    return raw, probe_availability(probes), note


def _train_and_draw(
    plan: Plan, boxes: _Sandboxes, args: _Arguments, progress: bool
) -> tuple[dict[tuple[Any, ...], RunResult], dict[str, Path], list[str]]:
    """Train every distinct run on the sandboxes; draw each figure as soon as its runs are done."""
    from grader.experiments.runner import Progress, Workers

    runs = plan.runs()
    for box in boxes.boxes:
        if box is not None:  # every failing run may cost one restart: never give up on the others
            box.max_restarts = max(box.max_restarts, 2 * len(runs) + 4)
    reporter = Progress(len(runs), enabled=bool(progress))
    figures: dict[str, Path] = {}
    notes = list(plan.notes)
    results: dict[tuple[Any, ...], RunResult] = {}
    pending = {e.name: {v.run.key for v in e.variants} for e in plan.experiments}

    def on_result(index: int, result: RunResult) -> None:
        results[result.run.key] = result
        reporter.update(_run_label(result.run), result)
        for experiment in plan.experiments:
            keys = pending.get(experiment.name)
            if keys is not None and keys <= results.keys():
                del pending[experiment.name]
                _draw(experiment, results, args.out_dir, figures, notes)

    try:
        Workers(boxes.boxes, boxes.make, args.limits, plan.data, args.timeout).run(runs, on_result)
        for experiment in plan.experiments:  # experiments whose runs never reported (none expected)
            if experiment.name in pending:
                _draw(experiment, results, args.out_dir, figures, notes)
    finally:
        reporter.close()
    return results, figures, notes


def _run_label(run: RunSpec) -> str:
    return f"{run.dataset} hidden {run.hidden[0]},{run.hidden[1]} {run.activation} {run.optimizer} lr {run.lr:g}"


def _draw(
    experiment: Experiment,
    results: dict[tuple[Any, ...], RunResult],
    out_dir: Path,
    paths: dict[str, Path],
    notes: list[str],
) -> None:
    from grader.experiments import figures as figure_module

    try:
        paths[experiment.name] = figure_module.write_experiment_figure(experiment, results, out_dir)
    except Exception as exc:  # noqa: BLE001 - a figure that cannot be drawn costs only itself
        notes.append(f"figure {experiment.name}.png could not be drawn: {type(exc).__name__}: {exc}")


def _report(
    args: _Arguments, plan: Plan, results: dict[tuple[Any, ...], RunResult], figures: dict[str, Path], notes: list[str]
) -> ExperimentsReport:
    """The rows (one per variant, in plan order) and what was written."""
    from grader.experiments.runner import RunResult

    rows = [
        ExperimentRow(
            e.name,
            e.key,
            e.dataset,
            v.label,
            v.baseline,
            results.get(v.run.key) or RunResult(v.run, "failed", reason="not run", error="error"),
        )
        for e in plan.experiments
        for v in e.variants
    ]
    return ExperimentsReport(
        submission=args.submission,
        out_dir=args.out_dir,
        rubric_name=args.rubric.name,
        seed=int(args.rubric.seeds.train[0]),
        experiments=list(plan.experiments),
        rows=rows,
        base=plan.base,
        notes=notes,
        skipped=list(plan.skipped),
        figures={e.name: figures[e.name] for e in plan.experiments if e.name in figures},
        runs=len(plan.runs()),
        jobs=args.jobs,
    )


def _write(report: ExperimentsReport, rubric: Rubric, plan: Plan) -> None:
    """experiments.md and experiments.json, atomically."""
    from grader.atomic import atomic_write_text
    from grader.experiments.table import render_markdown

    report.paths["markdown"] = atomic_write_text(report.out_dir / MARKDOWN_NAME, render_markdown(report))
    report.paths["json"] = atomic_write_text(
        report.out_dir / JSON_NAME, json.dumps(report_json(report, rubric, plan), indent=1, allow_nan=False) + "\n"
    )
