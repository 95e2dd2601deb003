"""The same slow-but-correct submission gets the same score and reasons on a quiet machine and next to
CPU hogs on the same cores (issue 12): time limits are budgets of the child's CPU time, not of the clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.runner import run_grader

# Graded with tests/check/fast_limits.toml (3 s budgets, see FAST_RUBRIC_FIXTURES in conftest.py): the
# fixture's longest training run needs ~0.9 CPU s; next to 2 x cores hogs (and the session's other
# gradings) it gets a third of a core or less, so its runs take several times as long on the clock.
SLOW = "slow_per_sample_sgd"
SPIN = "while True: pass"


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
@pytest.mark.graded(SLOW)
def test_slow_but_correct_submission_scores_the_same_next_to_a_cpu_hog(graded, tmp_path):
    quiet = graded(SLOW)  # graded by the session's pool: at most one other grading beside it
    cores = os.cpu_count() or 2
    hogs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(2 * cores)]  # every core, twice over
    try:
        done = run_grader(quiet.argv[3:], tmp_path, 900)  # the same command line: python -m grader ARGS
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert done.returncode == 0, done.stderr[-3000:]
    alone, loaded = quiet.assert_graded(), json.loads(done.stdout)
    assert "fast_limits.toml" in " ".join(quiet.argv), quiet.argv  # 3 s CPU budgets (not of the clock)
    assert alone["extra_data"]["autograded_score"] == 100, verdict(alone)
    assert verdict(loaded) == verdict(alone)
    assert "overload_stops" not in loaded["extra_data"], loaded["extra_data"]  # no backstop needed here
    assert loaded["extra_data"]["cpu_seconds"] > 3  # a slow one: ~6 CPU s where the reference needs ~1
