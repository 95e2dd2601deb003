"""Allow `python -m grader`."""

from grader.cli import cli

if __name__ == "__main__":
    cli(prog_name="grade")
