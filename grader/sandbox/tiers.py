"""Which sandbox tier runs a submission: `--sandbox auto|strict|default|portable`.

- strict:   Linux namespaces, private root, seccomp (grader/sandbox/strict.py): graded work;
- default:  POSIX rlimits and process groups, plus Landlock and seccomp on Linux;
- portable: cross-platform parts only (subprocess, psutil; grader/sandbox/portable.py): Windows, or
            wherever the others cannot start. It confines nothing: it watches.

`auto` takes the first of these the machine supports and says why in `extra_data.tier_note`.
"""

from __future__ import annotations

import os
import sys

TIERS = ("strict", "default", "portable")
CHOICES = ("auto", *TIERS)


def posix_sandbox_supported() -> bool:
    """The default tier needs fork/exec with preexec_fn, pass_fds and process groups (POSIX)."""
    return os.name == "posix"


def choose(asked: str) -> tuple[str, str]:
    """(tier, note): the tier to run for `asked`, and, for `auto`, what it picked and why."""
    if asked not in CHOICES:
        raise ValueError(f"unknown sandbox {asked!r}: use one of {', '.join(CHOICES)}")
    if asked != "auto":
        return asked, ""
    if sys.platform.startswith("linux"):
        from grader.sandbox import strict

        ok, why = strict.available()
        if ok:
            return "strict", ""
        return "default", f"auto: the strict tier is not available here ({why}), so the default tier ran"
    if posix_sandbox_supported():
        return "default", (
            f"auto: {sys.platform} has no Linux namespaces, Landlock or seccomp, so the default tier "
            "ran (rlimits and process groups only)"
        )
    return "portable", (
        f"auto: {sys.platform} cannot start the POSIX sandbox, so the portable tier ran: the grader "
        "watches CPU time, memory and output, and confines nothing (grade graded work on Linux)"
    )
