"""From the pytest-json-report of a grading session and the rubric to a GradeResult."""

from __future__ import annotations

from grader.results import CheckOutcome, Diagnosis, GradeResult, ItemResult, ManualItem

NOT_ATTEMPTED = "not attempted"


def outcomes_from_report(report: dict) -> list[CheckOutcome]:
    """The CheckOutcome the plugin stored in each test's JSON metadata."""
    outcomes = []
    for test in report.get("tests", []):
        data = (test.get("metadata") or {}).get("check")
        if data is None:
            # No outcome: the check failed before its body ran (a grader bug); keep it visible.
            outcomes.append(
                CheckOutcome(
                    name=test.get("nodeid", "?"),
                    item="",
                    status="error",
                    fraction=0.0,
                    reason=f"internal grader error: check {test.get('nodeid')} did not run",
                )
            )
            continue
        diagnoses = [Diagnosis(**d) for d in data.pop("diagnoses", [])]
        outcomes.append(CheckOutcome(**data, diagnoses=diagnoses))
    return outcomes


def _item_reason(checks: list[CheckOutcome], not_attempted: bool) -> str:
    if not_attempted:
        return NOT_ATTEMPTED
    reasons = []
    for check in checks:
        if check.status != "passed" and check.reason and check.reason not in reasons:
            reasons.append(check.reason if check.status != "not_attempted" else f"{NOT_ATTEMPTED}: {check.reason}")
    return " | ".join(reasons[:3])


def score_item(item, checks: list[CheckOutcome]) -> ItemResult:
    """Points of one rubric item: its points times the weighted mean credit of its checks."""
    weight = sum(c.weight for c in checks) or 1.0
    credit = sum(c.weight * c.fraction for c in checks) / weight
    not_attempted = bool(checks) and all(c.status == "not_attempted" for c in checks)
    passed = bool(checks) and all(c.status == "passed" for c in checks)
    score = round(item.points * (1.0 if passed else credit), 4)
    return ItemResult(
        key=item.key,
        title=item.title,
        score=score,
        max_score=float(item.points),
        status="passed" if passed else "failed",
        reason=_item_reason(checks, not_attempted),
        visibility=item.visibility,
        not_attempted=not_attempted,
        checks=checks,
        bonus=bool(getattr(item, "bonus", False)),
    )


def _nothing_attempted(items: list[ItemResult]) -> bool:
    """True for an untouched skeleton: every item with points is not attempted."""
    graded = [i for i in items if i.max_score > 0]
    return bool(graded) and all(i.not_attempted for i in graded)


def framework_flags(items: list[ItemResult]) -> list[str]:
    """Flags for framework use, from the frameworks item's data."""
    flags = []
    for item in items:
        for check in item.checks:
            for finding in check.data.get("static", []) + check.data.get("runtime", []):
                flags.append(f"framework: {finding}")
    return flags


def build_result(rubric, outcomes: list[CheckOutcome], meta: dict, extra_flags=()) -> GradeResult:
    """Score every autograded item, apply the framework and tamper policies, fill in the summary.

    extra_flags: the sandbox's and the static scan's ("sandbox: ...", "tamper: ...", "review: ...").
    """
    by_item: dict[str, list[CheckOutcome]] = {key: [] for key in rubric.items}
    for outcome in outcomes:
        by_item.setdefault(outcome.item, []).append(outcome)
    items = [score_item(rubric.items[key], by_item[key]) for key in rubric.items]
    frameworks = framework_flags(items)
    flags = frameworks + list(extra_flags)
    tampered = any(flag.startswith("tamper:") for flag in flags)
    if _nothing_attempted(items):
        for item in items:
            item.not_attempted, item.status, item.score, item.reason = True, "failed", 0.0, NOT_ATTEMPTED
    score = sum(i.score for i in items if not i.bonus)
    bonus = sum(i.score for i in items if i.bonus)  # the extras: on top of the autograded points
    note = ""
    if frameworks and rubric.policy.framework_violation == "zero":
        score = bonus = 0.0
        note = " The autograded score is 0 because the submission uses a deep-learning framework (NumPy only)."
    elif tampered and rubric.policy.tamper_violation == "zero":
        score = bonus = 0.0
        note = (
            " The autograded score is 0 because the code reaches into the grader's probe server "
            "(see the flags): a TA will review it."
        )
    elif _nothing_attempted(items):
        note = " Nothing attempted yet: implement the TODOs in student/ and run `grade check` again."
    output = f"Score {score:g} / {rubric.total_points:g}" + (f" + {bonus:g} bonus" if bonus else "") + "." + note
    return GradeResult(
        score=round(score, 4),
        bonus=round(bonus, 4),
        max_score=float(rubric.total_points),
        items=items,
        output=output,
        manual_items=[ManualItem(key=m.key, title=m.title, max_score=float(m.points)) for m in rubric.manual.values()],
        flags=flags,
        meta=meta,
    )


def failed_result(rubric, reason: str, meta: dict, status: str = "error") -> GradeResult:
    """A complete result where every item lost its points for the same reason."""
    outcomes = [
        CheckOutcome(name="submission", item=key, status=status, fraction=0.0, reason=reason) for key in rubric.items
    ]
    result = build_result(rubric, outcomes, meta)
    result.output = f"Score 0 / {rubric.total_points:g}. {reason}"
    return result
