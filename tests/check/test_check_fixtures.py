"""Every fixture: a small marked diff from reference/, graded into valid results, nothing left behind."""

import difflib

import pytest
from check_expected import (
    BAD_INPUTS,
    DIAGNOSES,
    FRAMEWORKS,
    PER_CHECK,
    REFERENCE,
    SUBMISSIONS,
)

FIXTURES = sorted(p.name for p in SUBMISSIONS.iterdir() if p.is_dir())
SLOW = {"infinite_loop_at_import", "infinite_loop_in_train"}
# Fixtures whose one defect spans more lines than a few: extras replaced by TODO stubs, flat imports.
LARGER_DIFFS = {"extras_missing": 40, "config_uses_missing_adam": 40, "not_a_package_flat_imports": 25}


def _params(names):
    return [pytest.param(name, marks=[pytest.mark.slow] if name in SLOW else []) for name in names]


def _changed_lines(sub):
    count = 0
    for ref in sorted(REFERENCE.glob("*.py")):
        mine = SUBMISSIONS / sub / ref.name
        new = mine.read_text(encoding="utf-8").splitlines() if mine.exists() else []
        diff = difflib.unified_diff(ref.read_text(encoding="utf-8").splitlines(), new, lineterm="", n=0)
        count += sum(1 for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---"))
    return count


def test_every_fixture_has_expectations():
    expected = set(PER_CHECK) | set(DIAGNOSES) | set(BAD_INPUTS) | set(FRAMEWORKS)
    assert set(FIXTURES) == expected


@pytest.mark.parametrize("sub", FIXTURES)
def test_fixture_is_the_reference_with_one_small_defect(sub):
    folder = SUBMISSIONS / sub
    names = {p.name for p in folder.glob("*.py")}
    modules = {p.name for p in REFERENCE.glob("*.py")} - {"__init__.py"}
    assert modules <= names, f"{sub} lacks {sorted(modules - names)}"
    assert not set(names) - {p.name for p in REFERENCE.glob("*.py")}, f"{sub} has extra files"
    changed = _changed_lines(sub)
    assert 0 < changed <= LARGER_DIFFS.get(sub, 12), f"{sub} differs from reference/ by {changed} lines"
    text = "\n".join((folder / n).read_text(encoding="utf-8") for n in sorted(names))
    assert "DEFECT" in text or sub in LARGER_DIFFS, f"{sub}: mark the defect with a DEFECT comment"


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
