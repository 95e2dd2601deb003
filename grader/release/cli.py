"""`grade release`: the click command over grader.release.starter (registered by grader/cli.py)."""

from __future__ import annotations

from pathlib import Path

import click

from grader.usage import UsageError, fail_usage

DEFAULT_FAIL_UNDER = 60.0


def _default_reference() -> Path:
    """./reference when it is there, else the reference/ of the checkout the grader runs from."""
    here = Path("reference")
    if (here / "network.py").is_file():
        return here
    return Path(__file__).resolve().parents[2] / "reference"


@click.command("release", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder of the starter repository (created; must be empty unless --force).",
)
@click.option("--force", is_flag=True, help="Write into a non-empty folder, replacing the starter's own files.")
@click.option(
    "--fail-under",
    type=float,
    default=DEFAULT_FAIL_UNDER,
    show_default=True,
    metavar="N",
    help="The workflow fails below N points.",
)
@click.option(
    "--grader-requirement",
    "requirement",
    default=None,
    metavar="SPEC",
    help="Install the grader with `pip install SPEC` (e.g. a git URL) instead of shipping its wheel.",
)
@click.option(
    "--wheel",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="A built lab1_grader wheel to ship (default: built from this checkout).",
)
@click.option(
    "--reference",
    "reference_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The instructor solution with solution markers (default: ./reference).",
)
@click.option(
    "--rubric",
    "rubric_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Rubric TOML (default: the one the grader carries).",
)
def release_command(
    out: Path,
    force: bool,
    fail_under: float,
    requirement: str | None,
    wheel: Path | None,
    reference_dir: Path | None,
    rubric_path: Path | None,
) -> None:
    """Write the student starter repository: skeleton, README, workflow, rubric and the grader.

    The skeleton is generated from the reference's solution markers; the starter never holds the
    reference. Push the folder as a template repository.

    \b
    Examples:
        grade release --out ../lab1-starter
        grade release --out ../lab1-starter --force --fail-under 70
        grade release --out starter --grader-requirement "lab1-grader @ git+https://example.org/lab1-grader@v1"
    """
    from grader.release.starter import write_starter
    from grader.usage import check_fail_under, resolve_rubric

    try:
        rubric = resolve_rubric(rubric_path)
        check_fail_under(fail_under, rubric.total_points)
        if requirement is None and wheel is None:
            import tempfile

            from grader.release.wheel import build_clean_wheel

            with tempfile.TemporaryDirectory() as tmp:
                starter = write_starter(
                    out,
                    reference_dir=reference_dir or _default_reference(),
                    rubric=rubric,
                    fail_under=fail_under,
                    wheel=build_clean_wheel(Path(tmp)),
                    force=force,
                )
        else:
            starter = write_starter(
                out,
                reference_dir=reference_dir or _default_reference(),
                rubric=rubric,
                fail_under=fail_under,
                wheel=wheel,
                requirement=requirement,
                force=force,
            )
    except UsageError as exc:
        fail_usage(str(exc))
    size = sum((starter.path / name).stat().st_size for name in starter.files)
    click.echo(
        f"Wrote {starter.path}/: {len(starter.files)} files, {size / 1024:.0f} KiB"
        + (f", grader {starter.wheel}" if starter.wheel else f", grader from `pip install {requirement}`")
    )
    click.echo(
        f"Next: cd {starter.path} && git init && git add -A && git commit -m 'Lab 1 starter', "
        "push it and mark the repository as a template."
    )
