"""The portable tier forced on Linux grades every fixture as the default tier does (issue 15): same
score, same lost items, same check statuses; and it records what it cannot confine."""

from __future__ import annotations

import pytest

from tests.support.fixtures import fixture_names

NAMES = [*fixture_names(), "reference"]
SLOW = {"infinite_loop_at_import", "infinite_loop_in_train"}


def _params():
    return [
        pytest.param(
            f"portable:{name}",
            marks=[pytest.mark.graded(name), pytest.mark.e2e] + ([pytest.mark.slow] if name in SLOW else []),
            id=name,
        )
        for name in NAMES
    ]


@pytest.mark.parametrize("sub", _params())
def test_portable_tier_scores_like_the_default_tier(graded, sub):
    name = sub.split(":", 1)[1]
    default, portable = graded(name), graded(sub)
    data = portable.assert_graded()
    extra = data["extra_data"]
    assert extra["sandbox"] == "portable", extra.get("sandbox")
    assert any("no kernel confinement" in gap for gap in extra["unconfined"]), extra.get("unconfined")
    assert data["score"] == default.json["score"], (name, data["score"], default.json["score"])
    assert portable.failed_items() == default.failed_items()
    for key in default.tests:
        statuses = sorted(c["status"] for c in default.checks(key))
        assert sorted(c["status"] for c in portable.checks(key)) == statuses, (key, portable.checks(key))


@pytest.mark.e2e
@pytest.mark.graded("portable:reference")
def test_portable_tier_leaves_no_process_or_folder(graded):
    run = graded("portable:reference")
    assert run.assert_graded()["extra_data"]["autograded_score"] == 100
    if run.leftovers is not None:
        assert run.leftovers == [] and run.leftover_dirs == []
