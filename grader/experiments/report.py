"""What `grade experiments` produced: its rows, its report and experiments.json."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.experiments.plan import Experiment, Plan
    from grader.experiments.runner import RunResult
    from grader.rubric.model import Rubric

SCHEMA_VERSION = 1


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
    base: dict[str, dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
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


def _number(value: float | None) -> float | None:
    """A JSON-safe number: None for missing or non-finite values."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _result_json(result: RunResult) -> dict[str, Any]:
    from grader.report.plotting import downsample_curve

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
        "losses": {
            "epochs": [int(e) for e in epochs],
            "values": [_number(v) for v in values],
            "note": "train()'s own losses, at most 1,000 epochs, dense at the start (counted from 1)",
        },
        "traceback": result.traceback,
    }


def report_json(report: ExperimentsReport, rubric: Rubric, plan: Plan) -> dict[str, Any]:
    """experiments.json: every number of the report, plus what produced it."""
    import grader
    from grader.hashing import submission_hash

    by_name = {e.name: e for e in report.experiments}
    experiments = []
    for name, experiment in by_name.items():
        rows = [row for row in report.rows if row.experiment == name]
        figure = report.figures.get(name)
        experiments.append(
            {
                "name": name,
                "key": experiment.key,
                "dataset": experiment.dataset,
                "title": experiment.title,
                "figure": figure.name if figure is not None else None,
                "variants": [
                    {
                        "label": row.variant,
                        "baseline": row.baseline,
                        "config": row.result.run.config(),
                        **_result_json(row.result),
                    }
                    for row in rows
                ],
            }
        )
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
