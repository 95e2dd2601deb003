"""Why a probe of the submission produced no usable answer, in words a student can act on."""

from __future__ import annotations


class ProbeError(Exception):
    """A probe gave no usable answer; ``status`` says how the check should be marked."""

    status = "error"

    def __init__(self, reason: str, traceback: str = "", output: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.traceback = traceback  # the student's own frames only
        self.output = output  # what the submission printed during the probe (capped)


class NotAttempted(ProbeError):
    """The code raised NotImplementedError: the part is not attempted yet."""

    status = "not_attempted"


class SubmissionError(ProbeError):
    """The student's code raised an exception."""


class ProbeTimeout(ProbeError):
    """The child did not answer within the probe's time limit and was killed."""

    status = "timeout"


class ChildDied(ProbeError):
    """The child process exited or was killed by a signal (memory, CPU, exit call)."""


class MalformedReply(ProbeError):
    """The child answered, but the answer breaks the contract (shape, dtype, NaN, size)."""


class MachineOverloaded(ProbeError):
    """The wall-clock backstop passed twice while the child was still computing within its CPU budget:
    the grading machine was too busy. Never the student's fault: the result asks for a regrade."""

    status = "overloaded"
