"""A batch survives any one submission: hostile submissions graded inside `grade batch`, in both tiers,
next to honest ones whose rows must come out whole and unchanged."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tests.attacks.attack_specs import (
    ATTACKS,
    NEIGHBOUR_SECRET,
    REFERENCE,
    TIERS,
    fast_rubric,
    make_hints,
    materialize,
    tier_skip,
)
from tests.support.machine import require_strict_tier
from tests.support.processes import processes_mentioning
from tests.support.runner import run_grader

# Attacks on the grading process itself, on the batch around it, and on the probe server.
BATCH_ATTACKS = (
    "prlimit_grader",
    "kill_parent",
    "setsid_daemon",
    "child_takeover",
    "memory_hog",
    "fork_loop_bounded",
    "exit_zero_during_probes",
    "runtime_takeover",
    "import_guard_off",
)
HONEST = 2

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _rows(gradebook: Path) -> dict[str, dict]:
    with open(gradebook, newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


@pytest.mark.parametrize("tier", TIERS)
def test_a_batch_survives_its_attacks(tmp_path, tier):
    if tier == "strict":
        require_strict_tier()  # on CI, fails where the machine supports the tier
    attacks = [ATTACKS[name] for name in BATCH_ATTACKS if name in ATTACKS and not tier_skip(ATTACKS[name], tier)]
    if tier == "strict" and tier_skip(ATTACKS["child_takeover"], tier):
        pytest.skip(tier_skip(ATTACKS["child_takeover"], tier))
    inbox, out, tmp = tmp_path / "in", tmp_path / "out", tmp_path / "tmp"
    inbox.mkdir()
    tmp.mkdir()
    honest = []
    for number in range(HONEST):
        key = f"{20000 + number}"
        shutil.copytree(REFERENCE, inbox / f"{key}_honest_lab1", ignore=shutil.ignore_patterns("__pycache__"))
        honest.append(key)
    (inbox / "neighbour_student").mkdir()  # not a submission: no lab modules (an "empty" row)
    (inbox / "neighbour_student" / "notes.txt").write_text(NEIGHBOUR_SECRET)
    expected = {}
    for number, attack in enumerate(attacks):
        key = f"{10000 + number}"
        hints = make_hints(
            f"lab1-attack-batch-{attack.name}",
            tmp_path,
            out / honest[0] / "results.json",
            inbox / "neighbour_student",
            0,
        )
        materialize(attack, inbox / f"{key}_{attack.name}_lab1", hints)
        expected[key] = attack
    rubric = fast_rubric(tmp_path / "fast.toml")
    done = run_grader(
        [
            "batch",
            str(inbox),
            "-o",
            str(out),
            "--rubric",
            str(rubric),
            "--sandbox",
            tier,
            "-j",
            "2",
            "--no-report",
            "--no-progress",
            "--timeout",
            "120",
        ],
        tmp,
        900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = _rows(out / "gradebook.csv")
    for key in honest:
        assert rows[key]["status"] == "ok" and float(rows[key]["total"]) == 100, rows[key]
        assert rows[key]["sandbox"] == tier
    for key, attack in expected.items():
        assert key in rows, f"{attack.name}: no gradebook row"
        total = float(rows[key]["total"] or 0)
        assert total <= attack.expected_score + 0.005, f"{attack.name}: {total} > {attack.expected_score}"  # 2 decimals
    assert not processes_mentioning(tmp_path, environ=True), "processes left running"
    assert not list(tmp.glob("lab1-grader-*")), "sandbox folders left behind"
    for path in out.rglob("*"):
        if path.relative_to(out).parts[:2] == ("neighbour", "files"):  # the row of neighbour_student/
            continue  # the neighbour's own files, kept for the TA: only other rows must not carry them
        if path.is_file():
            assert NEIGHBOUR_SECRET not in path.read_text(errors="replace"), f"{path} carries another student's files"
