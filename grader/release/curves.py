"""Make grader/check/reference_curves.json: the reference's learning curves, at release time.

    python -m grader.release.curves [REFERENCE_DIR] [--check]

It grades the instructor solution in the sandbox like any submission (never importing it) and
keeps, per data set, the loss history of its graded training run and the configuration it used.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from grader.atomic import atomic_write_bytes
from grader.check.reference_curves import CURVES_RESOURCE, SCHEMA, data_key

CURVES_PATH = Path(__file__).resolve().parent.parent / "check" / CURVES_RESOURCE


def make_curves(reference_dir: Path) -> dict[str, Any]:
    """The curves document for reference_curves.json, from one grading of reference_dir."""
    from grader.check import run_check

    result = run_check(reference_dir)
    if not result.artifacts.get("train"):
        raise RuntimeError(f"{reference_dir} did not train: {result.output}")
    seed = result.meta["seeds"]["train"][0]
    curves = {}
    for dataset, entry in sorted(result.artifacts.get("train", {}).items()):
        curves[dataset] = {
            "data_sha256": data_key(entry["x"], entry["y"], seed),
            "seed": seed,
            "config": entry["config"],
            "losses": [float(v) for v in entry["losses"]],
        }
    return {"schema": SCHEMA, "curves": curves}


def dumps_curves(document: dict[str, Any]) -> bytes:
    """Stable JSON text, one curve a line; floats as repr, so they load back exactly."""
    head = {key: value for key, value in sorted(document.items()) if key != "curves"}
    lines = [json.dumps(head, sort_keys=True)[:-1] + ', "curves": {']
    curves = sorted(document["curves"].items())
    for i, (dataset, curve) in enumerate(curves):
        comma = "," if i < len(curves) - 1 else ""
        lines.append(f" {json.dumps(dataset)}: {json.dumps(curve, sort_keys=True)}{comma}")
    lines.append("}}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def stale_curves(committed: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """Why the committed curves differ from fresh ones (empty: they are current)."""
    problems = []
    for dataset, curve in fresh["curves"].items():
        old = committed.get("curves", {}).get(dataset)
        if old is None:
            problems.append(f"{dataset}: no curve")
        elif (old["data_sha256"], old["seed"], old["config"]) != (curve["data_sha256"], curve["seed"], curve["config"]):
            problems.append(f"{dataset}: other data, seed or configuration")
        elif len(old["losses"]) != len(curve["losses"]) or not all(
            math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15) for a, b in zip(old["losses"], curve["losses"])
        ):
            problems.append(f"{dataset}: other losses (the reference changed)")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Regenerate the packaged curves from REFERENCE_DIR (default: ./reference); --check only compares."""
    args = sys.argv[1:] if argv is None else list(argv)
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    reference_dir = Path(args[0] if args else "reference")
    if not (reference_dir / "network.py").is_file():
        print(f"grade: error: {reference_dir} is not the reference solution (no network.py)", file=sys.stderr)
        return 2
    fresh = make_curves(reference_dir)
    if check:
        committed = json.loads(CURVES_PATH.read_text(encoding="utf-8")) if CURVES_PATH.is_file() else {}
        problems = stale_curves(committed, fresh)
        for problem in problems:
            print(f"{CURVES_PATH.name} is stale: {problem}; run python -m grader.release.curves", file=sys.stderr)
        return 1 if problems else 0
    atomic_write_bytes(CURVES_PATH, dumps_curves(fresh))
    print(f"wrote {CURVES_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
