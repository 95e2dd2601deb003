"""Every attack gains nothing, in both sandbox tiers: the exact score its honest part earns, a valid
results file, the attempt flagged where the grader can see it, and nothing left behind."""

from __future__ import annotations

import pytest

from tests.attacks.attack_harness import SECRET_SEED
from tests.attacks.attack_specs import (
    ATTACKS,
    NEIGHBOUR_SECRET,
    PORTABLE_BREAKS_GRADING,
    TIERS,
    portable_cases,
    tier_skip,
    unconfined_reason,
)
from tests.support.machine import require_strict_tier

pytestmark = pytest.mark.e2e

GRADESCOPE_VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
CASES = [pytest.param(name, tier, id=f"{name}-{tier}") for name in ATTACKS for tier in TIERS]


def _run(attack_runner, attack, tier):
    if tier == "strict":
        require_strict_tier()  # on CI, fails where the machine supports the tier
    why = tier_skip(ATTACKS[attack], tier)
    if why:
        pytest.skip(why)
    return attack_runner.get((attack, tier))


def _recorded_not_prevented(run, attack: str, tier: str, test: str) -> bool:
    """True when `attack` needs confinement `tier` lacks: then the result must say so (asserted here)."""
    why = unconfined_reason(attack, tier, test)
    if not why:
        return False
    if attack in PORTABLE_BREAKS_GRADING:
        try:
            data = run.json
        except AssertionError:
            data = {}
        if run.returncode != 0 or "grader_version" not in data.get("extra_data", {}):
            return True  # the documented hole: the grader died, or the daemon forged its file (timing decides)
    assert run.returncode == 0, run.describe()
    data = run.json
    assert isinstance(data.get("tests"), list) and data["tests"], run.describe()
    assert data["extra_data"]["sandbox"] == tier, "the tier that ran is recorded in every result"
    assert data["extra_data"].get("unconfined"), f"{attack}: {why}, and the result must record what ran unconfined"
    assert any(flag.startswith("tier: portable") for flag in data["extra_data"].get("flags", [])), data["extra_data"]
    return True


@pytest.mark.parametrize("attack, tier", CASES + portable_cases("score"))
def test_graded_to_the_honest_score(attack_runner, attack, tier):
    """The grader finishes with a valid Gradescope results file and the exact honest score."""
    run = _run(attack_runner, attack, tier)
    if _recorded_not_prevented(run, attack, tier, "score"):
        return
    assert run.returncode == 0, run.describe()
    data = run.json
    assert isinstance(data.get("tests"), list) and data["tests"], run.describe()
    for test in data["tests"]:
        assert 0 <= test["score"] <= test["extra_data"].get("bonus_points", test["max_score"]), test
        assert test["status"] in ("passed", "failed") and test.get("visibility", "visible") in GRADESCOPE_VISIBILITIES
    assert sum(t["max_score"] for t in data["tests"]) == 100
    score, failed = ATTACKS[attack].expected_score, ATTACKS[attack].expected_failed
    autograded = data["extra_data"].get("autograded_score", data["score"])  # the extras' bonus comes on top
    assert autograded == score, (
        f"score {autograded} (expected {score}); failed {sorted(run.failed_items())}\n" + run.describe()
    )
    assert run.failed_items() == failed, (
        f"items that lost points: {sorted(run.failed_items())}, expected {sorted(failed)}"
    )
    assert data["extra_data"]["sandbox"] == tier, "the tier that ran is recorded in every result"


@pytest.mark.parametrize("attack, tier", CASES + portable_cases("behind"))
def test_nothing_left_behind(attack_runner, attack, tier):
    """No process, no sandbox folder, no planted file, no connection, no leaked secret."""
    run = _run(attack_runner, attack, tier)
    if _recorded_not_prevented(run, attack, tier, "behind"):
        return
    assert not run.leftovers, f"processes left running (killed by the test): {run.leftovers}"
    assert not run.leftover_dirs, f"sandbox folders not deleted: {run.leftover_dirs}"
    assert not run.plants, f"files planted outside the sandbox (removed by the test): {run.plants}"
    assert not run.received, f"the submission reached the network: {run.received}"
    text = run.text()
    assert SECRET_SEED not in text, "the secret seed leaked into the output"
    assert NEIGHBOUR_SECRET not in text, "another student's files leaked into the output"
    assert "ATTACK-SUCCEEDED" not in text, next(line for line in text.splitlines() if "ATTACK-SUCCEEDED" in line)


@pytest.mark.parametrize("attack, tier", CASES + portable_cases("flagged"))
def test_attempt_flagged(attack_runner, attack, tier):
    """What the grader can detect is said in words: in the flags, or in the reasons of the items."""
    run = _run(attack_runner, attack, tier)
    if _recorded_not_prevented(run, attack, tier, "flagged"):
        return
    spec = ATTACKS[attack].spec
    data = run.json
    flags = " | ".join(data["extra_data"].get("flags", []))
    for words in spec.get("flags", []):
        assert words in flags, f"flags {flags!r} do not mention {words!r}"
    reasons = " | ".join(t["output"] for t in data["tests"])
    for words in spec.get("reasons", []):
        assert words in reasons, f"item reasons do not mention {words!r}:\n{reasons[:3000]}"
    notes = " | ".join(data["extra_data"].get("flags", []) + [str(data["extra_data"].get("security", ""))])
    missing = [words for words in spec.get("security", []) + spec.get(f"security_{tier}", []) if words not in notes]
    assert not missing, f"security notes {notes!r} do not mention {missing}"
