"""`grade check`: grade one submission in a sandbox (entry point: `run_check`)."""

from grader.check.run import run_check
from grader.usage import UsageError

__all__ = ["UsageError", "run_check"]
