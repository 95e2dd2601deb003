"""Every fixture: reference/ plus a few marked edits, graded into valid results, nothing left behind."""

import pytest

from tests.check.check_expected import (
    BAD_INPUTS,
    DIAGNOSES,
    FRAMEWORKS,
    PER_CHECK,
)
from tests.support.fixtures import FixtureError, apply_edit, fixture_names, load_spec, materialize

FIXTURES = fixture_names()
SLOW = {"infinite_loop_at_import", "infinite_loop_in_train"}


def _params(names):
    return [pytest.param(name, marks=[pytest.mark.slow] if name in SLOW else []) for name in names]


def test_every_fixture_has_expectations():
    expected = set(PER_CHECK) | set(DIAGNOSES) | set(BAD_INPUTS) | set(FRAMEWORKS)
    assert set(FIXTURES) == expected


@pytest.mark.parametrize("sub", FIXTURES)
def test_fixture_applies_to_the_current_reference_and_marks_its_defect(sub, tmp_path):
    spec = load_spec(sub)
    assert spec.get("description", "").strip(), f"{sub}.toml: say what the fixture breaks"
    folder = materialize(sub, tmp_path / sub)  # raises FixtureError when an edit no longer applies
    assert (folder / "network.py").is_file()
    edits = spec.get("edit", []) + [{"new": text} for text in spec.get("files", {}).values()]
    assert edits, f"{sub}.toml changes nothing"
    text = "".join(e["new"] for e in edits)
    assert "DEFECT" in text or "flat imports" in text or len(edits) > 3, f"{sub}: mark the defect with a DEFECT comment"


def test_an_edit_that_no_longer_applies_is_an_error():
    with pytest.raises(FixtureError, match="occurs 0 times"):
        apply_edit("a = 1\n", "b = 2\n", "c = 3\n", "example.toml edit 1")
    with pytest.raises(FixtureError, match="occurs 2 times"):
        apply_edit("x\nx\n", "x\n", "y\n", "example.toml edit 1")


GRADED = FIXTURES + ["reference", "student"]


@pytest.mark.parametrize("sub", _params(GRADED))
def test_results_are_valid_and_every_lost_point_has_a_reason(graded, sub):
    run = graded(sub)
    data = run.assert_graded()
    assert len(run.stdout) < 256 * 1024, f"results.json is {len(run.stdout)} bytes"
    for test in data["tests"]:
        if test["score"] < test["max_score"]:
            assert test["output"].strip(), test
        for check in test["extra_data"]["checks"]:
            assert check["status"] in ("passed", "failed", "not_attempted", "error", "timeout"), check
            assert check["status"] == "passed" or check["reason"].strip(), check


@pytest.mark.parametrize("sub", _params(GRADED))
def test_no_process_or_folder_left_behind(graded, sub):
    run = graded(sub)
    if run.leftovers is None:
        pytest.skip("no /proc here: cannot list processes")
    assert run.leftovers == [], f"processes left behind: {run.leftovers}"
    assert run.leftover_dirs == [], f"sandbox folders left behind: {run.leftover_dirs}"


@pytest.mark.parametrize("sub", _params(GRADED))
def test_no_internal_grader_error(graded, sub):
    run = graded(sub)
    for key, test in run.tests.items():
        assert "internal grader error" not in test["output"], (key, test["output"])


def test_fast_limits_rubric_differs_from_the_real_one_only_in_limits():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    from check_expected import ROOT

    real = tomllib.loads((ROOT / "rubric" / "lab1.toml").read_text(encoding="utf-8"))
    fast = tomllib.loads((ROOT / "tests" / "check" / "fast_limits.toml").read_text(encoding="utf-8"))
    changed = {k: v for k, v in fast["limits"].items() if real["limits"].get(k) != v}
    assert changed == {"startup_seconds": 3.0, "probe_seconds": 3.0, "train_seconds": 3.0, "memory_mb": 512}
    for data in (real, fast):
        del data["limits"], data["name"]
    assert fast == real, "tests/check/fast_limits.toml drifted from rubric/lab1.toml: copy it again"
