"""The instructor solution's learning curves, for the report's comparison with the student's.

The grader never imports reference/: the curves are data made at release time
(`python -m grader.release.curves`, which grades reference/ in the sandbox) and carried inside
the package as reference_curves.json. A curve is drawn only for the very data and network seed
it was trained on, with a legend naming the reference's own configuration.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np

CURVES_RESOURCE = "reference_curves.json"
SCHEMA = 1


def data_key(x: np.ndarray, y: np.ndarray, seed: int) -> str:
    """sha256 of the training points, labels and network seed a curve belongs to."""
    digest = hashlib.sha256()
    for array in (np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)):
        digest.update(str(array.shape).encode() + b"\0" + array.tobytes())
    digest.update(str(int(seed)).encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def packaged_curves() -> dict[str, Any]:
    """The curves carried in the package ({} when the file is missing or from another schema)."""
    try:
        data = json.loads((files("grader.check") / CURVES_RESOURCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("curves"), dict):
        return {}
    curves: dict[str, Any] = data["curves"]
    return curves


def reference_curve(dataset: str, x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, dict] | None:
    """(loss per epoch, config) of the reference on exactly this data and seed, or None."""
    curve = packaged_curves().get(dataset)
    if not isinstance(curve, dict) or curve.get("data_sha256") != data_key(x, y, seed):
        return None
    return np.asarray(curve["losses"], dtype=np.float64), dict(curve.get("config") or {})


def attach_reference_curves(result) -> None:
    """Add reference_losses and reference_config to each trained data set of result.artifacts."""
    seeds = result.meta.get("seeds", {}).get("train") or [0]
    for dataset, entry in result.artifacts.get("train", {}).items():
        if "reference_losses" in entry:
            continue
        found = reference_curve(dataset, entry["x"], entry["y"], entry.get("seed", seeds[0]))
        entry["reference_losses"], entry["reference_config"] = found if found else (None, None)
