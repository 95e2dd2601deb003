"""Benchmark `grade batch` on 100 generated submissions, with 1 worker then 2, in one run.

The submissions are copies of reference/ and of the well-behaved fixture submissions under
tests/submissions/ (reference/ and student/ when there are none). Prints seconds per
submission, the parallel efficiency of 2 workers against 1 (t1 / (2 * t2)) and the peak
memory of each worker and of its largest grading process.
Goals (issue 6): 100 submissions in under 60 s on 2 cores with reports, efficiency >= 85%,
under 200 MB per worker.

    python bench/batch.py              # the real grader, with reports
    python bench/batch.py --fake       # the fake grader burning 0.3 s of CPU a submission
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.batch import run_batch  # noqa: E402
from tests.support.fake_grader import fake_grade  # noqa: E402
from tests.support.fixtures import HOSTILE  # noqa: E402

# The fixtures that hang, flood or blow up on purpose measure time limits, not the grader; a process
# left behind on purpose would outlive the bench.
SKIPPED_FIXTURES = HOSTILE | {"detached_process_in_train"}


def sources() -> list[Path]:
    """The folders the generated submissions copy: the reference first, then the fixtures (materialized edits)."""
    from tests.support.fixtures import fixture_path

    names = sorted(p.stem for p in (ROOT / "tests" / "submissions").glob("*.toml") if p.stem not in SKIPPED_FIXTURES)
    fixtures = [fixture_path(name) for name in names]
    return [ROOT / "reference", *fixtures] if fixtures else [ROOT / "reference", ROOT / "student"]


def generate(folder: Path, count: int) -> Path:
    """`count` submission folders: every other one the reference, the rest cycling through the fixtures."""
    folder.mkdir(parents=True)
    reference, *others = sources()
    cycle = itertools.cycle(others or [reference])
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for number in range(count):
        source = reference if number % 2 == 0 else next(cycle)
        shutil.copytree(source, folder / f"{10000 + number}_{source.name}_lab1", ignore=ignore)
    return folder


def peak_memory(summary) -> dict[str, tuple[int, int]]:
    """{worker: (peak RSS of the worker, of its largest grading process)} in MB."""
    peaks: dict[str, tuple[int, int]] = {}
    for outcome in summary.outcomes.values():
        own, kids = peaks.get(outcome.worker, (0, 0))
        peaks[outcome.worker] = (max(own, outcome.rss_kb // 1024), max(kids, outcome.children_rss_kb // 1024))
    return peaks


def cpu_seconds() -> float:
    """User + system CPU time of this process and of every finished descendant."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(inp: Path, out: Path, jobs: int, args) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds, BatchSummary) of one batch."""
    grade_fn = functools.partial(fake_grade, burn=args.burn) if args.fake else None
    started, cpu = time.perf_counter(), cpu_seconds()
    summary = run_batch(inp, out, jobs=jobs, grade_fn=grade_fn, progress=False, reports=not args.no_report)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    assert len(summary.outcomes) == summary.total, "some submissions did not finish"
    return seconds, cpu, summary


def print_differences(first: Path, second: Path, limit: int = 5) -> None:
    """The gradebook cells that differ between two runs (the grader should make none)."""
    import csv

    def rows(path):
        with open(path, newline="") as handle:
            return {row["folder"]: row for row in csv.DictReader(handle)}

    a, b = rows(first), rows(second)
    shown = 0
    for key in sorted(set(a) | set(b)):
        cells = {c: (a.get(key, {}).get(c), b.get(key, {}).get(c)) for c in set(a.get(key, {})) | set(b.get(key, {}))}
        changed = {c: v for c, v in cells.items() if v[0] != v[1]}
        if changed and shown < limit:
            print(f"  {key}: " + "; ".join(f"{c}: {x!r} -> {y!r}" for c, (x, y) in sorted(changed.items())))
            shown += 1


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100, help="submissions to generate (default 100)")
    parser.add_argument("--fake", action="store_true", help="use the fake grader (quick)")
    parser.add_argument("--burn", type=float, default=0.3, help="CPU seconds the fake grader spends")
    parser.add_argument("--no-report", action="store_true", help="results.json only, no report.html/figures")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    parser.add_argument(
        "--jobs", type=int, default=None, help="run only this worker count (default: 1 then 2, and their efficiency)"
    )
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        inp = generate(base / "in", args.n)
        kinds = len(sources())
        print(
            f"{args.n} submissions from {kinds} sources ({'fake' if args.fake else 'real'} grader, "
            f"{'no ' if args.no_report else ''}reports) on {os.cpu_count()} cores"
        )
        load = os.getloadavg()[0]
        if load > 0.5:
            print(
                f"warning: load average {load:.1f} before starting: other work shares the cores, "
                "wall times and efficiency are pessimistic (CPU seconds are not)"
            )
        if args.jobs:
            seconds, cpu, summary = run(inp, base / "out", args.jobs, args)
            print(
                f"--jobs {args.jobs}: {seconds:.1f} s = {seconds / args.n:.3f} s a submission; CPU "
                f"{cpu / args.n:.3f} s a submission; errors: {summary.errors or 'none'}"
            )
            return
        t1, c1, one = run(inp, base / "out1", 1, args)
        t2, c2, two = run(inp, base / "out2", 2, args)
        same = (base / "out1" / "gradebook.csv").read_bytes() == (base / "out2" / "gradebook.csv").read_bytes()
        for label, seconds, cpu, summary in (("--jobs 1", t1, c1, one), ("--jobs 2", t2, c2, two)):
            graded = [o for o in summary.outcomes.values() if not o.resumed]
            grading = statistics.fmean(o.result.execution_time for o in graded)
            per_job = statistics.fmean(o.seconds for o in graded)
            print(
                f"{label}: {seconds:6.1f} s  = {seconds / args.n:.3f} s a submission  "
                f"(one submission: {per_job:.2f} s in its worker, {grading:.2f} s of it grading; "
                f"errors: {summary.errors or 'none'}); CPU {cpu / args.n:.3f} s a submission"
            )
        print(f"parallel efficiency of 2 workers: {t1 / (2 * t2):.0%}   (goal >= 85%)")
        # One grading overlaps its sandbox child with its own pytest, so --jobs 1 already keeps
        # more than one core busy; on 2 cores, t2 >= CPU / 2 caps the efficiency at t1 / CPU.
        cores_one = c1 / t1
        print(
            f"  --jobs 1 keeps {cores_one:.2f} cores busy: 2 workers can reach at most "
            f"{min(1.0, t1 / c1):.0%} of this metric; CPU a submission {c1 / args.n:.3f} s -> "
            f"{c2 / args.n:.3f} s ({c1 / c2:.0%} CPU efficiency)"
        )
        print(f"100 submissions with 2 workers: {t2 * 100 / args.n:.1f} s   (goal < 60 s)")
        for worker, (own, kids) in sorted(peak_memory(two).items()):
            print(f"worker {worker}: peak RSS {own} MB; largest grading process {kids} MB   (goal < 200 MB)")
        print(f"gradebooks of --jobs 1 and --jobs 2 identical: {same}")
        if not same:
            print_differences(base / "out1" / "gradebook.csv", base / "out2" / "gradebook.csv")
    finally:
        if args.keep:
            print(f"kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
