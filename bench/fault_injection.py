"""Fault injection (issue 7, part 4): a batch of 100 submissions, 10% of them attacks, against a clean
batch of the same 90 honest submissions.

The honest submissions are copies of reference/ and of the fixture submissions in tests/submissions/
(all of them, the hanging and crashing ones included: they are honest mistakes); the attacks are
materialized from tests/attacks/ the way the attack suite does it, with hints pointing at the batch's
own output (the gradebook, another student's results.json). Both batches use the attack suite's fast
rubric (3 s limits) and the same sandbox tier (strict where available).

Prints: lost results (honest rows missing or not graded in the injected batch), mismatches (honest
gradebook rows that differ from the clean batch's, near-identical-code flags aside: those depend on
who else is in the batch), attacks reported (a gradebook row whose total is at most the attack's
honest score), attacks flagged in words, processes and planted files left behind, and the time of
each batch.

    python bench/fault_injection.py                 # strict where available
    python bench/fault_injection.py --sandbox default
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.batch import run_batch  # noqa: E402
from grader.sandbox import strict  # noqa: E402
from tests.attacks import attack_specs as specs  # noqa: E402
from tests.support import fixtures  # noqa: E402
from tests.support.processes import processes_mentioning  # noqa: E402

# Issue 13's mechanisms first (lying forwards, label-aware weights, run-time takeover, the import guard,
# prlimit on the grader, /opt), then one attack per older family: lifecycle, forging, tampering,
# secrets, network, frameworks, protocol.
ATTACKS = (
    "finite_difference_lie",
    "label_aware_weights",
    "runtime_takeover",
    "import_guard_off",
    "prlimit_grader",
    "read_opt",
    "child_takeover",
    "setsid_daemon",
    "forge_results_files",
    "kill_parent",
    "fork_loop_bounded",
    "memory_hog",
    "read_secret_seed",
    "conftest_injection",
    "network_connect",
    "framework_computed_import",
    "forged_pipe_pickle",
)
HONEST = 90
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def honest_sources(folder: Path) -> list[Path]:
    """reference/ and every fixture submission of tests/submissions/ (edit files), materialized in folder."""
    sources = [ROOT / "reference"]
    for name in fixtures.fixture_names():
        sources.append(fixtures.materialize(name, folder / name))
    return sources


def make_honest(folder: Path, sources: list[Path], count: int) -> list[str]:
    """`count` folders: every other one the reference, the rest cycling through the fixtures."""
    reference, *others = sources
    cycle = itertools.cycle(others or [reference])
    keys = []
    for number in range(count):
        source = reference if number % 2 == 0 else next(cycle)
        key = f"{10000 + number * 10}_{source.name}_lab1"
        shutil.copytree(source, folder / key, ignore=IGNORE)
        keys.append(key)
    return keys


def pick_attacks(tier: str) -> list[specs.Attack]:
    return [specs.ATTACKS[n] for n in ATTACKS if n in specs.ATTACKS and not specs.tier_skip(specs.ATTACKS[n], tier)]


def make_attacks(folder: Path, out: Path, victim_id: str, attacks) -> dict[str, specs.Attack]:
    """The attack submissions, ids between the honest ones; their hints aim at the batch's outputs."""
    made = {}
    for index, attack in enumerate(attacks):
        student_id = f"{10000 + index * 90 + 5}"
        key = f"{student_id}_{attack.name}_lab1"
        hints = specs.make_hints(
            f"lab1-attack-batch-{attack.name}",
            folder,
            out / victim_id / "results.json",
            folder / "neighbour_student",
            0,
        )
        specs.materialize(attack, folder / key, hints)
        made[student_id] = attack
    return made


