"""Realistic course-site downloads built from reference/ and student/: Canvas, Moodle, Gradescope, Blackboard.

Each builder writes the entries the site writes (names checked against the sites' documentation
and real downloads: see grader/batch/lms.py) and returns the folder, as a TA would unzip it.
"""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

from tests.batch.batch_support import REFERENCE, STUDENT, zip_folder

MODULES = ("activations.py", "config.py", "data.py", "losses.py", "network.py", "optimizers.py", "train.py")
PDF = b"%PDF-1.4\n% the student's lab report\n"


def tar_folder(source: Path, tar_path: Path, prefix: str = "lab1") -> Path:
    """A .tar.gz of the modules of a folder under prefix/."""
    with tarfile.open(tar_path, "w:gz") as archive:
        for name in MODULES:
            archive.add(source / name, arcname=f"{prefix}/{name}")
    return tar_path


def zip_repo_with_venv(source: Path, zip_path: Path, venv_files: int) -> Path:
    """A zipped repository: the modules in lab1/, plus .venv, .git and __pycache__ holding many files."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in MODULES:
            archive.write(source / name, f"repo/lab1/{name}")
        for number in range(venv_files):
            archive.writestr(f"repo/.venv/lib/python3.11/site-packages/pkg{number}/__init__.py", "x = 1\n")
        archive.writestr("repo/.git/HEAD", "ref: refs/heads/main\n")
        archive.writestr("repo/lab1/__pycache__/network.cpython-311.pyc", b"\0" * 64)
        archive.writestr("repo/report.pdf", PDF)
    return zip_path


def canvas_download(folder: Path, venv_files: int = 60) -> Path:
    """Canvas 'Download Submissions': `sortablename_[late_]userid_attachmentid_file` for every uploaded file."""
    folder.mkdir(parents=True)
    zip_folder(REFERENCE, folder / "andersonalice_10001_50001_lab1.zip", prefix="lab1")
    tar_folder(REFERENCE, folder / "bakerbob_late_10002_50002_lab1.tar.gz")
    for number, name in enumerate(MODULES):  # loose uploads, one resubmitted (Canvas adds -1)
        own = "network-1.py" if name == "network.py" else name
        (folder / f"carterchen_10004_{50010 + number}_{own}").write_bytes((REFERENCE / name).read_bytes())
    (folder / "carterchen_10004_50020_report.pdf").write_bytes(PDF)
    (folder / "davisdana_10005_50030_lab1.rar").write_bytes(b"Rar!\x1a\x07\x00" + b"\0" * 32)
    zip_repo_with_venv(REFERENCE, folder / "evanseve_10006_50040_lab1.zip", venv_files)
    zip_folder(STUDENT, folder / "zhangzoe_10009_50090_lab1.zip")
    return folder


def canvas_roster(path: Path) -> Path:
    """The class list: 10007 and 10008 submitted nothing; 10009 (Zoe) is not on it."""
    rows = [
        "Student,ID,Email",
        '"Anderson, Alice",10001,alice@uni.example',
        '"Baker, Bob",10002,',
        '"Carter, Chen",10004,',
        '"Davis, Dana",10005,',
        '"Evans, Eve",10006,',
        '"Fox, Finn",10007,',
        '"Gray, Gus",10008,',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def moodle_download(folder: Path) -> Path:
    """Moodle 'Download all submissions' in folders: `Full Name_participantid_assignsubmission_file_/`."""
    folder.mkdir(parents=True)
    alice = folder / "Alice Anderson_500001_assignsubmission_file_"
    alice.mkdir()
    zip_folder(REFERENCE, alice / "lab1.zip", prefix="lab1", macosx=True)
    (alice / "report.pdf").write_bytes(PDF)
    bob = folder / "Bob Baker_500002_assignsubmission_file_"
    bob.mkdir()
    for name in MODULES:
        (bob / name).write_bytes((REFERENCE / name).read_bytes())
    text = folder / "Bob Baker_500002_assignsubmission_onlinetext_"
    text.mkdir()
    (text / "onlinetext.html").write_text("<p>see my files</p>")
    chen = folder / "Chen Carter_500003_assignsubmission_file_"
    chen.mkdir()
    tar_folder(STUDENT, chen / "lab1.tgz")
    return folder


GRADESCOPE_METADATA = """\
submission_900001:
  :submitters:
  - :name: Alice Anderson
    :sid: '10001'
    :email: alice@uni.example
  :created_at: 2026-03-01 10:00:00.000000000 -08:00
  :score: 0.0
  :status: processed
submission_900002:
  :submitters:
  - :name: Bob Baker
    :sid: '10002'
    :email: bob@uni.example
  - :name: Chen Carter
    :sid:
    :email: chen@uni.example
  :created_at: 2026-03-02 11:00:00.000000000 -08:00
  :score: 0.0
  :status: processed
"""


def gradescope_export(folder: Path) -> Path:
    """Gradescope 'Export Submissions': assignment_N_export/ with submission_metadata.yml and submission_N/ folders."""
    root = folder / "assignment_4242_export"
    root.mkdir(parents=True)
    (root / "submission_metadata.yml").write_text(GRADESCOPE_METADATA)
    first = root / "submission_900001"
    first.mkdir()
    for name in MODULES:
        (first / name).write_bytes((REFERENCE / name).read_bytes())
    second = root / "submission_900002"
    second.mkdir()
    zip_folder(REFERENCE, second / "lab1.zip")
    return folder


def blackboard_download(folder: Path) -> Path:
    """Blackboard 'Assignment File Download': `Assignment_user_attempt_date_file` plus a .txt receipt per attempt."""
    folder.mkdir(parents=True)
    old, new = "2026-03-01-09-00-00", "2026-03-02-18-30-00"
    for name in MODULES:
        (folder / f"Lab 1_jsmith_attempt_{old}_{name}").write_bytes((STUDENT / name).read_bytes())
        (folder / f"Lab 1_jsmith_attempt_{new}_{name}").write_bytes((REFERENCE / name).read_bytes())
    for when in (old, new):
        (folder / f"Lab 1_jsmith_attempt_{when}.txt").write_text("Name: Jo Smith (jsmith)\nAssignment: Lab 1\n")
    zip_folder(REFERENCE, folder / f"Lab 1_akim_attempt_{new}_lab1.zip")
    return folder
