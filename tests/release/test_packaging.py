"""The grader installs the ordinary ways and grades from any folder, with no solution inside."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.release.installs import ROOT, make_venv, offline_env, pip_install

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _grade_reference_copy(bin_dir: Path, workdir: Path) -> dict:
    """`grade check` of a copy of reference/ from a folder that is not the checkout; results.json."""
    workdir.mkdir(parents=True, exist_ok=True)
    submission = shutil.copytree(
        ROOT / "reference", workdir / "my-submission", ignore=shutil.ignore_patterns("__pycache__")
    )
    done = subprocess.run(
        [str(bin_dir / "grade"), "check", submission.name, "--no-report", "--json", "-"],
        cwd=workdir,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _installed_grader(bin_dir: Path) -> Path:
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import grader; print(grader.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    ).stdout.strip()
    return Path(where).parent


def test_wheel_holds_the_rubric_and_curves_but_no_submission(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "grader/rubric/lab1.toml" in names
    assert "grader/check/reference_curves.json" in names
    assert "grader/check/items/test_backward.py" in names
    assert not [n for n in names if n.split("/")[0] in ("reference", "student", "tests", "rubric", "tools")]
    packaged = zipfile.ZipFile(wheel).read("grader/rubric/lab1.toml")
    assert packaged == (ROOT / "rubric" / "lab1.toml").read_bytes()


def test_installed_wheel_grades_from_another_folder(wheel, deps, tmp_path):
    bin_dir = make_venv(tmp_path / "venv", deps)
    done = pip_install(bin_dir, str(wheel))
    assert done.returncode == 0, done.stderr[-3000:]
    installed = _installed_grader(bin_dir)
    assert installed.is_relative_to(tmp_path / "venv"), installed
    for name in ("reference", "student"):
        probe = subprocess.run(
            [str(bin_dir / "python"), "-c", f"import {name}"], cwd=tmp_path, capture_output=True, text=True
        )
        assert probe.returncode != 0, f"`import {name}` works in a plain install"
    result = _grade_reference_copy(bin_dir, tmp_path / "elsewhere")
    assert result["extra_data"]["autograded_score"] == 100, result["output"]
    assert result["extra_data"]["rubric_sha256"]


def test_sdist_carries_what_a_wheel_build_needs(source_copy, deps, tmp_path):
    out = tmp_path / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "-o", str(out), str(source_copy)],
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (sdist,) = out.glob("lab1_grader-*.tar.gz")
    members = {m.split("/", 1)[1] for m in tarfile.open(sdist).getnames() if "/" in m}
    assert {"rubric/lab1.toml", "tools/build_hooks.py", "grader/check/reference_curves.json"} <= members
    assert not [m for m in members if m.split("/")[0] in ("reference", "student")]
    bin_dir = make_venv(tmp_path / "venv", deps)
    done = pip_install(bin_dir, str(sdist))
    assert done.returncode == 0, done.stderr[-3000:]
    assert _grade_reference_copy(bin_dir, tmp_path / "elsewhere")["extra_data"]["autograded_score"] == 100


def test_pip_install_git_url_of_a_clone(source_copy, deps, tmp_path):
    repo = shutil.copytree(source_copy, tmp_path / "repo")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)
    bin_dir = make_venv(tmp_path / "venv", deps)
    done = pip_install(bin_dir, f"git+file://{repo}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert _installed_grader(bin_dir).is_relative_to(tmp_path / "venv")
    assert _grade_reference_copy(bin_dir, tmp_path / "elsewhere")["extra_data"]["autograded_score"] == 100


def test_pip_install_dot_is_not_editable(source_copy, deps, tmp_path):
    bin_dir = make_venv(tmp_path / "venv", deps)
    done = pip_install(bin_dir, ".", cwd=source_copy)
    assert done.returncode == 0, done.stderr[-3000:]
    grader_dir = _installed_grader(bin_dir)
    assert (grader_dir / "rubric" / "lab1.toml").is_file()
    assert _grade_reference_copy(bin_dir, tmp_path / "elsewhere")["extra_data"]["autograded_score"] == 100


def test_student_build_gives_the_full_graders_score_and_diagnoses(wheel, deps, tmp_path):
    from tests.support.fixtures import materialize

    bin_dir = make_venv(tmp_path / "venv", deps)
    assert pip_install(bin_dir, str(wheel)).returncode == 0
    materialize("grad_half_scale", tmp_path / "work" / "sub")
    results = {}
    for name, command in (("installed", [str(bin_dir / "grade")]), ("checkout", [sys.executable, "-m", "grader"])):
        done = subprocess.run(
            [*command, "check", "sub", "--no-report", "--json", "-"],
            cwd=tmp_path / "work",
            env=offline_env() if name == "installed" else None,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        results[name] = json.loads(done.stdout)

    def verdicts(result: dict) -> list:
        return [(t["name"], t["score"], t["output"]) for t in result["tests"]]

    assert results["installed"]["score"] == results["checkout"]["score"] < 100
    assert verdicts(results["installed"]) == verdicts(results["checkout"])
