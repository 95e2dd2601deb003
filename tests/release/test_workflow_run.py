"""The starter's workflow, run as CI would: its `run:` steps in a shell, offline, on a fresh venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.release.installs import ROOT, make_venv, offline_env
from tests.release.test_release import release

yaml = pytest.importorskip("yaml")

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def run_steps(starter: Path, bin_dir: Path, summary: Path) -> list[tuple[str, int, float, str]]:
    """Each `run:` step of grade.yml in bash -eo pipefail (as GitHub runs them); (name, status, s, output)."""
    workflow = yaml.safe_load((starter / ".github" / "workflows" / "grade.yml").read_text())
    env = offline_env(
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        GITHUB_STEP_SUMMARY=str(summary),
        CI="true",
        GITHUB_ACTIONS="true",
        TMPDIR=str(starter.parent),
    )
    results = []
    for step in workflow["jobs"]["grade"]["steps"]:
        if "run" not in step:
            continue
        started = time.perf_counter()
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=starter,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        results.append((step["name"], done.returncode, time.perf_counter() - started, done.stdout + done.stderr))
        if done.returncode:
            break
    return results


@pytest.fixture(scope="module")
def ci_venv(deps, tmp_path_factory) -> Path:
    """What setup-python gives a job: a Python with pip (here, offline, with the grader's dependencies)."""
    return make_venv(tmp_path_factory.mktemp("ci") / "venv", deps, with_pip=True)


def _suite(starter: Path) -> ET.Element:
    return ET.parse(starter / "grade-report" / "junit.xml").getroot().find("testsuite")


def test_skeleton_scores_zero_every_item_not_attempted_and_the_job_fails(wheel, ci_venv, tmp_path):
    starter = tmp_path / "starter"
    assert release("--out", str(starter), "--wheel", str(wheel)).returncode == 0
    steps = run_steps(starter, ci_venv, tmp_path / "summary.md")
    assert [(name, status) for name, status, _, _ in steps] == [("Install the grader", 0), ("Grade", 1)], steps
    assert "Score 0 is below --fail-under 60" in steps[-1][3]
    for case in _suite(starter).iter("testcase"):
        failure, skipped = case.find("failure"), case.find("skipped")
        assert skipped is not None or (failure is not None and failure.get("type") == "not_attempted"), ET.tostring(
            case, encoding="unicode"
        )[:300]
    assert "0 / 100" in (tmp_path / "summary.md").read_text() or "0/100" in (tmp_path / "summary.md").read_text()


def test_a_correct_solution_gives_the_full_score_summary_and_junit(wheel, ci_venv, tmp_path):
    starter = tmp_path / "starter"
    assert release("--out", str(starter), "--wheel", str(wheel)).returncode == 0
    for path in (ROOT / "reference").glob("*.py"):
        shutil.copy(path, starter / "student" / path.name)
    steps = run_steps(starter, ci_venv, tmp_path / "summary.md")
    assert [(name, status) for name, status, _, _ in steps] == [("Install the grader", 0), ("Grade", 0)], steps
    summary = (tmp_path / "summary.md").read_text()
    assert "100" in summary and "lab1" in summary.lower(), summary[:500]
    suite = _suite(starter)
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["score"] == "100" and props["max_score"] == "100"
    assert (starter / "grade-report" / "report.html").is_file()
    print("workflow steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, _, seconds, _ in steps))
