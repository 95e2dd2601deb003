"""Resource limits and the scrubbed environment of the sandboxed child."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no rlimits; the wall-clock kill still applies
    resource = None  # type: ignore[assignment]

# Variables the child keeps from the grader's environment: OpenBLAS needs the CPU hints
# some machines set for correctness; everything else (tokens, secret seeds) is dropped.
KEPT_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL", "SYSTEMROOT")


@dataclass(frozen=True)
class ChildLimits:
    """What the child may use; built from the rubric's [limits]."""

    startup_seconds: float = 20.0  # CPU seconds of the child (its process tree) for each kind of probe
    probe_seconds: float = 10.0
    train_seconds: float = 30.0
    memory_mb: int = 1024
    cpu_seconds: int = 300  # CPU seconds of the whole submission (every probe and restart); also RLIMIT_CPU
    max_processes: int = 256
    file_size_mb: int = 64
    open_files: int = 256
    output_kb: int = 64
    reply_mb: int = 64
    wall_factor: float = 10.0  # wall-clock backstop: wall_factor x CPU budget + wall_grace_seconds
    wall_grace_seconds: float = 30.0
    near_limit: float = 0.5  # share of a budget past which the submission is flagged

    def backstop(self, cpu_seconds: float) -> float:
        """The wall-clock backstop of a probe with this CPU budget (generous: load is not the student's fault)."""
        return cpu_seconds * self.wall_factor + self.wall_grace_seconds

    @classmethod
    def from_rubric(cls, limits) -> ChildLimits:
        """Take the fields this class knows from a rubric Limits object."""
        names = cls.__dataclass_fields__
        return cls(**{name: getattr(limits, name) for name in names if hasattr(limits, name)})


def child_environment(home: Path) -> dict[str, str]:
    """A minimal environment: no secrets, single-threaded BLAS, a private HOME and TMPDIR."""
    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    env.update(
        PATH=os.defpath,
        HOME=str(home),
        TMPDIR=str(home),
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MPLBACKEND="Agg",
        MPLCONFIGDIR=str(home / ".matplotlib"),
    )
    env.setdefault("LANG", "C.UTF-8")
    return env


def rlimit_setter(limits: ChildLimits):
    """A preexec function applying the rlimits the OS has; each one is best effort."""
    if resource is None:
        return None
    mb = 1 << 20
    wanted = [
        ("RLIMIT_CORE", 0),
        ("RLIMIT_CPU", int(limits.cpu_seconds) + 10),  # a backstop: the parent enforces the budgets
        ("RLIMIT_FSIZE", limits.file_size_mb * mb),
        ("RLIMIT_NOFILE", limits.open_files),
        ("RLIMIT_NPROC", limits.max_processes),
    ]
    # macOS does not enforce RLIMIT_AS and rejects lowering it on some versions.
    if sys.platform.startswith("linux"):
        # OpenBLAS reserves ~192 MiB of address space at import: never go below that.
        wanted.append(("RLIMIT_AS", max(limits.memory_mb, 256) * mb))

    def apply() -> None:
        for name, value in wanted:
            which = getattr(resource, name, None)
            if which is None:
                continue
            try:
                _, hard = resource.getrlimit(which)
                soft = value if hard == resource.RLIM_INFINITY else min(value, hard)
                # Hard limits too, so the submission cannot raise its own soft limits;
                # CPU gets a grace period: SIGXCPU at the soft limit, SIGKILL after.
                new_hard = soft + 5 if name == "RLIMIT_CPU" else soft
                if hard != resource.RLIM_INFINITY:
                    new_hard = min(new_hard, hard)
                resource.setrlimit(which, (soft, new_hard))
            except (ValueError, OSError):
                pass

    return apply
