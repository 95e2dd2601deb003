"""A fast, deterministic stand-in for run_check, for the batch's tests and `bench/batch.py --fake`.

An item scores full marks when the module it reads exists and raises no NotImplementedError.
Marker files in a submission trigger failure modes: FAKE_CRASH (the process dies by SIGSEGV),
FAKE_HANG (sleeps forever), FAKE_RAISE (raises), FAKE_DIAG (a line `code: message` per diagnosis).
`# FAKE_FLAG text` in any module adds a flag; `import torch` adds the framework flag.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import grader
from grader.hashing import submission_hash
from grader.results import CheckOutcome, Diagnosis, GradeResult, ItemResult, ManualItem

ITEM_MODULES = {
    "activations": "activations.py",
    "loss": "losses.py",
    "forward": "network.py",
    "backward": "network.py",
    "backward_repeatable": "network.py",
    "update": "network.py",
    "predict": "train.py",
    "train_linear": "train.py",
    "train_xor": "train.py",
    "extra_activations": "activations.py",
    "extra_optimizers": "optimizers.py",
}


def fake_grade(submission, *, rubric=None, secret_seed=None, sandbox="default", burn: float = 0.0) -> GradeResult:
    """Grade from file contents only; `burn` spends that many CPU seconds to imitate a real check."""
    from grader.rubric.loader import load_rubric
    from grader.rubric.model import Rubric

    started = time.perf_counter()
    root = Path(submission)
    rubric = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    _misbehave(root)
    if burn > 0:
        _burn(burn)
    sources = {p.name: p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.glob("*.py"))}
    diagnoses = _diagnoses(root)
    items = []
    pending = list(diagnoses)  # given to the first failed item
    for item in rubric.items.values():
        module = ITEM_MODULES.get(item.key, "network.py")  # an item added later: graded like the network
        text = sources.get(module, "") if module else ""
        if item.key == "frameworks":
            ok = not any("import torch" in s for s in sources.values())
            reason = "" if ok else "imports torch (not allowed)"
        elif module not in sources:
            ok, reason = False, f"{module} is missing"
        elif "NotImplementedError" in text:
            ok, reason = False, "not attempted"
        else:
            ok, reason = True, ""
        check = CheckOutcome(
            name=f"test_{item.key}",
            item=item.key,
            status="passed" if ok else "failed",
            fraction=1.0 if ok else 0.0,
            reason=reason,
            diagnoses=[] if ok else [pending.pop() for _ in list(pending)][::-1],
        )
        items.append(
            ItemResult(
                key=item.key,
                title=item.title,
                score=float(item.points) if ok else 0.0,
                max_score=float(item.points),
                status="passed" if ok else "failed",
                reason=reason or "passed",
                visibility=item.visibility,
                not_attempted=reason == "not attempted",
                checks=[check],
            )
        )
    flags = ["framework: imports torch"] if any("import torch" in s for s in sources.values()) else []
    flags += [
        line.split("FAKE_FLAG", 1)[1].strip()
        for s in sources.values()
        for line in s.splitlines()
        if "# FAKE_FLAG" in line
    ]
    score = sum(i.score for i in items)
    return GradeResult(
        score=score,
        max_score=float(rubric.total_points),
        items=items,
        execution_time=time.perf_counter() - started,
        output=f"fake grade: {score:g}/{rubric.total_points:g}",
        manual_items=[ManualItem(m.key, m.title, float(m.points)) for m in rubric.manual.values()],
        flags=flags,
        meta={
            "grader_version": grader.__version__,
            "rubric_name": rubric.name,
            "rubric_sha256": rubric.sha256,
            "submission_sha256": submission_hash(root),
            "fake": True,
        },
    )


def _misbehave(root: Path) -> None:
    if (root / "FAKE_CRASH").exists():
        os.kill(os.getpid(), signal.SIGSEGV)
    if (root / "FAKE_HANG").exists():
        while True:
            time.sleep(60)
    if (root / "FAKE_RAISE").exists():
        raise RuntimeError("fake grader failure requested by FAKE_RAISE")


def _diagnoses(root: Path) -> list[Diagnosis]:
    path = root / "FAKE_DIAG"
    if not path.exists():
        return []
    found = []
    for line in path.read_text().splitlines():
        code, _, message = line.partition(":")
        if code.strip():
            found.append(Diagnosis(code=code.strip(), message=message.strip() or code.strip(), hint="fake hint"))
    return found


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    total = 0
    while time.process_time() < end:
        total += sum(range(1000))


def reference_total() -> float:
    """What the fake grader gives reference/: every item, the bonus extras included (100 + bonus)."""
    from grader.rubric.loader import load_rubric

    return float(sum(item.points for item in load_rubric().items.values()))


def cell(value: float) -> str:
    """A score as the gradebook writes it."""
    from grader.batch.gradebook import number

    return number(value)
