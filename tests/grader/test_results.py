"""results.json: what Gradescope shows a student (each test's output) carries the reasons and diagnoses."""

from __future__ import annotations

import json

from grader.results import CheckOutcome, Diagnosis, GradeResult, ItemResult, dumps

HALF = Diagnosis(
    code="grad_scale_half",
    message="every gradient is 0.5x the numerical one: did you use 1/2 sum?",
    hint="use the mean of the squared errors",
    item="backward",
)


def _result() -> GradeResult:
    checks = [
        CheckOutcome(
            name="test_backward[a]",
            item="backward",
            status="failed",
            fraction=0.0,
            reason="dW2 is off by 50%",
            diagnoses=[HALF],
        ),
        CheckOutcome(
            name="test_backward[b]",
            item="backward",
            status="failed",
            fraction=0.0,
            reason="db1 has shape (7, 4)",
            diagnoses=[HALF],
        ),
    ]
    items = [
        ItemResult(
            key="backward",
            title="Backward",
            score=0.0,
            max_score=25.0,
            status="failed",
            reason="dW2 is off by 50%",
            checks=checks,
        ),
        ItemResult(key="loss", title="Loss", score=10.0, max_score=10.0, status="passed", reason=""),
    ]
    return GradeResult(score=10.0, max_score=35.0, items=items)


def test_a_failed_test_output_holds_every_reason_and_each_diagnosis_once_with_its_hint():
    tests = json.loads(dumps(_result()))["tests"]
    output = tests[0]["output"]
    assert output.splitlines()[0] == "dW2 is off by 50%"
    assert "- db1 has shape (7, 4)" in output
    assert output.count("did you use 1/2 sum?") == 1
    assert "Hint: use the mean of the squared errors" in output
    assert tests[1]["output"] == ""


def test_the_item_reason_survives_a_round_trip_although_the_output_holds_more():
    again = GradeResult.from_gradescope(json.loads(dumps(_result())))
    assert again.items[0].reason == "dW2 is off by 50%"
    assert again.diagnoses[0].code == "grad_scale_half"
    assert dumps(again) == dumps(_result())


def test_a_not_attempted_item_says_only_that():
    check = CheckOutcome(name="t", item="loss", status="not_attempted", fraction=0.0, reason="TODO: the mean")
    item = ItemResult(
        key="loss",
        title="Loss",
        score=0.0,
        max_score=10.0,
        status="failed",
        reason="not attempted",
        not_attempted=True,
        checks=[check, check],
    )
    assert json.loads(dumps(GradeResult(score=0.0, max_score=10.0, items=[item])))["tests"][0]["output"] == (
        "not attempted"
    )
