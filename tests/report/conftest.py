"""Fixtures of the report tests: a synthetic GradeResult and its figures, drawn once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.report_sample import make_result

HERE = Path(__file__).parent


@pytest.fixture
def result():
    """Passed, failed (diagnosis), crashed (traceback with <script>), not-attempted items."""
    return make_result(epochs=3000)


@pytest.fixture(scope="session")
def drawn(tmp_path_factory):
    """(artifacts, {name: PNG path}) drawn in-process once for the whole session."""
    from grader.report.figures import render_figures

    result = make_result(epochs=3000)
    out = tmp_path_factory.mktemp("figures")
    return result.artifacts, render_figures(result.artifacts, out)
