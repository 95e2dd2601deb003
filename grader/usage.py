"""Usage errors shared by the commands, and the argument checks that raise them."""

from __future__ import annotations

from pathlib import Path

from grader.rubric import Rubric, RubricError, load_rubric


class UsageError(Exception):
    """The command was used wrongly (missing folder, unreadable rubric, bad option): exit status 2."""


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
