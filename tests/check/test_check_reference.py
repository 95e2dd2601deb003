"""The instructor solution scores exactly 100; the untouched skeleton scores 0, all "not attempted"."""

import pytest


@pytest.mark.graded("reference")
def test_reference_scores_100_with_every_item_passed(graded):
    run = graded("reference")
    data = run.assert_graded()  # exit 0 also proves --fail-under 100 is met by exactly 100
    assert data["extra_data"]["autograded_score"] == 100
    bonus = sum(t["extra_data"].get("bonus_points", 0) for t in data["tests"])
    assert bonus > 0 and data["score"] == 100 + bonus  # every extra earns its bonus, on top of the 100
    assert data["output"] == f"Score 100 / 100 + {bonus:g} bonus."
    for key, test in run.tests.items():
        assert test["status"] == "passed", (key, test["output"])
        assert test["score"] == test["extra_data"].get("bonus_points", test["max_score"]), key
        assert test["output"] == "", key
        assert not test["extra_data"]["not_attempted"], key
        assert all(c["status"] == "passed" for c in test["extra_data"]["checks"]), key
    assert run.diagnoses == [] and run.flags == []


@pytest.mark.graded("reference")
def test_reference_results_carry_the_metadata(graded):
    extra = graded("reference").json["extra_data"]
    assert extra["rubric_name"] == "lab1"
    assert len(extra["rubric_sha256"]) == 64 and len(extra["submission_sha256"]) == 64
    assert extra["seeds"]["hidden"] == "public"
    assert extra["python"] and extra["numpy"]
    assert {m["key"] for m in extra["manual_items"]} == {
        "report_introduction",
        "report_setup",
        "report_results",
        "report_discussion",
        "report_extra",
    }
    assert sum(m["max_score"] for m in extra["manual_items"]) == 110


@pytest.mark.graded("student")
def test_untouched_skeleton_scores_0_not_attempted(graded):
    run = graded("student")  # `grade check` without a path grades ./student
    data = run.assert_graded()
    assert data["score"] == 0
    assert "Nothing attempted yet" in data["output"]
    for key, test in run.tests.items():
        assert test["extra_data"]["not_attempted"] is True, key
        first, *todos = test["output"].splitlines()
        assert first == "not attempted", (key, test["output"])
        assert all(line.startswith("- TODO: ") for line in todos), (key, todos)  # the tasks left, never a crash
        assert test["score"] == 0 and test["status"] == "failed", key
    assert run.diagnoses == [] and run.flags == []
