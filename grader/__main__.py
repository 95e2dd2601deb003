"""`python -m grader` and the `grade` console script: Ctrl-C at any moment is one line and status 130."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the click root; a Ctrl-C while the grader still loads ends quietly with status 130."""
    try:
        from grader.cli import cli
    except KeyboardInterrupt:
        print("grade: interrupted (Ctrl-C)", file=sys.stderr)
        sys.exit(130)  # grader.usage.INTERRUPTED, not imported: the user is waiting
    cli(prog_name="grade")


if __name__ == "__main__":
    main()
