"""The grader's pytest plugin, tested with pytester: markers, fixtures and outcomes on items."""

from types import SimpleNamespace

import pytest

from grader.check.plugin import CheckContext, GraderPlugin
from grader.rubric.loader import load_rubric

pytest_plugins = ["pytester"]

CHECKS = """
import pytest
from grader.sandbox import NotAttempted, SubmissionError

@pytest.mark.rubric("activations")
def test_passes(lab):
    assert lab.answer == 42

@pytest.mark.rubric("loss")
def test_fails_with_reason(lab):
    assert lab.answer == 41, "the answer is not 41: check the sign"

@pytest.mark.rubric("forward", weight=2)
def test_partial(grade, params):
    grade.partial(0.25, "one of four sizes right")
    assert params["batch"] == 7

@pytest.mark.rubric("update")
def test_not_attempted(lab):
    raise NotAttempted("TODO: implement update")

@pytest.mark.rubric("backward")
def test_student_crash(lab):
    raise SubmissionError("backward raised ValueError", traceback='File "network.py", line 3')

@pytest.mark.rubric("train_xor")
def test_grader_bug(lab):
    {}["missing"]
"""


@pytest.fixture
def plugin():
    context = CheckContext(rubric=load_rubric(), probes=SimpleNamespace(answer=42), submission=None, secret_seed=0)
    return GraderPlugin(context)


def test_outcomes_are_recorded_per_check(pytester, plugin):
    pytester.makepyfile(test_checks=CHECKS)
    pytester.runpytest_inprocess("-p", "no:cacheprovider", plugins=[plugin])
    outcomes = {o.name: o for o in plugin.outcomes.values()}
    assert outcomes["test_passes"].status == "passed" and outcomes["test_passes"].fraction == 1.0
    assert outcomes["test_passes"].item == "activations"
    failed = outcomes["test_fails_with_reason"]
    assert (failed.status, failed.fraction, failed.reason) == ("failed", 0.0, "the answer is not 41: check the sign")
    partial = outcomes["test_partial"]
    assert (partial.status, partial.fraction, partial.weight) == ("failed", 0.25, 2.0)
    assert outcomes["test_not_attempted"].status == "not_attempted"
    crash = outcomes["test_student_crash"]
    assert crash.status == "error" and "network.py" in crash.traceback
    bug = outcomes["test_grader_bug"]
    assert bug.status == "error" and bug.reason.startswith("internal grader error")


def test_checks_run_in_rubric_order(pytester, plugin):
    pytester.makepyfile(test_checks=CHECKS)
    pytester.runpytest_inprocess("-p", "no:cacheprovider", plugins=[plugin])
    items = [o.item for o in plugin.outcomes.values()]
    order = list(load_rubric().items)
    assert items == sorted(items, key=order.index)
    assert plugin.check_items == {"activations", "loss", "forward", "update", "backward", "train_xor"}


def test_rubric_marker_is_registered(pytester, plugin):
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest_inprocess("--strict-markers", "-p", "no:cacheprovider", plugins=[plugin])
    result.assert_outcomes(passed=2, failed=4)  # partial credit passes in pytest terms


def test_outcomes_reach_the_json_report(pytester, plugin):
    from pytest_jsonreport.plugin import JSONReport

    pytester.makepyfile(test_checks=CHECKS)
    report = JSONReport()
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "--json-report-file=none", plugins=[plugin, report])
    checks = {t["metadata"]["check"]["name"]: t["metadata"]["check"] for t in report.report["tests"]}
    assert checks["test_not_attempted"]["status"] == "not_attempted"
    assert checks["test_partial"]["fraction"] == 0.25
