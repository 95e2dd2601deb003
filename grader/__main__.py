"""`python -m grader` and the `grade` console script: Ctrl-C at any moment is one line and status 130."""

from __future__ import annotations

import os
import sys

INTERRUPTED = 130  # grader.usage.INTERRUPTED, not imported here: a Ctrl-C may land while it loads


def main() -> None:
    """Run the click root; a Ctrl-C while the grader still loads ends quietly with status 130."""
    try:
        from grader.cli import cli

        cli(prog_name="grade")
    except SystemExit as exc:
        if exc.code == INTERRUPTED:  # the command has said so and cleaned up (its finally blocks ran)
            _exit_now(INTERRUPTED)
        raise
    except (KeyboardInterrupt, RuntimeError) as exc:  # while loading, or in click before the command
        if not _is_interrupt(exc):
            raise
        print("grade: interrupted (Ctrl-C)", file=sys.stderr)
        _exit_now(INTERRUPTED)


def _is_interrupt(exc: BaseException) -> bool:
    """A Ctrl-C, or one that reached a class's __set_name__ while a module loaded (CPython wraps it in
    a RuntimeError)."""
    return isinstance(exc, KeyboardInterrupt) or isinstance(exc.__cause__, KeyboardInterrupt)


def _exit_now(code: int) -> None:
    """Exit with `code` at once. After a Ctrl-C, a normal exit may still end the process by SIGINT
    (status -2, seen when the interrupt landed inside code that CPython runs through exec) or wait
    for a helper thread the interrupt left stuck on an import lock."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more to say
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
