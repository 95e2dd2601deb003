"""Submissions that do not import, hang, exit, flood or blow up: clear messages, valid results, no leftovers."""

import re

import pytest

from tests.check.check_expected import BAD_INPUTS, TRAIN
from tests.support.fixtures import fixture_path

SLOW = {"infinite_loop_at_import", "infinite_loop_in_train"}  # they wait for the 3 s limits


def _params(names):
    return [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in sorted(names)]


def defect_line(sub: str, filename: str) -> int:
    """1-based line of the DEFECT comment in a fixture's file."""
    lines = (fixture_path(sub) / filename).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if "DEFECT" in line)


@pytest.mark.parametrize("sub", _params(BAD_INPUTS))
def test_bad_input_ends_with_a_clear_reason(graded, sub):
    expected = BAD_INPUTS[sub]
    run = graded(sub)
    run.assert_graded()
    assert run.failed_items() == set(expected["failed"]), run.describe()
    # Items whose checks need a module that does not import score 0; items with a check that does
    # not need it (SGD alone, network shapes when only forward breaks) keep that check's share.
    partly_independent = {"update", "forward"}
    for key in expected["failed"]:
        assert run.item(key)["score"] == 0 or key in partly_independent, (key, run.item(key))
    for key, words in expected["phrases"].items():
        for phrase in words:
            assert phrase in run.output(key), f"{phrase!r} not in the {key} reason: {run.output(key)!r}"
    if not expected["failed"]:
        assert run.json["extra_data"]["autograded_score"] == 100


@pytest.mark.parametrize("sub", sorted(n for n, e in BAD_INPUTS.items() if e["where"] and n != "import_syntax_error"))
def test_traceback_names_the_students_file_and_line(graded, sub):
    where = BAD_INPUTS[sub]["where"]
    run = graded(sub)
    frame = f'File "{where}", line {defect_line(sub, where)}'
    for key in BAD_INPUTS[sub]["failed"] - {"update"}:
        tracebacks = run.tracebacks(key)
        assert frame in tracebacks, (key, tracebacks)
        assert "site-packages" not in tracebacks and "/grader/" not in tracebacks, tracebacks  # trimmed


@pytest.mark.graded("import_syntax_error")
def test_syntax_error_traceback_names_the_students_file(graded):
    tracebacks = graded("import_syntax_error").tracebacks("forward")
    assert f'File "network.py", line {defect_line("import_syntax_error", "network.py")}' in tracebacks, tracebacks
    assert "lab1-grader-" not in tracebacks


@pytest.mark.graded("import_syntax_error")
def test_syntax_error_reason_names_file_and_line(graded):
    line = defect_line("import_syntax_error", "network.py")
    assert f"(network.py, line {line})" in graded("import_syntax_error").output("forward")


@pytest.mark.parametrize("sub", ["import_syntax_error", "import_error_missing_module", "exits_at_import"])
def test_modules_that_import_are_still_graded(graded, sub):
    """network.py does not import, but activations, losses and SGD are graded on their own."""
    run = graded(sub)
    assert run.item("activations")["score"] == 10 and run.item("loss")["score"] == 10
    sgd = {c["name"]: c["status"] for c in run.checks("update")}
    assert sgd == {
        "test_network_update_is_one_sgd_step": "error",
        "test_sgd_step": "passed",
        "test_network_uses_the_optimizer_it_is_given": "error",
    }


@pytest.mark.slow
@pytest.mark.graded("infinite_loop_in_train")
def test_endless_training_is_stopped_and_the_rest_graded(graded):
    run = graded("infinite_loop_in_train")
    autograded = sum(t["score"] for t in run.json["tests"] if t["max_score"] > 0)  # bonus items: max_score 0
    assert autograded == 70  # everything but training
    assert run.json["extra_data"]["child_restarts"] >= 1
    assert all(c["status"] == "timeout" for key in TRAIN for c in run.checks(key)), [run.checks(k) for k in TRAIN]
    # One 3 s CPU budget answers the endless loop, not one per training run (CPU seconds: load does not count).
    assert run.json["extra_data"]["cpu_seconds"] < 2 * 3, run.json["extra_data"]["cpu_seconds"]


@pytest.mark.slow
@pytest.mark.graded("infinite_loop_at_import")
def test_endless_import_is_stopped_once(graded):
    run = graded("infinite_loop_at_import")
    assert run.json["score"] == 0
    assert 'if __name__ == "__main__":' in run.output("forward")
    # One 3 s CPU startup budget, not one wait per check.
    assert run.json["extra_data"]["cpu_seconds"] < 2 * 3, run.json["extra_data"]["cpu_seconds"]


@pytest.mark.graded("prints_megabytes")
def test_megabytes_of_output_are_capped(graded):
    run = graded("prints_megabytes")
    assert run.json["extra_data"]["autograded_score"] == 100
    assert len(run.stdout) < 256 * 1024, f"results.json is {len(run.stdout)} bytes"
    assert len(run.stderr) < 256 * 1024, f"the terminal table is {len(run.stderr)} bytes"
    assert "#" * 1000 not in run.stdout + run.stderr


@pytest.mark.graded("memory_blowup_in_train")
def test_memory_blowup_is_reported_as_memory(graded):
    reason = graded("memory_blowup_in_train").output("train_linear")
    assert re.search(r"memory", reason, re.IGNORECASE), reason


@pytest.mark.graded("input_at_import")
def test_input_at_import_tells_to_remove_it(graded):
    assert "remove input()" in graded("input_at_import").output("train_linear")
