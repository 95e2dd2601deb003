"""make_jobs: one graded run per dataset and seed, then one flipped-label run per dataset."""

import numpy as np

from grader.rubric.loader import load_rubric
from grader.check.training import make_jobs

CONFIG = {"linear": {"hidden": [4, 4], "lr": 0.5, "epochs": 100}, "xor": {"hidden": [4, 4], "lr": 0.5, "epochs": 100}}


def test_flipped_runs_come_last_with_labels_flipped():
    rubric = load_rubric()
    jobs = make_jobs(CONFIG, rubric)
    graded = [job for job in jobs if not job.flipped]
    flipped = [job for job in jobs if job.flipped]
    assert jobs == graded + flipped
    assert [job.dataset for job in flipped] == ["linear", "xor"]
    for job in flipped:
        twin = next(g for g in graded if g.dataset == job.dataset and g.seed == job.seed)
        np.testing.assert_array_equal(job.x, twin.x)
        np.testing.assert_array_equal(job.y, 1 - twin.y)
        assert job.key == twin.key + ":flipped"
        assert set(np.unique(job.y)) == {0, 1}
