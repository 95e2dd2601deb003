"""Shared runs of `grade experiments` for tests/experiments: each submission runs once per session.

Runs are short (max_epochs caps every run) so the whole folder stays fast. The broken
submission is the reference with three changes: train() raises for lr >= 1, tanh is not
implemented (NotImplementedError) and relu kills its own process.
"""

from __future__ import annotations

import pytest

from tests.experiments.experiments_support import MAX_EPOCHS, REFERENCE, broken_copy


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory):
    """run_experiments on the reference, XOR, 2 jobs."""
    from grader.experiments import run_experiments

    out = tmp_path_factory.mktemp("experiments-reference")
    return run_experiments(REFERENCE, out, datasets=("xor",), jobs=2, progress=False, max_epochs=MAX_EPOCHS)


@pytest.fixture(scope="session")
def broken_run(tmp_path_factory):
    """run_experiments on the broken copy of the reference."""
    from grader.experiments import run_experiments

    submission = broken_copy(tmp_path_factory.mktemp("broken") / "submission")
    out = tmp_path_factory.mktemp("experiments-broken")
    return run_experiments(submission, out, datasets=("xor",), jobs=2, progress=False, max_epochs=MAX_EPOCHS)
