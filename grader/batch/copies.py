"""Copies of the answer: submissions whose code is (nearly) the instructor's reference/ or the grader's own math.

The reference is never shipped: its fingerprint (hashed 12-token shingles of the normalized code,
names and literals erased, minus the skeleton's) is generated from reference/ into
reference_prints.json, package data, or computed from `grade batch --reference DIR`. The grader's
math (grader/lab/*.py) is fingerprinted where it is installed. A submission is flagged when at
least `threshold` of its own shingles (containment, not Jaccard: extras it lacks do not hide a copy)
are in one of them.

    python -m grader.batch.copies [REFERENCE_DIR] [--check]    # regenerate (or check) reference_prints.json
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from grader.atomic import atomic_write_text
from grader.batch.similarity import MIN_SHINGLES, fingerprint, normalized_code, shingles

PRINTS_PATH = Path(__file__).resolve().parent / "reference_prints.json"
LAB_MATH = Path(__file__).resolve().parent.parent / "lab"
COMPARED = ("activations.py", "losses.py", "network.py", "optimizers.py", "train.py")


def containment(own: Iterable[int], other: Iterable[int]) -> float:
    """|own & other| / |own|: how much of a submission is in the other code."""
    mine = set(own)
    return len(mine & set(other)) / len(mine) if mine else 0.0


def packaged_reference_prints() -> frozenset[int]:
    """The reference's fingerprint generated at build time ({} when the file is missing)."""
    try:
        return frozenset(json.loads(PRINTS_PATH.read_text(encoding="utf-8"))["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()


def reference_prints(reference: str | Path | None, baseline: Path | None) -> frozenset[int]:
    """The fingerprint of --reference DIR, else the packaged one."""
    if reference:
        return frozenset(fingerprint(Path(reference), baseline))
    return packaged_reference_prints()


def unlabeled_shingles(root: Path, names: Iterable[str] = COMPARED) -> set[int]:
    """Shingles of the modules without their module label: code moved between files still matches."""
    found: set[int] = set()
    for name in names:
        path = root / name
        if path.is_file() and not path.is_symlink():
            found |= shingles(normalized_code(path.read_text(encoding="utf-8", errors="replace")))
    return found


@functools.lru_cache(maxsize=1)
def grader_math_shingles() -> frozenset[int]:
    """Unlabeled shingles of the grader's trusted math (grader/lab/*.py)."""
    return frozenset(unlabeled_shingles(LAB_MATH, tuple(p.name for p in sorted(LAB_MATH.glob("*.py")))))


def copy_flags(
    root: Path, own_prints: list[int], reference: frozenset[int], baseline_unlabeled: frozenset[int], threshold: float
) -> list[str]:
    """Flags for a submission that copies the reference or the grader's math."""
    flags = []
    if len(own_prints) >= MIN_SHINGLES and reference:
        share = containment(own_prints, reference)
        if share >= threshold:
            flags.append(f"copy of the instructor's reference: {share:.0%} of its own code matches")
    own = unlabeled_shingles(root) - baseline_unlabeled
    if len(own) >= MIN_SHINGLES:
        share = containment(own, grader_math_shingles())
        if share >= threshold:
            flags.append(f"copy of the grader's own math (grader/lab): {share:.0%} of its own code matches")
    return flags


def main(argv: list[str] | None = None) -> int:
    """Write (or --check) reference_prints.json from a reference folder (default: the checkout's reference/)."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    root = Path(__file__).resolve().parents[2]
    reference = Path(args[0]) if args else root / "reference"
    baseline = root / "student"
    prints = fingerprint(reference, baseline if baseline.is_dir() else None)
    text = json.dumps({"schema": 1, "source": "reference/ minus student/", "fingerprint": prints}) + "\n"
    if check:
        same = PRINTS_PATH.is_file() and PRINTS_PATH.read_text(encoding="utf-8") == text
        print(f"{PRINTS_PATH.name} is {'up to date' if same else 'STALE: run python -m grader.batch.copies'}")
        return 0 if same else 1
    atomic_write_text(PRINTS_PATH, text)
    print(f"Wrote {PRINTS_PATH} ({len(prints)} shingle hashes, no source).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