def rows(gradebook: Path) -> dict[str, dict]:
    with open(gradebook, newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def comparable(row: dict) -> dict:
    flags = [f for f in row.get("flags", "").split(";") if f.strip() and "near-identical" not in f]
    return {**{k: v for k, v in row.items() if k != "flags"}, "flags": sorted(f.strip() for f in flags)}


def batch(input_dir: Path, out_dir: Path, rubric: Path, tier: str, jobs: int) -> tuple[dict, float]:
    started = time.perf_counter()
    run_batch(input_dir, out_dir, jobs=jobs, rubric=rubric, sandbox=tier, progress=False, reports=False)
    return rows(out_dir / "gradebook.csv"), time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sandbox", choices=["default", "strict"], default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--honest", type=int, default=HONEST, help="honest submissions in each batch")
    args = parser.parse_args(argv)
    available, why = strict.available()
    tier = args.sandbox or ("strict" if available else "default")
    base = Path(tempfile.mkdtemp(prefix="fault-injection-"))
    os.environ["TMPDIR"] = tempfile.tempdir = str(base / "tmp")  # sandboxes here: no other run touches them
    (base / "tmp").mkdir()
    try:
        rubric = specs.fast_rubric(base / "fast_rubric.toml")
        clean_in, mixed_in = base / "clean", base / "mixed"
        clean_in.mkdir()
        keys = make_honest(clean_in, honest_sources(base / "fixtures"), args.honest)
        shutil.copytree(clean_in, mixed_in)
        (mixed_in / "neighbour_student").mkdir()  # not a submission: no lab modules (an "empty" row)
        (mixed_in / "neighbour_student" / "notes.txt").write_text(specs.NEIGHBOUR_SECRET)
        attacks = make_attacks(mixed_in, base / "mixed-out", keys[0], pick_attacks(tier))
        print(
            f"tier {tier}{'' if available or args.sandbox else f' (strict unavailable: {why})'}; "
            f"{len(keys)} honest + {len(attacks)} attacks; jobs {args.jobs}"
        )

        clean, clean_seconds = batch(clean_in, base / "clean-out", rubric, tier, args.jobs)
        mixed, mixed_seconds = batch(mixed_in, base / "mixed-out", rubric, tier, args.jobs)

        honest_ids = [key.split("_")[0] for key in keys]
        lost = [i for i in honest_ids if i not in mixed or mixed[i]["status"] != clean.get(i, {}).get("status")]
        mismatches = [i for i in honest_ids if i in mixed and comparable(mixed[i]) != comparable(clean[i])]
        reported, flagged, over, unflagged = 0, 0, [], []
        for student_id, attack in attacks.items():
            row = mixed.get(student_id)
            if row is None:
                continue
            total = float(row["total"] or 0)
            if total <= attack.expected_score:
                reported += 1
            else:
                over.append(f"{attack.name}: {total} > {attack.expected_score}")
            if comparable(row)["flags"] or row["error"].strip():
                flagged += 1
            else:
                unflagged.append(attack.name)
        leftovers = processes_mentioning(base, environ=True)
        leftover_dirs = list((base / "tmp").glob("lab1-grader-*"))

        # Each row keeps its student's own files (out/<id>/files/): an attack's files carry the marker and
        # the neighbour's its secret; only what lands anywhere else was planted or leaked.
        def own_files(path: Path) -> bool:
            parts = path.relative_to(base / "mixed-out").parts
            return len(parts) > 2 and parts[1] == "files"

        outputs = [p for p in (base / "mixed-out").rglob("*") if p.is_file() and not own_files(p)]
        planted = [str(p) for p in outputs if specs.planted(p)]
        leaked = [p for p in outputs if specs.NEIGHBOUR_SECRET in p.read_text(errors="replace")]

        print(f"lost results: {len(lost)}" + (f" {lost}" if lost else ""))
        print(
            f"mismatches: {len(mismatches)}"
            + "".join(
                f"\n  {i}: clean {comparable(clean[i])}\n  {' ' * len(i)}  mixed {comparable(mixed[i])}"
                for i in mismatches
            )
        )
        print(f"attacks reported: {reported}/{len(attacks)}" + (f" (above their honest score: {over})" if over else ""))
        print(
            f"attacks flagged in their gradebook row (a flag other than near-identical code, or an error): "
            f"{flagged}/{len(attacks)}" + (f"; not flagged: {', '.join(unflagged)}" if unflagged else "")
        )
        print(
            f"left behind: {len(leftovers)} processes, {len(leftover_dirs)} sandbox folders, {len(planted)} planted "
            f"files, {len(leaked)} leaks"
        )
        print(
            f"time: clean batch of {len(keys)} {clean_seconds:.1f} s; injected batch of "
            f"{len(keys) + len(attacks)} {mixed_seconds:.1f} s"
        )
        bad = lost or mismatches or over or leftovers or leftover_dirs or planted or leaked or reported < len(attacks)
        return 1 if bad else 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
