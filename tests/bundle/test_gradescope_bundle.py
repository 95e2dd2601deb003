"""grade bundle gradescope: the zip's contents, and run_autograder run in a temporary /autograder."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.batch import run_batch
from grader.bundle.gradescope import build_bundle
from tests.batch.batch_support import REFERENCE, zip_folder

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
SEED = "918273"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The zip built from this checkout, with a secret seed in the environment."""
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    previous = os.environ.get("LAB1_SECRET_SEED")
    os.environ["LAB1_SECRET_SEED"] = SEED
    try:
        built = build_bundle(out)
    finally:
        if previous is None:
            del os.environ["LAB1_SECRET_SEED"]
        else:
            os.environ["LAB1_SECRET_SEED"] = previous
    assert built.seed_source == "secret"
    return out


def autograder_root(tmp_path: Path, bundle: Path) -> Path:
    """A fake /autograder: the zip unpacked into source/ as Gradescope does, an empty submission/."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():
            mode = info.external_attr >> 16
            if mode & stat.S_IXUSR:
                os.chmod(root / "source" / info.filename, 0o755)
    return root


def run_autograder(root: Path) -> dict:
    env = {
        **os.environ,
        "LAB1_AUTOGRADER_ROOT": str(root),
        "LAB1_AUTOGRADER_PYTHON": sys.executable,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("LAB1_SECRET_SEED", None)
    done = subprocess.run(
        [str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert SEED not in done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def validate(results: dict) -> None:
    import jsonschema

    jsonschema.validate(results, SCHEMA)


pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_the_zip_holds_setup_run_autograder_the_wheel_and_the_seed(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        assert archive.read("secret_seed").decode().strip() == SEED
        requirements = archive.read("requirements.txt").decode()
        setup = archive.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "requirements.txt", "lab1.toml", "secret_seed"} <= names
    assert any(n.startswith("wheels/lab1_grader-") and n.endswith(".whl") for n in names)
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    pins = [line for line in requirements.splitlines() if not line.startswith("#")]
    assert all("==" in line for line in pins) and "numpy==" in requirements
    assert "requirements.txt" in setup and "wheels/*.whl" in setup
    assert f"python{sys.version_info.major}.{sys.version_info.minor}" in setup  # older images get this Python
    for script in ("setup.sh", "run_autograder"):
        with zipfile.ZipFile(bundle) as archive:
            text = archive.read(script).decode()
        assert subprocess.run(["bash", "-n"], input=text, text=True, check=False).returncode == 0, script
    wheel = next(n for n in names if n.endswith(".whl"))
    with zipfile.ZipFile(bundle) as archive, zipfile.ZipFile(archive.open(wheel)) as inner:
        assert not any(n.startswith(("reference/", "student/")) for n in inner.namelist())


def test_run_autograder_grades_a_zip_upload_like_grade_batch_with_the_same_seed(bundle, tmp_path):
    root = autograder_root(tmp_path, bundle)
    zip_folder(REFERENCE, root / "submission" / "lab1.zip", prefix="lab1", macosx=True)
    results = run_autograder(root)
    validate(results)
    assert not (root / "source" / "secret_seed").exists()  # gone before the student's code ran
    assert results["extra_data"]["hidden_seed"] == {"source": "secret"}
    inbox = tmp_path / "in"
    inbox.mkdir()
    zip_folder(REFERENCE, inbox / "1_Ada_lab1.zip", prefix="lab1")
    batch = run_batch(inbox, tmp_path / "grades", secret_seed=int(SEED), progress=False, reports=False, jobs=1)
    graded = batch.outcomes["1"].result
    assert results["extra_data"]["autograded_score"] == graded.score == 100  # the extras' bonus comes on top
    assert results["score"] == graded.score + graded.bonus
    assert [t["score"] for t in results["tests"]] == [round(i.score, 4) for i in graded.items]


def test_run_autograder_writes_valid_results_for_an_empty_upload(bundle, tmp_path):
    root = autograder_root(tmp_path, bundle)
    (root / "submission" / "notes.txt").write_text("I did not finish")
    results = run_autograder(root)
    validate(results)
    assert results["score"] == 0 and "no lab modules" in results["output"]
    assert all(t["output"] for t in results["tests"])


def test_a_failed_test_shows_its_diagnosis_to_gradescope_students(bundle, tmp_path):
    from tests.support.fixtures import fixture_path

    root = autograder_root(tmp_path, bundle)
    shutil.copytree(
        fixture_path("grad_half_scale"), root / "submission" / "lab1", ignore=shutil.ignore_patterns("__pycache__")
    )
    results = run_autograder(root)
    validate(results)
    backward = next(t for t in results["tests"] if t["tags"] == ["backward"])
    assert backward["status"] == "failed" and "Diagnosis:" in backward["output"]
