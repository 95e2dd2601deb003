"""The reference's learning curves are packaged data, fresh, and drawn only for their own data."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from grader.check import reference_curves
from grader.check.reference_curves import attach_reference_curves, data_key, packaged_curves
from grader.lab import datasets
from grader.release.curves import dumps_curves, stale_curves
from grader.results import GradeResult
from grader.rubric.loader import load_rubric
from tests.release.installs import ROOT


def _result_for(dataset: str, x, y) -> GradeResult:
    result = GradeResult(score=0.0, max_score=100.0, items=[])
    result.meta = {"seeds": {"train": [0]}}
    result.artifacts = {"train": {dataset: {"x": x, "y": y, "losses": np.ones(3)}}}
    return result


def test_curve_attached_for_the_graded_data_with_the_reference_config():
    rubric = load_rubric()
    x, y = datasets.training_set("linear", rubric.items["train_linear"].params, 0)
    result = _result_for("linear", x, y)
    attach_reference_curves(result)
    entry = result.artifacts["train"]["linear"]
    assert entry["reference_losses"].shape == (entry["reference_config"]["epochs"],)
    assert entry["reference_config"]["optimizer"] in ("sgd", "momentum", "adagrad", "adam")


def test_no_curve_for_other_data_or_seed():
    rubric = load_rubric()
    x, y = datasets.training_set("linear", rubric.items["train_linear"].params, 0)
    other = _result_for("linear", x + 1e-9, y)
    attach_reference_curves(other)
    assert other.artifacts["train"]["linear"]["reference_losses"] is None
    assert data_key(x, y, 0) != data_key(x, y, 1)


def test_unreadable_or_foreign_curves_file_gives_no_curve(monkeypatch):
    monkeypatch.setattr(reference_curves, "CURVES_RESOURCE", "no-such-file.json")
    packaged_curves.cache_clear()
    try:
        assert packaged_curves() == {}
    finally:
        monkeypatch.undo()
        packaged_curves.cache_clear()


def test_curves_document_round_trips_exactly():
    document = {"schema": 1, "curves": {"xor": {"losses": [0.1, 1 / 3]}, "linear": {}}}
    assert json.loads(dumps_curves(document)) == document


@pytest.mark.slow
@pytest.mark.e2e
def test_packaged_curves_are_those_of_the_current_reference():
    done = subprocess.run(
        [sys.executable, "-m", "grader.release.curves", "reference", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_stale_curves_are_named():
    curve = {"data_sha256": "d", "seed": 0, "config": {"lr": 1}, "losses": [0.5, 0.25]}
    fresh = {"curves": {"xor": curve}}
    assert stale_curves({"curves": {"xor": dict(curve)}}, fresh) == []
    assert stale_curves({"curves": {}}, fresh) == ["xor: no curve"]
    assert stale_curves({"curves": {"xor": {**curve, "losses": [0.5, 0.26]}}}, fresh) == [
        "xor: other losses (the reference changed)"
    ]
    assert stale_curves({"curves": {"xor": {**curve, "config": {"lr": 2}}}}, fresh) == [
        "xor: other data, seed or configuration"
    ]
