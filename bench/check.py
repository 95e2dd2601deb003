"""Benchmark `grade check reference` against its floor, in one run.

The floor is what any grader must pay: a Python with numpy, plus the reference's own
training, in one process, of every run the rubric asks of an honest submission (one per network
seed and data set, then the flipped-label and secret-task runs). Prints medians and the ratios:
check / floor (goal: <= 2x) and report / no-report (goal: <= 1.5x). The one-seed floor (the
two runs the rubric asked for before its seed policy) is printed for comparison.

    python bench/check.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR_SCRIPT = """
import sys, tomllib
from reference import config, network, optimizers, train
from grader.lab import datasets
rubric = tomllib.load(open("rubric/lab1.toml", "rb"))
seeds = rubric["seeds"]["train"][: int(sys.argv[1])] if len(sys.argv) > 1 else rubric["seeds"]["train"]
checks = len(sys.argv) == 1
names = {"sgd": optimizers.SGD, "momentum": optimizers.Momentum, "adagrad": optimizers.AdaGrad, "adam": optimizers.Adam}
for item in rubric["items"].values():
    dataset = item.get("dataset")
    if not dataset:
        continue
    c = config.HYPERPARAMETERS[dataset]
    runs = [(s, *datasets.training_set(dataset, item, s)) for s in seeds]
    if checks:
        runs += [(seeds[0], runs[0][1], 1 - runs[0][2]), (seeds[0], *datasets.secret_task(dataset, item, 1234))]
    for seed, x, y in runs:
        net = network.Network(sizes=(2, *c["hidden"], 1), activation=c["activation"],
                              optimizer=names[c["optimizer"]](lr=c["lr"]), seed=seed)
        train.train(net, x, y, c["epochs"])
"""


def timed(command: list[str]) -> float:
    """Wall time of one command; fails loudly if the command fails."""
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def median_time(command: list[str], repeat: int) -> float:
    timed(command)  # warm the page cache and matplotlib's font cache
    return statistics.median(timed(command) for _ in range(repeat))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    python = sys.executable
    out = tempfile.mkdtemp(prefix="bench-check-")
    rows = {
        "python -c 'import numpy'": [python, "-c", "import numpy"],
        "floor, one seed: 2 training runs": [python, "-c", FLOOR_SCRIPT, "1"],
        "floor: numpy + reference training": [python, "-c", FLOOR_SCRIPT],
        "grade check reference --no-report": [python, "-m", "grader", "check", "reference", "--no-report"],
        "grade check reference (report)": [python, "-m", "grader", "check", "reference", "--out", out],
    }
    times = {name: median_time(cmd, args.repeat) for name, cmd in rows.items()}
    for name, seconds in times.items():
        print(f"{name:40s} {seconds:7.3f} s")
    floor = times["floor: numpy + reference training"]
    check = times["grade check reference --no-report"]
    report = times["grade check reference (report)"]
    print(f"{'check / floor':40s} {check / floor:7.2f}x   (goal <= 2.0x)")
    print(f"{'check with report / without':40s} {report / check:7.2f}x   (goal <= 1.5x)")


if __name__ == "__main__":
    main()
