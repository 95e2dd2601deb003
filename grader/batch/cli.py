"""`grade batch`: the click command over grader.batch.run_batch (registered by grader/cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.batch.defaults import (
    DEFAULT_NAME_PATTERN,
    DEFAULT_THRESHOLD,
    DEFAULT_TIMEOUT,
)
from grader.usage import INTERRUPTED, fail_usage



@click.command("batch", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("input_dir", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Output folder: gradebook.csv, summary.html, batch.log.jsonl and one folder per student.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Submissions graded at once  [default: the number of cores]")
@click.option("--rubric", "rubric_path", type=click.Path(path_type=Path), default=None,
              help="Rubric TOML (default: rubric/lab1.toml).")
@click.option("--secret-seed", type=int, default=None, envvar="LAB1_SECRET_SEED",
              help="Seed of the hidden points (default: $LAB1_SECRET_SEED, else the rubric's public seed).")
@click.option("--resume", is_flag=True,
              help="Keep earlier results whose submission content, rubric and grader version are unchanged.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where gradings run: warm local worker processes, or a Dask cluster (extra 'cluster').")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster of --jobs workers).")
@click.option("--pattern", "name_pattern", metavar="REGEX", default=None,
              help=f"Regex with groups id (and name) matched on each folder or zip name without .zip  "
                   f"[default: {DEFAULT_NAME_PATTERN}]")
@click.option("--timeout", type=click.FloatRange(min=1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Hard limit in seconds for grading one submission.")
@click.option("--similarity", "similarity_threshold", type=click.FloatRange(0, 1), default=DEFAULT_THRESHOLD,
              show_default=True, help="Flag pairs whose normalized code is at least this similar (Jaccard).")
@click.option("--sandbox", type=click.Choice(["auto", "default", "strict", "portable"]), default="auto",
              show_default=True,
              help="Isolation of each submission: 'strict' (Linux namespaces, seccomp) where the machine "
                   "supports it with 'auto'; 'portable' confines nothing and runs only when asked by name; "
                   "the tier that ran is in every result and the gradebook.")
@click.option("--no-report", is_flag=True, help="Only results.json per student (no report.html, figures).")
@click.option("--no-progress", is_flag=True, help="No progress bar (it is off anyway when stderr is not a terminal).")
def batch_command(input_dir, out_dir, jobs, rubric_path, secret_seed, resume, executor, scheduler, name_pattern,
                  timeout, similarity_threshold, sandbox, no_report, no_progress):
    """Grade every submission folder or zip in INPUT into a gradebook, per-student reports and a summary.

    INPUT holds one folder or zip per student, named like `<student id>_<name>_lab1.zip`
    (see --pattern). Zips are extracted safely; an extra top folder and __MACOSX are fine.
    A submission that cannot be graded (refused zip, crash, timeout) gets a row with the reason.
    Ctrl-C stops cleanly: what finished is kept and in the gradebook; --resume goes on later.

    \b
    Examples:
        grade batch exports/ --out grades/                 # all cores, progress bar
        grade batch exports/ --out grades/ --resume        # after a Ctrl-C or a new upload
        grade batch exports/ -o grades/ -j 8 --secret-seed 4242 --rubric rubric/lab1.toml
        grade batch exports/ -o grades/ --executor dask --scheduler tcp://10.0.0.5:8786
        grade batch moodle/ -o grades/ --pattern '^(?P<name>.+?)_(?P<id>\\d+)_assignsubmission'
    """
    from grader.batch.errors import BatchError
    from grader.batch.run import run_batch

    try:
        summary = run_batch(
            input_dir, out_dir, jobs=jobs, rubric=rubric_path, secret_seed=secret_seed, resume=resume,
            executor=executor, scheduler=scheduler, name_pattern=name_pattern, progress=not no_progress,
            timeout=timeout, similarity_threshold=similarity_threshold, sandbox=sandbox, reports=not no_report,
        )
    except BatchError as exc:
        fail_usage(str(exc))
    errors = ", ".join(f"{n} {kind}" for kind, n in summary.errors.items())
    not_graded = sum(summary.errors.values())
    click.echo(
        f"{len(summary.outcomes)} of {summary.total} submissions in {summary.seconds:.1f} s: "
        f"{summary.graded} graded, {summary.resumed} kept from an earlier run, {not_graded} not graded"
        + (f" ({errors})" if errors else "")
    )
    if summary.similar:
        click.echo(f"{len(summary.similar)} pairs of near-identical code flagged in the summary.")
    click.echo(f"Gradebook: {summary.gradebook}\nSummary:   {summary.summary}\nLog:       {summary.log}")
    if summary.interrupted:
        click.echo("Interrupted: run the same command with --resume to grade the rest.", err=True)
        sys.exit(INTERRUPTED)
