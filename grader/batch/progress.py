"""Live progress of a batch on stderr: counts, errors and ETA; silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from typing import Any

import click


class Progress:
    """A click progress bar over the submissions, updated as each one finishes."""

    def __init__(self, total: int, enabled: bool = True, label: str = "grading"):
        self.enabled = bool(enabled and total and sys.stderr.isatty())
        self.errors = 0
        self._last = ""
        self._bar: Any = None  # click's ProgressBar, whose type click does not export
        if self.enabled:
            self._bar = click.progressbar(
                length=total,
                label=label,
                file=sys.stderr,
                show_pos=True,
                show_eta=True,
                item_show_func=lambda _: self._last,
            )
            self._bar.__enter__()

    def done(self, key: str, status: str) -> None:
        """Count one finished submission."""
        if status != "ok":
            self.errors += 1
        if self._bar is not None:
            self._last = f"{key}" + (f"  ({self.errors} not graded)" if self.errors else "")
            self._bar.update(1, key)

    def close(self) -> None:
        """End the bar's line."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
