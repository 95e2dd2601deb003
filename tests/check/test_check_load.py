"""The same slow-but-correct submission gets the same score and reasons alone and next to CPU hogs on
the same cores (issue 12): time limits are budgets of the child's CPU time, not of the clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fixtures import fixture_path
from tests.support.runner import run_grader

# 3 s budgets: a training run of the fixture needs about half of one in CPU time, and many more seconds
# of wall clock when the cores are shared with the hogs (a wall-clock limit would fail it there).
FAST_RUBRIC = Path(__file__).resolve().with_name("fast_limits.toml")
SPIN = "while True: pass"


def grade(submission, tmp) -> dict:
    done = run_grader(
        ["check", str(submission), "--no-report", "--json", "-", "--sandbox", "default", "--rubric", str(FAST_RUBRIC)],
        tmp,
        900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def verdict(data: dict) -> list[tuple]:
    """Score, flags, and every check's status and reason (the words a student reads).

    `limits:` flags are left out: they report a measurement (CPU seconds used against a budget, at no
    cost), and a run that sits on the near-limit line may be flagged in one grading and not the next.
    """
    flags = [flag for flag in data["extra_data"]["flags"] if not flag.startswith("limits: ")]
    return [(data["score"], flags)] + [
        (c["item"], c["name"], c["status"], c["reason"]) for t in data["tests"] for c in t["extra_data"]["checks"]
    ]


@pytest.mark.slow
@pytest.mark.e2e
def test_slow_but_correct_submission_scores_the_same_next_to_a_cpu_hog(tmp_path):
    submission = fixture_path("slow_per_sample_sgd")
    alone = grade(submission, tmp_path)
    cores = os.cpu_count() or 2
    hogs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(2 * cores)]  # every core, twice over
    try:
        loaded = grade(submission, tmp_path)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert alone["extra_data"]["autograded_score"] == 100, verdict(alone)
    assert verdict(loaded) == verdict(alone)
    assert "overload_stops" not in loaded["extra_data"], loaded["extra_data"]  # no backstop needed here
    assert loaded["extra_data"]["cpu_seconds"] > 1.5  # it is a slow one: seconds of CPU per training run
