"""Linux confinement of the sandboxed child: the ``strict`` tier, and the kernel guards both tiers share.

    plan.py      parent side: available(), wrapper(), view_plan(), confine_policy(), child_preexec(),
                 guard_grader(), hidden_paths()
    view.py      child side, strict tier: enter_view() builds a private root and drops privileges
    confine.py   child side, both tiers: confine() applies no_new_privs, Landlock and seccomp
    kernel.py    the kernel's numbers (mount flags, syscalls, Landlock rights) both sides share

The child loads view.py, confine.py and kernel.py by path (grader/sandbox/child/main.py), so they
import only the standard library and grader/sandbox/procs.py. Killing and reaping a child's tree is
in grader/sandbox/procs.py.
"""

from grader.sandbox.procs import MARKER, kill_tree
from grader.sandbox.strict.confine import landlock_abi, seccomp_program
from grader.sandbox.strict.kernel import NOBODY, ConfinementError
from grader.sandbox.strict.plan import (
    as_root,
    available,
    child_preexec,
    confine_policy,
    framework_dirs,
    guard_grader,
    hidden_paths,
    python_roots,
    view_plan,
    wrapper,
)

__all__ = [
    "MARKER",
    "NOBODY",
    "ConfinementError",
    "as_root",
    "available",
    "child_preexec",
    "confine_policy",
    "framework_dirs",
    "guard_grader",
    "hidden_paths",
    "kill_tree",
    "landlock_abi",
    "python_roots",
    "seccomp_program",
    "view_plan",
    "wrapper",
]
