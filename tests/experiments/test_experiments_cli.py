"""`grade experiments` on the command line: help, usage errors, a short real run."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader.cli import cli
from tests.experiments.experiments_support import REFERENCE, ROOT
from tests.support.runner import run_grader


def test_help_lists_the_options_and_an_example():
    result = CliRunner().invoke(cli, ["experiments", "--help"])
    assert result.exit_code == 0
    for word in (
        "--out",
        "--rubric",
        "--dataset",
        "--jobs",
        "[linear|xor|both]",
        "Examples:",
        "grade experiments reference --out",
    ):
        assert word in result.output


def test_missing_submission_is_a_one_line_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["experiments", str(tmp_path / "missing"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [f"grade: error: submission folder {tmp_path / 'missing'} does not exist"]
    assert not (tmp_path / "o").exists()


def test_out_must_be_a_folder(tmp_path):
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(cli, ["experiments", str(REFERENCE), "--out", str(tmp_path / "file")])
    assert result.exit_code == 2 and "is a file" in result.output


def test_out_is_required(tmp_path):
    result = CliRunner().invoke(cli, ["experiments", str(REFERENCE)])
    assert result.exit_code == 2 and "--out" in result.output


def test_bad_rubric_is_a_usage_error(tmp_path):
    rubric = tmp_path / "bad.toml"
    rubric.write_text("name = [\n")
    result = CliRunner().invoke(
        cli, ["experiments", str(REFERENCE), "--out", str(tmp_path / "o"), "--rubric", str(rubric)]
    )
    assert result.exit_code == 2 and "invalid TOML" in result.output


@pytest.mark.e2e
def test_short_run_in_a_real_process(tmp_path):
    """The console entry point, not a tty: a plain counter on stderr, the summary on stdout."""
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    # From another folder than the checkout: PYTHONPATH finds the grader, the cwd does not.
    proc = run_grader(
        ["experiments", str(REFERENCE), "--out", str(out), "--epochs", "60", "--jobs", "2"],
        tmp,
        120,
        env={"PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        "experiments: 1/" in proc.stderr and "experiments: 16/16" in proc.stderr
    )  # 15 variants + identity on the other set
    assert "0 failed" in proc.stdout and "experiments.md" in proc.stdout
    assert (out / "experiments.md").is_file() and (out / "experiments.json").is_file()
    assert len(list(out.glob("*.png"))) == 5
