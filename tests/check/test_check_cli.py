"""`grade check` command line: exit statuses, one-line usage errors, --json to stdout or a file."""

import json

import pytest

USAGE_ERRORS = {
    "cli_missing_path": "does not exist",
    "cli_file_not_folder": "is a file",
    "cli_rubric_missing": "cannot read rubric",
    "cli_rubric_folder": "cannot read rubric",
    "cli_rubric_not_utf8": "not UTF-8",
    "cli_rubric_unknown_key": "unknown key 'colour' in [items.loss]",
}


@pytest.mark.parametrize("sub", sorted(USAGE_ERRORS))
def test_usage_error_exits_2_with_one_line(graded, sub):
    run = graded(sub)
    assert run.returncode == 2, run.describe()
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("grade: error: ") and USAGE_ERRORS[sub] in lines[0], lines[0]
    assert "Traceback" not in run.stderr and run.stdout == ""


@pytest.mark.graded("cli_missing_path", "cli_file_not_folder")
def test_usage_error_names_the_path(graded):
    assert "no-such-folder" in graded("cli_missing_path").stderr
    assert "reference/network.py" in graded("cli_file_not_folder").stderr


@pytest.mark.graded("cli_rubric_unknown_key")
def test_unknown_rubric_key_names_file_and_line(graded, bad_rubrics):
    path = bad_rubrics["unknown_key"]
    line = path.read_text(encoding="utf-8").splitlines().index('colour = "red"') + 1
    assert f"{path}:{line}: unknown key 'colour'" in graded("cli_rubric_unknown_key").stderr


@pytest.mark.graded("cli_fail_under_json_file")
def test_fail_under_not_met_exits_1_and_json_file_is_written(graded):
    run = graded("cli_fail_under_json_file")
    assert run.returncode == 1, run.describe()
    assert "below --fail-under 50" in run.stderr
    results = json.loads((run.tmpdir / "out" / "results.json").read_text(encoding="utf-8"))
    from grader.rubric.loader import load_rubric

    assert results["score"] == 0 and len(results["tests"]) == len(load_rubric().items)  # one per autograded item
    assert not list((run.tmpdir / "out").glob("*.tmp*")), "atomic write left a temporary file"


@pytest.mark.graded("reference")
def test_json_dash_puts_only_json_on_stdout(graded):
    run = graded("reference")
    assert run.stdout.lstrip().startswith("{") and json.loads(run.stdout)["extra_data"]["autograded_score"] == 100
    assert "Total" in run.stderr  # the table goes to stderr when stdout carries the JSON
