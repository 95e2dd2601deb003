"""What `grade check` does around run_check: figures started early, outputs, exit status."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.results import GradeResult, dumps

FIGURE_TIMEOUT = 60.0


def start_figures():
    """Start the figure worker now, so matplotlib loads while the submission is graded."""
    from grader.report.figure_worker import FigureWorker

    return FigureWorker.start()


def write_json(result: GradeResult, json_path: str) -> None:
    """results.json to a path (atomically) or to stdout for '-'."""
    from grader.results import write_results

    if json_path == "-":
        sys.stdout.write(dumps(result))
    else:
        write_results(result, Path(json_path))


def _cannot_write(what: str, where, exc: OSError, fix: str) -> str:
    """One line naming what could not be written, where, why, and what to do."""
    return f"grade: error: cannot write {what} to {where}: {exc.strerror or exc} ({fix})"


def finish_check(result: GradeResult, *, json_path, out_dir, figures, fail_under, verbose) -> int:
    """Write every requested output and return the exit status."""
    from grader.check.reference_curves import attach_reference_curves
    from grader.report import write_report
    from grader.report.ci_summary import append_github_summary
    from grader.report.terminal import render_table

    to_stdout = json_path == "-"
    # The score first: the figures take longer than the whole check, and a student waits for it.
    click.echo(render_table(result, verbose=verbose), err=to_stdout)
    (sys.stderr if to_stdout else sys.stdout).flush()
    problems = []
    if json_path:
        try:
            write_json(result, json_path)
        except OSError as exc:
            problems.append(_cannot_write("results.json", json_path, exc, "pass another --json PATH"))
    paths = {}
    if out_dir is not None:
        attach_reference_curves(result)
        drawn = None
        try:
            if figures is not None:
                try:
                    figures.submit(result.artifacts, Path(out_dir) / "figures")
                    drawn = figures.result(FIGURE_TIMEOUT)
                finally:
                    figures.close()
            paths = write_report(result, Path(out_dir), figures=drawn)
        except OSError as exc:  # a read-only folder costs the report, never the score
            problems.append(_cannot_write("the report", out_dir, exc, "pass --out DIR or --no-report"))
    for problem in problems:
        click.echo(problem, err=True)
    if "report.html" in paths:
        click.echo(f"Report: {paths['report.html']}", err=to_stdout)
    append_github_summary(result)
    if fail_under is not None and result.score < fail_under:
        click.echo(f"Score {result.score:g} is below --fail-under {fail_under:g}.", err=True)
        return 1
    return 0
