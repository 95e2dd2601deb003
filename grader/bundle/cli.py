"""`grade bundle gradescope`: the click commands over grader.bundle.gradescope (registered by grader/cli.py)."""

from __future__ import annotations

from pathlib import Path

import click

from grader.usage import UsageError, fail_usage, rubric_option


@click.group("bundle", context_settings={"help_option_names": ["-h", "--help"]})
def bundle_command() -> None:
    """Package the grader for a course platform.

    \b
    Examples:
        LAB1_SECRET_SEED=... grade bundle gradescope --out autograder.zip
    """


@bundle_command.command("gradescope")
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("autograder.zip"),
    show_default=True,
    help="The zip to upload as the assignment's autograder.",
)
@rubric_option
@click.option(
    "--wheel",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A built lab1_grader wheel to ship (default: built from this checkout).",
)
def gradescope_command(out: Path, rubric_path: Path | None, wheel: Path | None) -> None:
    """Write Gradescope's autograder zip: setup.sh, run_autograder, the grader and pinned dependencies.

    The hidden-point seed is taken from $LAB1_SECRET_SEED now and stored in the zip (never printed);
    run_autograder removes it from disk before any student code runs. Scores match `grade batch`
    with the same seed and rubric.

    \b
    Examples:
        LAB1_SECRET_SEED=$(cat ~/.lab1-seed) grade bundle gradescope --out autograder.zip
        grade bundle gradescope -o autograder.zip --rubric rubric/lab1.toml --wheel dist/lab1_grader-0.1.0-py3-none-any.whl
    """
    from grader.bundle.gradescope import build_bundle

    try:
        bundle = build_bundle(out, rubric=rubric_path, wheel=wheel)
    except UsageError as exc:
        fail_usage(str(exc))
    click.echo(f"Wrote {bundle.path}: {', '.join(bundle.files)}.")
    if bundle.seed_source == "public":
        click.secho(
            "WARNING: LAB1_SECRET_SEED is not set: the bundle grades with the rubric's PUBLIC hidden-point "
            "seed, which students can compute. Set it and build again.",
            fg="red",
            bold=True,
            err=True,
        )
    else:
        click.echo("The hidden-point seed was taken from LAB1_SECRET_SEED (not shown).")
    click.echo("Upload it in Gradescope: Configure Autograder > Zip file upload > Update Autograder.")
