"""Usage errors shared by the commands, and the argument checks that raise them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.contract import SUBMISSION_MODULES
from grader.rubric.loader import load_rubric
from grader.rubric.model import Rubric, RubricError

USAGE_ERROR = 2  # exit status of a usage error, for every command
INTERRUPTED = 130  # exit status after Ctrl-C (128 + SIGINT), as shells report it


rubric_option = click.option(
    "--rubric",
    "rubric_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Rubric TOML (default: the lab1 rubric the grader carries).",
)
"""The `--rubric PATH` option every command shares (its value arrives as `rubric_path`)."""


class UsageError(Exception):
    """The command was used wrongly (missing folder, unreadable rubric, bad option): exit status 2."""


def fail_usage(message: str) -> None:
    """Print a one-line usage error and exit with status 2."""
    click.echo(f"grade: error: {message}", err=True)
    sys.exit(USAGE_ERROR)


def resolve_submission(path: str | Path) -> Path:
    """The submission folder, or UsageError saying what is wrong with the path."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"submission folder {path} does not exist")
    if not path.is_dir():
        raise UsageError(f"{path} is a file: pass the folder that holds network.py, activations.py, ...")
    return path.resolve()


GRADED_MODULES = tuple(f"{m}.py" for m in SUBMISSION_MODULES if m != "data")


def submission_modules_missing(path: Path) -> list[str]:
    """The graded modules (activations.py, ..., config.py) that the submission folder lacks."""
    return [name for name in GRADED_MODULES if not (Path(path) / name).is_file()]


def require_submission_folder(path: str | Path) -> list[str]:
    """UsageError unless path holds at least one of the lab's modules; returns the missing ones."""
    shown = Path(path)
    missing = submission_modules_missing(resolve_submission(path))
    if len(missing) < len(GRADED_MODULES):
        return missing
    inner = sorted(
        (d for d in shown.iterdir() if d.is_dir() and (d / "network.py").is_file()),
        key=lambda d: (d.name != "student", d.name),
    )  # the starter's own folder first
    hint = f" Did you mean `grade check {inner[0]}`?" if inner else ""
    raise UsageError(
        f"{shown} is not a submission folder: it holds none of {', '.join(GRADED_MODULES)}. "
        f"A submission folder is the package you fill in (student/ in the starter): those "
        f"modules, plus the provided data.py.{hint}"
    )


def check_fail_under(fail_under: float | None, max_points: float) -> None:
    """UsageError unless --fail-under lies in 0..max_points."""
    if fail_under is not None and not 0 <= fail_under <= max_points:
        raise UsageError(f"--fail-under {fail_under:g} is outside 0..{max_points:g}, the points the rubric gives")


def resolve_rubric(rubric: Rubric | str | Path | None) -> Rubric:
    """A loaded rubric; RubricError becomes UsageError."""
    if isinstance(rubric, Rubric):
        return rubric
    try:
        return load_rubric(rubric)
    except RubricError as exc:
        raise UsageError(str(exc)) from None
