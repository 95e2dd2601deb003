"""The rubric as frozen dataclasses: items, manual items, seeds, limits and policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class RubricError(Exception):
    """An invalid or unreadable rubric; str() is one 'path:line: message' line per problem."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = list(errors) if errors else [message]


@dataclass(frozen=True)
class Seeds:
    """Seeds of the probes, of the graded training runs and of the (public) hidden points."""

    probe: int
    train: tuple[int, ...]
    hidden: int


@dataclass(frozen=True)
class Limits:
    """Resource limits of the sandboxed child and the clamps of training configs."""

    startup_seconds: float
    probe_seconds: float
    train_seconds: float
    memory_mb: int
    cpu_seconds: int
    max_processes: int
    file_size_mb: int
    open_files: int
    output_kb: int
    reply_mb: int
    max_epochs: int
    max_hidden: int
    min_lr: float
    max_lr: float
    # Time limits are budgets of the child's CPU time; the wall clock is only a backstop of
    # wall_factor x budget + wall_grace_seconds, and a backstop hit is never the student's fault.
    wall_factor: float = 10.0  # generous: a child that still computes when it passes is retried, then "regrade"
    wall_grace_seconds: float = 30.0
    near_limit: float = 0.5  # flag a submission whose probe or total used more than this share of a budget


# [limits] keys a rubric may leave out (older rubrics): their defaults above.
OPTIONAL_LIMITS = ("wall_factor", "wall_grace_seconds", "near_limit")


@dataclass(frozen=True)
class Policy:
    """What a framework import or code reaching into the probe server costs; allowed imports."""

    framework_violation: str
    allowed_imports: tuple[str, ...]
    tamper_violation: str = "zero"


@dataclass(frozen=True)
class Item:
    """An autograded rubric item; params holds its item-specific keys (tolerance, sizes, ...)."""

    key: str
    title: str
    points: float
    visibility: str
    params: dict[str, Any]
    description: str = ""
    line: int | None = field(default=None, compare=False, repr=False)
    bonus: bool = False  # an extra: its points come on top of the autograded 100


@dataclass(frozen=True)
class ManualItem:
    """A rubric item graded by hand (the lab report)."""

    key: str
    title: str
    points: float
    description: str = ""
    line: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Rubric:
    """A validated rubric file."""

    name: str
    title: str
    path: Path
    sha256: str
    seeds: Seeds
    limits: Limits
    policy: Policy
    items: dict[str, Item]
    manual: dict[str, ManualItem]

    @property
    def total_points(self) -> float:
        """Points of the autograded items (100 in a valid rubric), bonus items aside."""
        return sum(item.points for item in self.items.values() if not item.bonus)

    @property
    def bonus_points(self) -> float:
        """Points the bonus items (the extras) can add on top of total_points."""
        return sum(item.points for item in self.items.values() if item.bonus)

    @property
    def manual_points(self) -> float:
        """Points of the items graded by hand."""
        return sum(item.points for item in self.manual.values())

    @property
    def autograded_keys(self) -> tuple[str, ...]:
        """Keys of the autograded items, in file order."""
        return tuple(self.items)

    def item(self, key: str) -> Item:
        """The autograded item `key`; KeyError naming the rubric when there is none."""
        try:
            return self.items[key]
        except KeyError:
            raise KeyError(f"no item '{key}' in rubric {display_path(self.path)}") from None


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it (shorter messages)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd()).as_posix()
    except (ValueError, OSError):
        return str(path)
