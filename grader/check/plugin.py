"""pytest plugin of the grader: the `rubric` marker, the fixtures checks use, outcomes on items."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.results import CheckOutcome, Diagnosis
from grader.sandbox import ProbeError

OUTCOME_KEY = pytest.StashKey[CheckOutcome]()


@dataclass
class CheckContext:
    """What a grading session knows: rubric, probes of the submission, seeds, static scan."""

    rubric: Any
    probes: Any  # grader.check.probes.LabProbes
    submission: Path
    secret_seed: int
    scan: Any = None  # grader.scan.imports.ScanReport
    cache: dict = field(default_factory=dict)


class Grade:
    """What a check records beyond pass/fail: partial credit, diagnoses, data for reports."""

    def __init__(self) -> None:
        self.fraction: float | None = None
        self.reason = ""
        self.diagnoses: list[Diagnosis] = []
        self.data: dict[str, Any] = {}

    def partial(self, fraction: float, reason: str) -> None:
        """Give `fraction` of the check's credit, with the reason for the rest."""
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        self.reason = reason


def rubric_item(item: pytest.Item) -> tuple[str, float]:
    """The rubric item key and weight a check is tagged with."""
    marker = item.get_closest_marker("rubric")
    if marker is None or not marker.args:
        return "", 1.0
    return str(marker.args[0]), float(marker.kwargs.get("weight", 1.0))


def _assertion_reason(exc: BaseException) -> str:
    """The first line of an assertion message, without pytest's introspection."""
    text = str(exc).strip()
    first = text.split("\n")[0].strip()
    return first if first and not re.match(r"^assert\b", first) else "the check failed"


def make_outcome(item: pytest.Item, call: pytest.CallInfo) -> CheckOutcome:
    """Turn a finished check into a CheckOutcome (the grader's, not pytest's, view)."""
    key, weight = rubric_item(item)
    grade: Grade = getattr(item, "_grade", None) or Grade()
    exc = call.excinfo.value if call.excinfo else None
    traceback = ""
    if exc is None:
        status, fraction, reason = "passed", 1.0 if grade.fraction is None else grade.fraction, grade.reason
        if fraction < 1.0:
            status = "failed"
    elif isinstance(exc, ProbeError):
        status, fraction, reason, traceback = exc.status, 0.0, exc.reason, exc.traceback
    elif isinstance(exc, (AssertionError, pytest.fail.Exception)):
        status, fraction = "failed", grade.fraction or 0.0
        reason = _assertion_reason(exc) if isinstance(exc, AssertionError) else str(exc.msg)
    else:  # a bug in the grader's own check, never the student's fault
        status, fraction = "error", 0.0
        reason = f"internal grader error in {item.name}: {type(exc).__name__}: {exc}"
    return CheckOutcome(
        name=item.name,
        item=key,
        status=status,
        fraction=fraction,
        weight=weight,
        reason=reason,
        duration=round(call.duration, 4),
        traceback=traceback,
        diagnoses=list(grade.diagnoses),
        data=dict(grade.data),
    )


class GraderPlugin:
    """Registered by grader.check for one session; holds the context and the outcomes."""

    def __init__(self, context: CheckContext):
        self._context = context
        self.outcomes: dict[str, CheckOutcome] = {}
        self.check_items: set[str] = set()

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "rubric(item, weight=1.0): the rubric item a check serves")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # Sort by rubric order then name: results never depend on file order.
        order = {key: i for i, key in enumerate(self._context.rubric.items)}
        for item in items:
            self.check_items.add(rubric_item(item)[0])
        items.sort(key=lambda it: (order.get(rubric_item(it)[0], len(order)), it.nodeid))

    def _record(self, item: pytest.Item, call: pytest.CallInfo) -> CheckOutcome | None:
        """The check's outcome, computed once, when its body ran or its setup failed."""
        if not (call.when == "call" or (call.when == "setup" and call.excinfo is not None)):
            return None
        if item.nodeid not in self.outcomes:
            outcome = make_outcome(item, call)
            item.stash[OUTCOME_KEY] = outcome
            self.outcomes[item.nodeid] = outcome
        return self.outcomes[item.nodeid]

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        self._record(item, call)
        yield

    @pytest.hookimpl(optionalhook=True)
    def pytest_json_runtest_metadata(self, item: pytest.Item, call: pytest.CallInfo):
        """Put the outcome into pytest-json-report's test entry, where scoring reads it."""
        outcome = self._record(item, call)
        return {"check": asdict(outcome)} if outcome else None

    # --- fixtures the checks use ------------------------------------------------
    @pytest.fixture(scope="session")
    def context(self) -> CheckContext:
        return self._context

    @pytest.fixture(scope="session")
    def lab(self):
        """The submission, behind the sandbox (grader.check.probes.LabProbes)."""
        return self._context.probes

    @pytest.fixture(scope="session")
    def rubric(self):
        return self._context.rubric

    @pytest.fixture
    def params(self, request) -> dict:
        """The rubric parameters of the check's item (tolerance, sizes, thresholds...)."""
        key, _ = rubric_item(request.node)
        return dict(self._context.rubric.items[key].params)

    @pytest.fixture
    def grade(self, request) -> Grade:
        grade = request.node._grade = Grade()
        return grade
