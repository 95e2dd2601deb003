"""`grade experiments`: the click command (registered by grader/cli.py when this module imports)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import click

DATASET_CHOICES = {"linear": ("linear",), "xor": ("xor",), "both": ("linear", "xor")}


def _exit_on_sigterm():
    """SIGTERM raises SystemExit, so the sandboxes are killed and their folders removed on the way out."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, terminate)


@click.command("experiments")
@click.argument("submission", default="student", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Folder for the figures, experiments.md and experiments.json.",
)
@click.option(
    "--rubric",
    "rubric_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Rubric TOML (default: rubric/lab1.toml): seeds, limits, data.",
)
@click.option(
    "--dataset",
    type=click.Choice(list(DATASET_CHOICES)),
    default="xor",
    show_default=True,
    help="Data set(s) to experiment on.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    metavar="N",
    help="Sandboxes training in parallel (one per core).",
)
@click.option(
    "--epochs",
    "max_epochs",
    type=click.IntRange(1),
    default=None,
    metavar="N",
    help="Cap every run at N epochs (a quick first look).",
)
@click.option("--no-progress", is_flag=True, help="No progress bar or counter on stderr.")
def experiments_command(submission, out_dir, rubric_path, dataset, jobs, max_epochs, no_progress):
    """Run the lab's discussion experiments with your own code and write figures and tables.

    Starting from your config.HYPERPARAMETERS, one setting changes at a time: the learning
    rate (0.01, 0.1, 1), the hidden units (2, 4, 16, 100), no activation (identity), and
    each extra activation and optimizer you implemented. Each run trains a fresh network
    with your train() in the grader's sandbox. DIR receives one PNG per experiment,
    experiments.md (tables to paste into your report) and experiments.json.

    Exit status: 0 when the report was written, 1 when no run finished, 2 for a usage error.

    \b
    Examples:
        grade experiments --out experiments/                 # ./student, XOR set
        grade experiments reference --out /tmp/x --dataset both --jobs 2
    """
    from grader.experiments import UsageError, run_experiments
    from grader.usage import fail_usage

    previous = _exit_on_sigterm()
    try:
        report = run_experiments(
            submission,
            out_dir,
            rubric=rubric_path,
            datasets=DATASET_CHOICES[dataset],
            jobs=jobs,
            progress=not no_progress,
            max_epochs=max_epochs,
        )
    except UsageError as exc:
        fail_usage(str(exc))
        return
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    failed = len(report.failed)
    click.echo(
        f"{len(report.experiments)} experiments, {len(report.rows)} variants ({report.runs} training runs), "
        f"{failed} failed or not attempted, {len(report.diverged)} diverged, in {report.seconds:.1f} s"
    )
    grouped: dict[tuple, list[str]] = {}
    for row in report.failed:
        reason = " ".join(row.reason.split())[:200]
        grouped.setdefault((row.result.error or row.status, reason), []).append(f"{row.experiment} / {row.variant}")
    for (kind, reason), where in grouped.items():
        shown = where[0] if len(where) == 1 else f"{where[0]} and {len(where) - 1} more"
        click.echo(f"  {shown}: {kind}: {reason}")
    if report.skipped:
        click.echo("  skipped (not implemented): " + ", ".join(item["name"] for item in report.skipped))
    click.echo(f"tables: {report.paths['markdown']}")
    click.echo(f"figures: {len(report.figures)} PNG in {report.out_dir}")
    sys.exit(0 if report.ok else 1)
