"""What the end of a probe says: to the student, the ProbeError of a watcher's verdict, of the child's
death or of an error the child reported; to a TA, near-limit notes and the events the child saw.

Pure words and bookkeeping: grader/sandbox/process.py decides when a probe ends, this module what
that means. Every message here is read by students and matched by tests: change its words with care.
"""

from __future__ import annotations

import signal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from grader.sandbox import watch
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

SIGNAL_CAUSES = {
    "SIGXCPU": "it used more CPU time than allowed",
    "SIGKILL": "it was killed (often: it used more memory than allowed)",
    "SIGSEGV": "it crashed inside native code",
    "SIGXFSZ": "it wrote a file larger than allowed",
}


class WallStop(Exception):
    """The wall-clock backstop passed while the child was still computing (retried once)."""

    def __init__(self, usage: watch.Usage, wall: float):
        super().__init__("wall-clock backstop")
        self.usage, self.wall = usage, wall


def stopped(
    verdict: str, usage: watch.Usage, budget: watch.Budget, asked: float, what: str, limits: ChildLimits
) -> Exception:
    """The error for a probe the watcher stopped (a WallStop is retried by the caller)."""
    # A "cpu" verdict on a budget the submission's total cut short never reaches here: the caller
    # words it, because it also ends the sandbox (every later probe fails the same way).
    if verdict == "wall":
        return WallStop(usage, budget.wall_seconds)
    if verdict == "memory":
        return ChildDied(
            f"your code's process used more than the {limits.memory_mb} MB memory limit "
            f"during {what} and was stopped; it ran out of the {limits.memory_mb} MB memory limit"
        )
    if verdict == "output":
        return ChildDied(
            f"your code printed more than {(budget.output_bytes or 0) >> 20} MB during {what} "
            "and was stopped: remove prints from loops"
        )
    if verdict == "idle":
        return ProbeTimeout(
            f"{what} did not finish within {asked:g} s and was stopped: it waited "
            f"{usage.idle_seconds:.0f} s without computing; look for sleep(), input(), a lock "
            "or a process that never ends"
        )
    return ProbeTimeout(
        f"{what} did not finish within {asked:g} s and was stopped (seconds of your code's CPU time: "
        "the machine's load does not count): look for an endless loop or a very slow per-sample loop"
    )


def total_spent(limits: ChildLimits) -> str:
    """Why every probe fails once the submission's whole CPU budget is gone."""
    return (
        f"your code used the whole CPU budget of this submission ({limits.cpu_seconds:g} CPU seconds "
        "over every probe): make training faster (vectorise over the samples) or use fewer epochs"
    )


def overloaded(stop: WallStop, asked: float, what: str) -> MachineOverloaded:
    """The error for a probe the wall-clock backstop stopped twice: the machine's fault, not the student's."""
    return MachineOverloaded(
        f"machine overloaded: regrade. {what} was stopped twice by the wall-clock backstop "
        f"({stop.wall:.0f} s) while your code was still computing, with only {stop.usage.cpu_seconds:.1f} "
        f"of its {asked:g} CPU seconds used: the grading machine was too busy. This is not your code's "
        "fault: grade it again when the machine is less loaded"
    )


def death_reason(code: int | None, tail: str, what: str, limits: ChildLimits) -> str:
    """Why the child died, from its exit status (None: unknown) and the end of its output."""
    if code is not None and code < 0:
        sig = signal.Signals(-code).name
        cause = SIGNAL_CAUSES.get(sig, f"it received {sig}")
        reason = f"your code's process died during {what}: {cause}"
    elif code == 0:
        reason = f"your code ended the process during {what} (exit status 0): remove exit() and os._exit() calls"
    else:
        reason = f"your code's process exited with status {code} during {what}"
    if "MemoryError" in tail or "Cannot allocate memory" in tail:
        reason += f"; it ran out of the {limits.memory_mb} MB memory limit"
    return reason + (f" (last output: {tail[-200:]})" if tail else "")


def answer(header: dict[str, Any], what: str) -> dict[str, Any]:
    """The child's reply header with its output completed, or the ProbeError it reports."""
    output = str(header.get("output", ""))
    if header.get("output_dropped"):
        output += f"\n[... {header['output_dropped']} more characters of output dropped]"
    if not header.get("ok"):
        kind = header.get("kind")
        cls: type[ProbeError] = NotAttempted if kind == "not_attempted" else SubmissionError
        if kind == "malformed":
            cls = MalformedReply
        message = str(header.get("message", "unknown error"))
        reason = message if cls is NotAttempted else f"{what} raised {message}"
        if kind == "unsupported":  # values the wire format does not carry: this probe fails, the child lives
            reason = f"{what}: {message}"
        raise cls(reason, traceback=str(header.get("traceback", "")), output=output)
    header["output"] = output
    return header


@dataclass
class Peak:
    """The probe that used the largest share of its CPU budget so far."""

    share: float = 0.0
    what: str = ""
    used: float = 0.0
    budget: float = 0.0

    def note(self, used: float, budget: float, what: str) -> None:
        """Keep this probe if it came nearer its budget than every one before."""
        share = used / budget if budget > 0 else 0.0
        if share > self.share:
            self.share, self.what, self.used, self.budget = share, what, used, budget


def near_limits(peak: Peak, cpu_spent: float, limits: ChildLimits) -> list[str]:
    """What came near its budget (more than limits.near_limit of it), in words for a TA."""
    notes = []
    if peak.share > limits.near_limit:
        notes.append(f"{peak.what} used {peak.used:.1f} of its {peak.budget:g} CPU seconds")
    if cpu_spent > limits.near_limit * limits.cpu_seconds:
        notes.append(f"the submission used {cpu_spent:.0f} of its {limits.cpu_seconds:g} CPU seconds")
    return notes


# The child's lists come from its reply header: anything may be in them, so each entry is checked,
# clipped and counted (a flood of events must not grow the results).
def note_audit(into: list[str], events: Any) -> None:
    """Add the child's audit events (framework imports...) to `into`, new ones only, at most 100."""
    _collect(into, events or [], limit=100, chars=200)


def note_security(into: list[str], events: Any) -> None:
    """Add what the child's audit hook saw the code attempt to `into`, new ones only, at most 100."""
    _collect(into, events or [], limit=100, chars=300)


def note_review(into: list[str], notes: Any) -> None:
    """Add what a TA should look at to `into`, new ones only, at most 20."""
    _collect(into, notes if isinstance(notes, list) else [], limit=20, chars=300)


def _collect(into: list[str], items: Iterable[object], limit: int, chars: int) -> None:
    for item in items:
        if isinstance(item, str) and item not in into and len(into) < limit:
            into.append(item[:chars])
