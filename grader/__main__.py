"""Allow `python -m grader`."""

from grader.cli import cli

cli()
