"""`grade batch` on the command line: options, help with examples, exit statuses, what it prints."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader.batch.cli import batch_command
from grader.batch.gradebook import read_gradebook
from tests.support.fake_grader import cell, fake_grade, reference_total


@pytest.fixture
def fake_default(monkeypatch):
    """The fake grader as the default grade function (forked local workers inherit the patch)."""
    from grader.batch import jobs

    monkeypatch.setattr(jobs, "default_grade_fn", lambda: fake_grade)


def test_help_lists_every_option_and_an_example():
    result = CliRunner().invoke(batch_command, ["--help"])
    assert result.exit_code == 0
    for option in (
        "--out",
        "--jobs",
        "--rubric",
        "--secret-seed",
        "--resume",
        "--executor",
        "--scheduler",
        "--pattern",
        "--timeout",
        "--similarity",
        "--no-report",
        "Examples:",
        "--lms",
        "--roster",
        "--only",
        "grade batch canvas-download/ --out grades/",
    ):
        assert option in result.output, option


def test_batch_command_writes_the_gradebook(mixed_input, tmp_path, fake_default):
    out = tmp_path / "grades"
    result = CliRunner().invoke(batch_command, [str(mixed_input), "--out", str(out), "-j", "2", "--timeout", "30"])
    assert result.exit_code == 0, result.output
    assert "5 of 5 submissions" in result.output and "1 not graded (1 refused)" in result.output
    assert "Gradebook: " in result.output and "near-identical" in result.output
    assert len(read_gradebook(out / "gradebook.csv")) == 5
    again = CliRunner().invoke(batch_command, [str(mixed_input), "-o", str(out), "--resume"])
    assert again.exit_code == 0 and "5 kept from an earlier run" in again.output


def test_custom_pattern_names_students(tmp_path, fake_default):
    from batch_support import REFERENCE, copy_submission

    inp = tmp_path / "moodle"
    copy_submission(REFERENCE, inp / "Jane Doe_4711_assignsubmission_file_")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        batch_command,
        [str(inp), "-o", str(out), "-j", "1", "--pattern", r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission"],
    )
    assert result.exit_code == 0, result.output
    (row,) = read_gradebook(out / "gradebook.csv")
    assert (row["id"], row["name"], row["total"]) == ("4711", "Jane Doe", cell(reference_total()))


@pytest.mark.parametrize(
    "args, message",
    [
        (["{missing}", "-o", "{out}"], "does not exist"),
        (["{inp}", "-o", "{out}", "--pattern", "(oops"], "not a valid regular expression"),
        (["{inp}", "-o", "{out}", "--scheduler", "tcp://h:1"], "--scheduler needs --executor dask"),
    ],
)
def test_usage_errors_exit_2(mixed_input, tmp_path, args, message):
    values = {"missing": tmp_path / "missing", "out": tmp_path / "out", "inp": mixed_input}
    result = CliRunner().invoke(batch_command, [a.format(**values) for a in args])
    assert result.exit_code == 2
    assert message in result.output


def test_out_is_required(mixed_input):
    result = CliRunner().invoke(batch_command, [str(mixed_input)])
    assert result.exit_code == 2 and "--out" in result.output
