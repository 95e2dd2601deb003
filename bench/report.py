"""Benchmark the report: what the figures and files add to `grade check`, and where it goes.

Each run is a fresh process (imports included) that grades `reference` with run_check and
then writes the report folder, in one of these modes:

    no-report     run_check only
    in-process    run_check, then import matplotlib and draw in the same process
    worker-1      FigureWorker started before run_check, draws with 1 process
    worker-2      the same, the worker forks to draw with 2 processes (the default)
    worker-2-nice10   the same with the worker at niceness +10 (yields to the check)

Prints medians (seconds) of: the check itself, the figures after it, writing the files,
the total, the worker's import + warm-up time (hidden behind the check), and the ratio
total / no-report (goal: < 1.5x).

    python bench/report.py [--repeat 5] [--submission reference]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN = r"""
import json, sys, time
T0 = time.perf_counter()
from pathlib import Path
mode, submission, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
worker = None
if mode.startswith("worker"):
    from grader.report.figure_worker import FigureWorker
    parts = mode.split("-")  # worker-<processes>[-nice<N>]
    nice = int(parts[2][4:]) if len(parts) > 2 else 0
    worker = FigureWorker.start(processes=int(parts[1]), nice=nice)
from grader.check import run_check
result = run_check(Path(submission))
T1 = time.perf_counter()
row = {"check": T1 - T0}
if mode != "no-report":
    from grader.check.reference_curves import attach_reference_curves
    from grader.report import write_report
    attach_reference_curves(result)
    T2 = time.perf_counter()
    if worker is not None:
        worker.submit(result.artifacts, out / "figures")
        figures = worker.result(60)
        worker.close()
        row["worker_ready"] = (worker.ready_info or {}).get("seconds", float("nan"))
        row["fallbacks"] = len(worker.fallbacks)
    else:
        from grader.report.figures import render_figures
        figures = render_figures(result.artifacts, out / "figures")
    T3 = time.perf_counter()
    write_report(result, out, figures=figures)
    T4 = time.perf_counter()
    row.update({"curves": T2 - T1, "figures": T3 - T2, "write": T4 - T3, "n_figures": len(figures)})
row["total"] = time.perf_counter() - T0
print(json.dumps(row))
"""

MODES = ("no-report", "in-process", "worker-1", "worker-2", "worker-2-nice10")


def run(mode: str, submission: str, out: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", RUN, mode, submission, out], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--submission", default="reference")
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    out = tempfile.mkdtemp(prefix="bench-report-")
    for mode in modes:  # warm the page cache and matplotlib's font cache
        run(mode, args.submission, out)
    rows: dict[str, list[dict]] = {m: [] for m in modes}
    for _ in range(args.repeat):  # interleaved, so machine load drifts hit every mode alike
        for mode in modes:
            rows[mode].append(run(mode, args.submission, out))

    def med(mode, key):
        values = [r[key] for r in rows[mode] if key in r]
        return statistics.median(values) if values else float("nan")

    base = med("no-report", "total") if "no-report" in rows else float("nan")
    keys = ("check", "figures", "write", "total", "worker_ready")
    print(f"{'mode':12s}" + "".join(f"{k:>14s}" for k in keys) + f"{'ratio':>9s}")
    for mode in modes:
        cells = "".join(f"{med(mode, k):14.3f}" for k in keys)
        print(f"{mode:12s}{cells}{med(mode, 'total') / base:8.2f}x")
    fallbacks = sum(r.get("fallbacks", 0) for m in modes for r in rows[m])
    print(f"medians of {args.repeat} runs each; worker fallbacks: {fallbacks}; goal: ratio < 1.5x")


if __name__ == "__main__":
    main()
