"""Run a submission in a sandboxed child process and talk to it over pipes."""

from grader.sandbox.errors import (
    ChildDied,
    MachineOverloaded,
    MalformedReply,
    NotAttempted,
    ProbeError,
    ProbeTimeout,
    SubmissionError,
)
from grader.sandbox.limits import ChildLimits
from grader.sandbox.process import Sandbox, SubmissionTooLarge

__all__ = [
    "ChildDied",
    "ChildLimits",
    "MachineOverloaded",
    "MalformedReply",
    "NotAttempted",
    "ProbeError",
    "ProbeTimeout",
    "Sandbox",
    "SubmissionError",
    "SubmissionTooLarge",
]
