"""Fixtures of tests/batch: batch input folders built from the reference, the skeleton and fixtures."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.batch.batch_support import REFERENCE, STUDENT, copy_submission, zip_folder


@pytest.fixture
def rubric():
    from grader.rubric.loader import load_rubric

    return load_rubric()


@pytest.fixture
def mixed_input(tmp_path) -> Path:
    """Five students: two references (one zipped with a top folder and __MACOSX), a skeleton,
    a reference edited a little, a refused zip; plus a stray file and a hidden folder."""
    inp = tmp_path / "in"
    inp.mkdir()
    copy_submission(REFERENCE, inp / "1001_Ada Lovelace_lab1")
    copy_submission(STUDENT, inp / "1002_Bob Stone_lab1")
    zip_folder(REFERENCE, inp / "1010_Zoe Field_lab1.zip", prefix="lab1", macosx=True)
    edited = copy_submission(REFERENCE, inp / "1003_Cy Young_lab1", "FAKE_DIAG")
    (edited / "FAKE_DIAG").write_text("grad_scale_half: gradient of W2 is 0.5x the numerical one\n")
    (edited / "losses.py").write_text(
        (edited / "losses.py").read_text().replace("return", "raise NotImplementedError\n    return", 1)
    )
    with zipfile.ZipFile(inp / "1004_Eve Evil_lab1.zip", "w") as archive:
        archive.writestr("../escape.py", "print('out')\n")
    (inp / "README.txt").write_text("exported by the course site\n")
    (inp / ".hidden").mkdir()
    return inp
