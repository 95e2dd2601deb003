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
from grader.batch.lms import LMS_CHOICES
from grader.usage import INTERRUPTED, fail_usage, rubric_option


@click.command("batch", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("input_dir", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Output folder: gradebook.csv, summary.html, batch.log.jsonl and one folder per student.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Submissions graded at once  [default: the number of cores]",
)
@rubric_option
@click.option(
    "--secret-seed",
    type=int,
    default=None,
    envvar="LAB1_SECRET_SEED",
    help="Seed of the hidden points (default: $LAB1_SECRET_SEED, else the rubric's public seed).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Keep earlier results whose content, rubric, grader version, sandbox tier and hidden-point "
    "seed (compared by a salted hash) are all unchanged.",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where gradings run: warm local worker processes, or a Dask cluster (extra 'cluster').",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster of --jobs workers).",
)
@click.option(
    "--lms",
    type=click.Choice(LMS_CHOICES),
    default="auto",
    show_default=True,
    help="The course site whose download INPUT is: its file naming gives each student's id, name "
    "and late mark ('auto' recognizes them; 'folders' is <id>_<name>_lab1).",
)
@click.option(
    "--pattern",
    "name_pattern",
    metavar="REGEX",
    default=None,
    help=f"Regex with groups id (and name, late, file) matched on each entry name; overrides --lms  "
    f"[folders: {DEFAULT_NAME_PATTERN}]",
)
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Class list CSV (id, name, optional email): every student on it gets one row, "
    "'no submission' included; submissions not on it are flagged.",
)
@click.option(
    "--reference",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The instructor's reference/ to flag copies of (default: its fingerprint shipped with the "
    "grader, made by `python -m grader.batch.copies`).",
)
@click.option(
    "--only",
    metavar="ID[,ID]",
    multiple=True,
    help="Regrade only these students; every other row keeps its published result.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Hard limit in seconds for grading one submission.",
)
@click.option(
    "--similarity",
    "similarity_threshold",
    type=click.FloatRange(0, 1),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Flag pairs whose normalized code is at least this similar (Jaccard).",
)
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "default", "strict", "portable"]),
    default="auto",
    show_default=True,
    help="Isolation of each submission: 'strict' (Linux namespaces, seccomp) where the machine "
    "supports it with 'auto'; 'portable' confines nothing and runs only when asked by name; "
    "the tier that ran is in every result and the gradebook.",
)
@click.option("--no-report", is_flag=True, help="Only results.json per student (no report.html, figures).")
@click.option("--no-progress", is_flag=True, help="No progress bar (it is off anyway when stderr is not a terminal).")
def batch_command(
    input_dir,
    out_dir,
    jobs,
    rubric_path,
    secret_seed,
    resume,
    executor,
    scheduler,
    lms,
    name_pattern,
    roster,
    reference,
    only,
    timeout,
    similarity_threshold,
    sandbox,
    no_report,
    no_progress,
):
    """Grade every submission in INPUT (a course site's download) into a gradebook, reports and a summary.

    INPUT is the unzipped download of Canvas, Moodle, Blackboard or Gradescope (see --lms), or
    one folder or archive per student named `<student id>_<name>_lab1`. Archives (.zip, .tar.gz)
    are extracted safely, also inside the site's folders; loose files are grouped per student;
    .venv, .git and caches are skipped. A submission that cannot be graded (refused or .rar
    archive, crash, timeout) gets a row with the reason; each student's files are kept in
    OUT/<id>/files/ for the TA. Ctrl-C stops cleanly; --resume goes on later.

    \b
    Examples:
        grade batch canvas-download/ --out grades/ --roster roster.csv
        grade batch moodle/ -o grades/ --lms moodle --resume      # after a Ctrl-C or new uploads
        grade batch export/ -o grades/ --only 10004,10017         # regrade two students
        grade batch exports/ -o grades/ -j 8 --rubric rubric/lab1.toml   # LAB1_SECRET_SEED set
        grade batch exports/ -o grades/ --executor dask --scheduler tcp://10.0.0.5:8786
        grade batch odd/ -o grades/ --pattern '^(?P<name>.+?)_(?P<id>\\d+)_assignsubmission'
    """
    from grader.batch.errors import NO_SUBMISSION, BatchError
    from grader.batch.run import run_batch

    try:
        summary = run_batch(
            input_dir,
            out_dir,
            jobs=jobs,
            rubric=rubric_path,
            secret_seed=secret_seed,
            resume=resume,
            executor=executor,
            scheduler=scheduler,
            name_pattern=name_pattern,
            progress=not no_progress,
            timeout=timeout,
            similarity_threshold=similarity_threshold,
            sandbox=sandbox,
            reports=not no_report,
            lms=lms,
            roster=roster,
            only=list(only) or None,
            reference=reference,
        )
    except BatchError as exc:
        fail_usage(str(exc))
    if summary.seed_source == "public":
        click.secho(
            "WARNING: graded with the rubric's PUBLIC hidden-point seed: students can compute these hidden "
            "points. Set LAB1_SECRET_SEED and run again with --resume (the gradebook's seed column says "
            "'public').",
            fg="red",
            bold=True,
            err=True,
        )
    errors = {kind: n for kind, n in summary.errors.items() if kind != NO_SUBMISSION}
    listed = ", ".join(f"{n} {kind}" for kind, n in errors.items())
    click.echo(
        f"{sum(1 for o in summary.outcomes.values() if o.status != NO_SUBMISSION)} of {summary.total} submissions "
        f"in {summary.seconds:.1f} s: {summary.graded} graded, {summary.resumed} kept from an earlier run, "
        f"{sum(errors.values())} not graded" + (f" ({listed})" if listed else "")
    )
    click.echo(f"Read as a {summary.preset} download.")
    if summary.roster is not None:
        match = summary.roster
        click.echo(
            f"Roster: {len(match.by_key)} submissions matched, {len(match.missing)} students with no "
            f"submission, {len(match.unknown)} submissions not on the roster"
            + (f" ({', '.join(match.unknown[:5])}{', ...' if len(match.unknown) > 5 else ''})" if match.unknown else "")
            + "."
        )
    for entry in summary.skipped_entries[:10]:
        click.echo(f"Skipped: {entry}", err=True)
    if summary.similar:
        click.echo(f"{len(summary.similar)} pairs of near-identical code flagged in the summary.")
    click.echo(f"Gradebook: {summary.gradebook}\nSummary:   {summary.summary}\nLog:       {summary.log}")
    if summary.interrupted:
        click.echo("Interrupted: run the same command with --resume to grade the rest.", err=True)
        sys.exit(INTERRUPTED)
