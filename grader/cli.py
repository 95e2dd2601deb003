"""Command-line interface: a thin layer over grader.check, grader.batch and grader.experiments."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader import __version__
from grader.usage import INTERRUPTED, UsageError, fail_usage, rubric_option


class RootGroup(click.Group):
    """The `grade` group: a Ctrl-C in any command (its options, its imports, its work) is one line and
    status 130, where click would print 'Aborted!' and exit 1. A command's finally blocks run first."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("grade: interrupted (Ctrl-C)", err=True)
            sys.exit(INTERRUPTED)


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grade")
def cli():
    """Grade submissions of the lab 'backpropagation from scratch in NumPy'.

    \b
    Examples:
        grade check                      # grade ./student
        grade check reference --json -   # results.json on stdout
        grade batch exports/ --out grades/
    """


@cli.command("check")
@click.argument("submission", default="student", type=click.Path(path_type=Path))
@rubric_option
@click.option(
    "--json", "json_path", default=None, metavar="PATH", help="Also write results.json to PATH ('-' for stdout)."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("grade-report"),
    show_default=True,
    help="Report folder: results.json, report.html, junit.xml, figures.",
)
@click.option("--no-report", is_flag=True, help="Skip the report folder (fastest).")
@click.option(
    "--fail-under",
    type=float,
    default=None,
    metavar="SCORE",
    help="Exit with status 1 when the score is below SCORE (for CI).",
)
@click.option(
    "--secret-seed",
    type=int,
    default=None,
    envvar="LAB1_SECRET_SEED",
    help="Seed of the hidden points (TAs; default: the rubric's public seed).",
)
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "strict", "default", "portable"]),
    default="auto",
    show_default=True,
    help="Isolation of the submission: auto picks strict (Linux namespaces, seccomp), "
    "default (rlimits) or portable (any OS, watched, not confined) by what this machine supports.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show every check and the tracebacks.")
def check_command(submission, rubric_path, json_path, out_dir, no_report, fail_under, secret_seed, sandbox, verbose):
    """Grade one submission and print a score with a reason for every lost point.

    \b
    Examples:
        grade check                          # grades ./student, report in grade-report/
        grade check reference --no-report    # the instructor solution, scores 100
        grade check --fail-under 60 --json results.json   # in CI
    """
    from grader.check import run_check
    from grader.check.command import finish_check, start_figures
    from grader.usage import check_fail_under, require_submission_folder, resolve_rubric

    figures = None
    try:  # a Ctrl-C goes on to RootGroup once the figure worker is closed
        missing = require_submission_folder(submission)
        rubric = resolve_rubric(rubric_path)
        check_fail_under(fail_under, rubric.total_points)
        if missing:
            click.echo(
                f"grade: note: {submission} has no {', '.join(missing)}: the items that need them score 0", err=True
            )
        figures = None if no_report else start_figures()
        result = run_check(submission, rubric=rubric, secret_seed=secret_seed, sandbox=sandbox)
        code = finish_check(
            result,
            json_path=json_path,
            out_dir=None if no_report else out_dir,
            figures=figures,
            fail_under=fail_under,
            verbose=verbose,
        )
    except UsageError as exc:
        fail_usage(str(exc))
    finally:
        if figures is not None:
            figures.close()
    sys.exit(code)


# Each command lives in its own subpackage; their modules import their heavy parts lazily.
from grader.batch.cli import batch_command  # noqa: E402
from grader.bundle.cli import bundle_command  # noqa: E402
from grader.experiments.cli import experiments_command  # noqa: E402
from grader.gradebook.cli import gradebook_command  # noqa: E402
from grader.release.cli import release_command  # noqa: E402

cli.add_command(batch_command)
cli.add_command(bundle_command)
cli.add_command(gradebook_command)
cli.add_command(experiments_command)
cli.add_command(release_command)
