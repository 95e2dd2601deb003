"""`grade release`: the starter repository, what it holds and what it never holds."""

from __future__ import annotations

import itertools
import re
import zipfile
from pathlib import Path

import pytest

from grader.release.skeleton import skeleton_files
from grader.release.workflow import workflow_yaml
from tests.release.installs import ROOT
from tests.support.runner import GraderProcess, run_grader

yaml = pytest.importorskip("yaml")

pytestmark = pytest.mark.e2e


def release(*args: str, cwd: Path = ROOT) -> GraderProcess:
    return run_grader(["release", *args], None, 600, cwd=cwd)


@pytest.fixture(scope="module")
def starter(wheel, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "starter"
    done = release("--out", str(out), "--fail-under", "70")  # the wheel built from a clean copy of the checkout
    assert done.returncode == 0, done.stderr
    return out


def solution_pairs() -> set[tuple[str, str]]:
    """Every two consecutive code lines of a solution block of reference/."""
    pairs = set()
    for path in ROOT.joinpath("reference").glob("*.py"):
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION\n", path.read_text(), flags=re.S):
            code = [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]
            pairs |= set(itertools.pairwise(code))
    return pairs


def _code_pairs(text: str) -> set[tuple[str, str]]:
    code = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return set(itertools.pairwise(code))


def test_starter_holds_the_skeleton_readme_workflow_rubric_and_wheel(starter, wheel):
    files = sorted(p.relative_to(starter).as_posix() for p in starter.rglob("*") if p.is_file())
    assert files == sorted(
        [".github/workflows/grade.yml", ".gitignore", "README.md", "rubric/lab1.toml", f"wheels/{wheel.name}"]
        + [f"student/{n}" for n in skeleton_files(ROOT / "reference")]
    )
    for name, text in skeleton_files(ROOT / "reference").items():
        assert (starter / "student" / name).read_text() == text
    assert (starter / "rubric" / "lab1.toml").read_bytes() == (ROOT / "rubric" / "lab1.toml").read_bytes()
    ignored = (starter / ".gitignore").read_text().split()
    assert {"grade-report/", "figures/", "experiments/", ".venv/"} <= set(ignored)


def test_nothing_in_the_starter_holds_the_solution(starter, wheel):
    pairs = solution_pairs()
    assert len(pairs) > 40
    texts = {
        p.relative_to(starter).as_posix(): p.read_text()
        for p in starter.rglob("*")
        if p.is_file() and p.suffix != ".whl"
    }
    with zipfile.ZipFile(starter / "wheels" / wheel.name) as archive:
        names = archive.namelist()
        assert not [n for n in names if n.split("/")[0] in ("reference", "student", "tests")]
        texts.update({f"wheel:{n}": archive.read(n).decode("utf-8", "replace") for n in names})
    leaks = {name: sorted(pairs & _code_pairs(text))[:2] for name, text in texts.items() if pairs & _code_pairs(text)}
    assert leaks == {}


def test_workflow_pins_its_actions_and_runs_the_grader(starter, wheel):
    workflow = yaml.safe_load((starter / ".github" / "workflows" / "grade.yml").read_text())
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["grade"]["steps"]
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs == [
        f'python -m pip install --quiet "wheels/{wheel.name}"',
        "grade check student --out grade-report --fail-under 70",
    ]
    reporter = next(s for s in steps if "junit-report" in s.get("uses", ""))
    assert reporter["with"]["report_paths"] == "grade-report/junit.xml" and reporter["if"] == "${{ !cancelled() }}"


def test_readme_says_how_to_install_grade_and_what_the_limits_are(starter, wheel):
    readme = (starter / "README.md").read_text()
    for needed in (
        f"wheels/{wheel.name}",
        "python -m student.gradcheck",
        "grade check",
        "20000 epochs",
        "flipped",
        "torch",
        "Discussion | 30",
        "--fail-under 70",
        "secret seed",
    ):
        assert needed in readme, needed


def test_a_non_empty_folder_is_refused_unless_forced(starter, wheel, tmp_path):
    out = tmp_path / "repo"
    (out / ".git").mkdir(parents=True)
    (out / "student").mkdir()
    (out / "student" / "mine.py").write_text("x = 1\n")
    done = release("--out", str(out), "--wheel", str(wheel))
    assert done.returncode == 2 and "is not empty: pass --force" in done.stderr and done.stderr.count("\n") == 1
    assert (out / "student" / "mine.py").exists()
    done = release("--out", str(out), "--wheel", str(wheel), "--force")
    assert done.returncode == 0, done.stderr
    assert (out / ".git").is_dir() and not (out / "student" / "mine.py").exists()
    assert (out / "student" / "network.py").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".repo.")], "staging folder left behind"


@pytest.mark.parametrize("value", ["-1", "250"])
def test_fail_under_outside_the_points_is_refused(tmp_path, wheel, value):
    done = release("--out", str(tmp_path / "s"), "--wheel", str(wheel), "--fail-under", value)
    assert done.returncode == 2 and "outside 0..100" in done.stderr and not (tmp_path / "s").exists()


def test_grader_requirement_replaces_the_wheel(tmp_path):
    spec = "lab1-grader @ git+https://example.invalid/lab1-grader@v1"
    done = release("--out", str(tmp_path / "s"), "--grader-requirement", spec)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "s" / "wheels").exists()
    assert (tmp_path / "s" / ".github" / "workflows" / "grade.yml").read_text() == workflow_yaml(spec, 60)
    assert f'python -m pip install --quiet "{spec}"' in (tmp_path / "s" / "README.md").read_text()


@pytest.mark.slow
def test_release_builds_its_wheel_from_a_clean_copy_never_a_stale_build_folder(source_copy, tmp_path):
    import shutil

    from grader.release.wheel import build_clean_wheel

    source = shutil.copytree(source_copy, tmp_path / "src")  # the session's copy stays clean
    stale = source / "build" / "lib" / "grader" / "old_spec.py"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("def backward(): ...  # a module removed from grader/ since an earlier build\n")
    wheel = build_clean_wheel(tmp_path / "dist", root=source)
    names = zipfile.ZipFile(wheel).namelist()
    assert "grader/rubric/lab1.toml" in names and "grader/old_spec.py" not in names
