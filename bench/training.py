"""Benchmark the reference's own training with its config: both data sets, seeds 0..4.

The grader trains every submission with its config inside the child's CPU budget
([limits] train_seconds of the rubric), so the reference must stay far below it.
Goal: each run under 1 s on the project's machines (~0.06-0.1 s measured).
This was a wall-time assert in tests/lab/test_lab_training.py; a test proves that the
reference learns, a benchmark says how fast.

    python bench/training.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reference.config import HYPERPARAMETERS  # noqa: E402
from reference.data import generate_linear, generate_xor_easy  # noqa: E402
from reference.train import build_network, train  # noqa: E402

GOAL_SECONDS = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    worst = 0.0
    for dataset in ("linear", "xor"):
        for seed in range(5):
            x, y = generate_linear(100, rng=seed) if dataset == "linear" else generate_xor_easy()
            times = []
            for _ in range(args.repeat):
                net = build_network(dataset, seed=seed)
                started = time.perf_counter()
                train(net, x, y, HYPERPARAMETERS[dataset]["epochs"])
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            worst = max(worst, median)
            print(f"{dataset:6} seed {seed}: {median * 1000:7.1f} ms (median of {args.repeat})")
    verdict = "ok" if worst < GOAL_SECONDS else "OVER GOAL"
    print(f"slowest: {worst * 1000:.1f} ms; goal < {GOAL_SECONDS * 1000:.0f} ms: {verdict}")
    return 0 if worst < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
