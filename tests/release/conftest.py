"""Session-wide builds for tests/release: one source copy, one wheel, one dependencies view."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.release.installs import build_wheel, copy_source, dependencies_view


@pytest.fixture(scope="session")
def source_copy(tmp_path_factory) -> Path:
    """The checkout's files in a scratch folder, so builds never write into the checkout."""
    return copy_source(tmp_path_factory.mktemp("source") / "lab1-grader")


@pytest.fixture(scope="session")
def wheel(source_copy, tmp_path_factory) -> Path:
    """The grader's wheel, built offline from the source copy."""
    return build_wheel(source_copy, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def deps(tmp_path_factory) -> Path:
    """Links to this environment's dependencies, without the grader itself."""
    return dependencies_view(tmp_path_factory.mktemp("deps") / "site")
