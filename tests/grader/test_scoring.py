"""Scoring: items from check outcomes, not attempted, the framework policy, Gradescope JSON."""

import dataclasses
import json

import pytest

from grader.check.scoring import build_result, failed_result
from grader.results import CheckOutcome, GradeResult, dumps
from grader.rubric.loader import load_rubric


def outcome(item, status="passed", fraction=None, weight=1.0, reason="", data=None):
    if fraction is None:
        fraction = 1.0 if status == "passed" else 0.0
    return CheckOutcome(
        name=f"test_{item}_{status}",
        item=item,
        status=status,
        fraction=fraction,
        weight=weight,
        reason=reason,
        data=data or {},
    )


@pytest.fixture(scope="module")
def rubric():
    return load_rubric()


def all_passed(rubric):
    return [outcome(key) for key in rubric.items]


def test_everything_passed_scores_100(rubric):
    result = build_result(rubric, all_passed(rubric), {})
    assert result.score == 100 and all(i.status == "passed" for i in result.items)


def test_item_score_is_weighted_mean_of_its_checks(rubric):
    outcomes = [o for o in all_passed(rubric) if o.item != "train_xor"]
    outcomes += [outcome("train_xor", weight=3), outcome("train_xor", "failed", weight=1, reason="loss grew")]
    result = build_result(rubric, outcomes, {})
    item = next(i for i in result.items if i.key == "train_xor")
    assert item.score == pytest.approx(15 * 3 / 4)
    assert item.status == "failed" and item.reason == "loss grew"
    assert result.score == pytest.approx(100 - 15 / 4)


def test_skeleton_is_not_attempted_everywhere(rubric):
    outcomes = [outcome(k, "not_attempted", reason="TODO") for k in rubric.items if k != "frameworks"]
    result = build_result(rubric, outcomes + [outcome("frameworks")], {})
    assert result.score == 0
    assert all(i.not_attempted and i.reason == "not attempted" for i in result.items)


def test_framework_use_zeroes_the_score_and_flags(rubric):
    outcomes = [o for o in all_passed(rubric) if o.item != "frameworks"]
    outcomes.append(outcome("frameworks", "failed", data={"static": ["network.py:1 imports torch"], "runtime": []}))
    result = build_result(rubric, outcomes, {})
    assert result.score == 0
    assert result.flags == ["framework: network.py:1 imports torch"]
    assert "framework" in result.output


def test_framework_policy_flag_keeps_the_score(rubric):
    flag_only = dataclasses.replace(rubric, policy=dataclasses.replace(rubric.policy, framework_violation="flag"))
    outcomes = [o for o in all_passed(rubric) if o.item != "frameworks"]
    outcomes.append(outcome("frameworks", "failed", data={"static": [], "runtime": ["import of torch"]}))
    result = build_result(flag_only, outcomes, {})
    assert result.score == 100 and result.flags == ["framework: import of torch"]


TAMPER = "tamper: sneaky.py:2 reaches the grader's probe server (sys.modules['__main__'])"


def test_probe_server_tampering_zeroes_the_score_and_keeps_the_flags(rubric):
    result = build_result(rubric, all_passed(rubric), {}, [TAMPER, "review: autograd.py is named like a framework"])
    assert result.score == 0 and "probe server" in result.output
    assert result.flags == [TAMPER, "review: autograd.py is named like a framework"]
    assert all(item.score == item.max_score for item in result.items)  # the items still show what was earned


def test_tamper_policy_flag_and_review_flags_keep_the_score(rubric):
    flag_only = dataclasses.replace(rubric, policy=dataclasses.replace(rubric.policy, tamper_violation="flag"))
    assert build_result(flag_only, all_passed(rubric), {}, [TAMPER]).score == 100
    assert build_result(rubric, all_passed(rubric), {}, ["review: x.py:1 reads interpreter frames"]).score == 100
    assert build_result(rubric, all_passed(rubric), {}, ["sandbox: tried to write /x outside"]).score == 100


def test_failed_result_is_valid_gradescope_json(rubric):
    result = failed_result(rubric, "the submission has more than 2000 files", {"grader_version": "x"})
    data = json.loads(dumps(result))
    assert data["score"] == 0
    assert len(data["tests"]) == len(rubric.items)
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed")
    assert data["extra_data"]["schema_version"] == 1
    assert [m["key"] for m in data["extra_data"]["manual_items"]] == list(rubric.manual)


def test_results_round_trip(rubric):
    result = build_result(rubric, all_passed(rubric), {"rubric_name": "lab1"})
    again = GradeResult.from_gradescope(json.loads(dumps(result)))
    assert again.score == result.score and again.meta["rubric_name"] == "lab1"
    assert [i.key for i in again.items] == [i.key for i in result.items]
    assert again.items[0].checks == result.items[0].checks


def test_extras_are_bonus_on_top_of_100(rubric):
    """Bonus items earn their points beyond the autograded 100; Gradescope's sum of max_score stays 100."""
    bonus = {k: i.points for k, i in rubric.items.items() if i.bonus}
    assert bonus and rubric.bonus_points == sum(bonus.values()) and rubric.total_points == 100
    result = build_result(rubric, all_passed(rubric), {})
    assert result.score == 100 and result.bonus == sum(bonus.values())
    data = json.loads(dumps(result))
    assert data["score"] == 100 + sum(bonus.values())
    assert sum(t["max_score"] for t in data["tests"]) == 100
    for test in data["tests"]:
        key = test["extra_data"]["key"]
        if key in bonus:
            assert test["max_score"] == 0 and test["score"] == bonus[key] == test["extra_data"]["bonus_points"]
    back = GradeResult.from_gradescope(data)
    assert back.score == 100 and back.bonus == result.bonus
    assert [(i.key, i.max_score, i.bonus) for i in back.items] == [(i.key, i.max_score, i.bonus) for i in result.items]


def test_extras_not_attempted_cost_nothing_and_policy_zero_takes_the_bonus_too(rubric):
    outcomes = [o for o in all_passed(rubric) if not rubric.items[o.item].bonus]
    outcomes += [outcome(k, "not_attempted") for k, i in rubric.items.items() if i.bonus]
    result = build_result(rubric, outcomes, {})
    assert result.score == 100 and result.bonus == 0 and result.output == "Score 100 / 100."
    framework = [o for o in all_passed(rubric) if o.item != "frameworks"]
    framework.append(outcome("frameworks", "failed", data={"static": ["network.py:1 imports torch"]}))
    zeroed = build_result(rubric, framework, {})
    assert zeroed.score == 0 and zeroed.bonus == 0
