"""Grading results as dataclasses, serialized to Gradescope's results.json schema in one place."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grader.atomic import atomic_write_text

SCHEMA_VERSION = 1

# Statuses of one check, from best to worst; an item takes the worst of its checks.
CHECK_STATUSES = ("passed", "failed", "not_attempted", "error", "timeout", "overloaded")  # overloaded: regrade


@dataclass
class Diagnosis:
    """A recognised mistake with a hint a student can act on."""

    code: str  # stable identifier, e.g. "grad_scale_half"
    message: str  # what is wrong, e.g. "gradient of W2 is 0.5x the numerical one"
    hint: str = ""  # what to do about it
    item: str = ""  # rubric item it was found by


@dataclass
class CheckOutcome:
    """The result of one check (one pytest test) of the grader."""

    name: str  # pytest test name, e.g. "test_gradient_matches_finite_differences[2-4-4-1]"
    item: str  # rubric item key this check serves
    status: str  # one of CHECK_STATUSES
    fraction: float  # credit earned, 0..1
    weight: float = 1.0
    reason: str = ""  # one line a student can act on; empty when passed
    duration: float = 0.0
    traceback: str = ""  # the student's own traceback, trimmed to their files
    diagnoses: list[Diagnosis] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # JSON-safe numbers for reports


@dataclass
class ItemResult:
    """The score of one autograded rubric item."""

    key: str
    title: str
    score: float
    max_score: float
    status: str  # "passed" when score == max_score, else "failed"
    reason: str  # why points were lost, or a summary when passed
    visibility: str = "visible"
    not_attempted: bool = False
    checks: list[CheckOutcome] = field(default_factory=list)
    bonus: bool = False  # an extra: its points come on top of the autograded max_score


@dataclass
class ManualItem:
    """A rubric item graded by hand (the lab report); carried so a gradebook has its column."""

    key: str
    title: str
    max_score: float


@dataclass
class GradeResult:
    """Everything `grade check` knows about one submission."""

    score: float
    max_score: float
    items: list[ItemResult]
    execution_time: float = 0.0
    output: str = ""  # summary text shown on Gradescope
    manual_items: list[ManualItem] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # e.g. "framework: imports torch"
    meta: dict[str, Any] = field(default_factory=dict)  # schema, versions, hashes, seeds, timings
    bonus: float = 0.0  # points of the bonus items (extras), on top of score; Gradescope allows > max
    # In-memory only (never serialized): numpy arrays the reports draw from,
    # e.g. artifacts["train"]["linear"] = {"x", "y", "params", "losses", "activation"}.
    artifacts: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def diagnoses(self) -> list[Diagnosis]:
        """All diagnoses of all checks, in item order."""
        return [d for item in self.items for check in item.checks for d in check.diagnoses]

    def to_gradescope(self) -> dict[str, Any]:
        """Gradescope's results.json dict, with the grader's own data under extra_data."""
        tests = []
        for number, item in enumerate(self.items, start=1):
            tests.append(
                {
                    "name": item.title,
                    "number": str(number),
                    "score": round(item.score, 4),
                    "max_score": 0.0 if item.bonus else item.max_score,  # bonus: beyond the 100
                    "status": item.status,
                    "output": test_output(item),
                    "output_format": "text",
                    "visibility": item.visibility,
                    "tags": [item.key],
                    "extra_data": {
                        "key": item.key,
                        "reason": item.reason,
                        "not_attempted": item.not_attempted,
                        "checks": [asdict(c) for c in item.checks],
                        **({"bonus": True, "bonus_points": item.max_score} if item.bonus else {}),
                    },
                }
            )
        return {
            "score": round(self.score + self.bonus, 4),  # the extras' bonus on top: Gradescope allows > max
            "execution_time": round(self.execution_time, 3),
            "output": self.output,
            "output_format": "text",
            "test_output_format": "text",
            "test_name_format": "text",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": tests,
            "extra_data": {
                "schema_version": SCHEMA_VERSION,
                "max_score": self.max_score,
                "autograded_score": round(self.score, 4),
                "bonus": round(self.bonus, 4),
                "flags": list(self.flags),
                "diagnoses": [asdict(d) for d in self.diagnoses],
                "manual_items": [asdict(m) for m in self.manual_items],
                **self.meta,
            },
        }

    @classmethod
    def from_gradescope(cls, data: dict[str, Any]) -> GradeResult:
        """Rebuild a GradeResult from a results.json dict (artifacts are not restored)."""
        extra = dict(data.get("extra_data", {}))
        items = []
        for test in data.get("tests", []):
            test_extra = test.get("extra_data", {})
            checks = [
                CheckOutcome(**{**c, "diagnoses": [Diagnosis(**d) for d in c.get("diagnoses", [])]})
                for c in test_extra.get("checks", [])
            ]
            items.append(
                ItemResult(
                    key=test_extra.get("key", (test.get("tags") or [""])[0]),
                    title=test["name"],
                    score=test["score"],
                    max_score=test_extra.get("bonus_points", test["max_score"]),
                    status=test.get("status", "failed"),
                    reason=test_extra.get("reason", test.get("output", "")),
                    visibility=test.get("visibility", "visible"),
                    not_attempted=test_extra.get("not_attempted", False),
                    checks=checks,
                    bonus=bool(test_extra.get("bonus", False)),
                )
            )
        extra.pop("schema_version", None)
        extra.pop("diagnoses", None)
        bonus = float(extra.pop("bonus", 0.0))
        autograded = extra.pop("autograded_score", data["score"] - bonus)
        return cls(
            score=autograded,
            bonus=bonus,
            max_score=extra.pop("max_score", sum(i.max_score for i in items)),
            items=items,
            execution_time=data.get("execution_time", 0.0),
            output=data.get("output", ""),
            manual_items=[ManualItem(**m) for m in extra.pop("manual_items", [])],
            flags=list(extra.pop("flags", [])),
            meta=extra,
        )


def test_output(item: ItemResult) -> str:
    """A Gradescope test's output: the item's reason, every failed check's own reason, then the diagnoses.

    Gradescope shows students only `output`, so what `extra_data` holds for the reports must be here too.
    """
    lines = [item.reason] if item.reason else []
    for check in [] if item.not_attempted else item.checks:  # "not attempted" says it all
        line = f"- {check.reason}"
        if check.status != "passed" and check.reason and check.reason not in item.reason and line not in lines:
            lines.append(line)
    seen = set()
    for diagnosis in (d for check in item.checks for d in check.diagnoses):
        if (diagnosis.code, diagnosis.message) in seen:
            continue
        seen.add((diagnosis.code, diagnosis.message))
        lines.append(f"Diagnosis: {diagnosis.message}")
        if diagnosis.hint:
            lines.append(f"  Hint: {diagnosis.hint}")
    return "\n".join(lines)


def dumps(result: GradeResult) -> str:
    """results.json text of a result."""
    return json.dumps(result.to_gradescope(), indent=2, allow_nan=False) + "\n"


def write_results(result: GradeResult, path: str | Path) -> Path:
    """Write results.json atomically: readers see the old file or the new one, never half."""
    return atomic_write_text(Path(path), dumps(result))


def read_results(path: str | Path) -> GradeResult:
    """Load a results.json written by write_results."""
    return GradeResult.from_gradescope(json.loads(Path(path).read_text(encoding="utf-8")))
