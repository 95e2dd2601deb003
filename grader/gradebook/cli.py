"""`grade gradebook merge|export`: the click commands over grader.gradebook (registered by grader/cli.py)."""

from __future__ import annotations

from pathlib import Path

import click

from grader.usage import UsageError, fail_usage, rubric_option

_GRADES = click.argument("grades", metavar="GRADES", type=click.Path(path_type=Path, file_okay=False))


@click.group("gradebook", context_settings={"help_option_names": ["-h", "--help"]})
def gradebook_command() -> None:
    """Merge the lab report's hand-graded scores, and export a gradebook your LMS imports.

    \b
    Examples:
        grade gradebook merge grades/ --sheet grades/manual.csv
        grade gradebook export grades/ --lms canvas --total all --out canvas-import.csv
    """


@gradebook_command.command("merge")
@_GRADES
@click.option(
    "--sheet",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The filled sheet  [default: GRADES/manual.csv, written by grade batch]",
)
@rubric_option
def merge_command(grades: Path, sheet: Path | None, rubric_path: Path | None) -> None:
    """Merge the TA's manual.csv into GRADES: gradebook.csv's report columns and each student's feedback.html.

    Every line is checked first; an out-of-range score, an unknown id or a missing student is an
    error naming its line, and then nothing is written. Blank cells stay "not graded yet".

    \b
    Examples:
        grade gradebook merge grades/                      # reads grades/manual.csv
        grade gradebook merge grades/ --sheet ~/report-scores.csv
    """
    from grader.gradebook.merge import merge_sheet
    from grader.gradebook.sheet import SHEET

    try:
        done = merge_sheet(grades, sheet or grades / SHEET, rubric=rubric_path)
    except UsageError as exc:
        fail_usage(str(exc))
    click.echo(
        f"Merged report scores of {done.students} students into {done.gradebook}"
        + (f" ({done.blank} cells still blank: not graded yet)" if done.blank else "")
        + "."
    )
    click.echo(f"Each student's {grades}/<folder>/feedback.html shows them.")


@gradebook_command.command("export")
@_GRADES
@click.option(
    "--lms",
    type=click.Choice(["canvas", "moodle"]),
    required=True,
    help="canvas: Grades > Import; moodle: the assignment's 'Upload grading worksheet'.",
)
@click.option(
    "--total",
    type=click.Choice(["autograded", "all"]),
    default="autograded",
    show_default=True,
    help="The grade exported: the autograded total, or all (plus the merged report scores).",
)
@click.option("--assignment", default="Lab 1", show_default=True, help="Canvas: the assignment column's name.")
@click.option(
    "--out", "-o", "out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The CSV file to import."
)
@rubric_option
def export_command(grades: Path, lms: str, total: str, assignment: str, out: Path, rubric_path: Path | None) -> None:
    """Write GRADES' gradebook as the CSV an LMS imports; rows without a grade stay empty, never 0.

    \b
    Examples:
        grade gradebook export grades/ --lms canvas --out canvas-import.csv
        grade gradebook export grades/ --lms moodle --total all --out moodle-worksheet.csv
    """
    from grader.gradebook.export import export_gradebook

    try:
        path, graded, blank = export_gradebook(grades, lms, out, total=total, assignment=assignment, rubric=rubric_path)
    except UsageError as exc:
        fail_usage(str(exc))
    click.echo(
        f"Wrote {path}: {graded} grades, {blank} left empty (not graded"
        + (", or report not scored" if total == "all" else "")
        + ")."
    )
