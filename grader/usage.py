"""Usage errors shared by the commands, and the argument checks that raise them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.rubric.loader import Rubric, RubricError, load_rubric

USAGE_ERROR = 2  # exit status of a usage error, for every command
INTERRUPTED = 130  # exit status after Ctrl-C (128 + SIGINT), as shells report it


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


def resolve_rubric(rubric: Rubric | str | Path | None) -> Rubric:
    """A loaded rubric; RubricError becomes UsageError."""
    if isinstance(rubric, Rubric):
        return rubric
    try:
        return load_rubric(rubric)
    except RubricError as exc:
        raise UsageError(str(exc)) from None
