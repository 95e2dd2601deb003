"""What `run_autograder` runs in Gradescope's container: grade ROOT/submission into ROOT/results/results.json.

The submission is found as `grade batch` finds one (files at the top, a folder, a zip, a .tar.gz).
The secret seed comes from ROOT/source/secret_seed, which is read and deleted before any student
code runs. Whatever happens, a valid results.json is written: Gradescope shows nothing otherwise.

    python -m grader.bundle.autograder --root /autograder
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.results import GradeResult

ROOT_VARIABLE = "LAB1_AUTOGRADER_ROOT"  # moves /autograder (the tests run run_autograder in a temporary folder)
SEED_FILE = "secret_seed"


def take_secret_seed(source: Path) -> int | None:
    """The bundled seed, removed from disk so the student's code cannot read it; None when not bundled."""
    path = source / SEED_FILE
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    try:
        path.unlink()
    except OSError:
        pass
    return int(text) if text else None


def grade_submission(root: Path, sandbox: str = "auto") -> GradeResult:
    """The GradeResult of ROOT/submission (an error result when there is nothing to grade)."""
    from grader.batch.discover import Submission, find_submission_root
    from grader.batch.errors import error_result
    from grader.batch.jobs import Unreadable, materialize
    from grader.batch.unzip import ZipLimits
    from grader.check import run_check
    from grader.rubric.loader import load_rubric

    rubric = load_rubric(root / "source" / "lab1.toml") if (root / "source" / "lab1.toml").is_file() else load_rubric()
    seed = take_secret_seed(root / "source")
    submission = root / "submission"
    work = Path(tempfile.mkdtemp(prefix="lab1-autograder-"))
    try:
        sub = Submission(key="submission", student_id="", name="", source=submission, kind="folder")
        try:
            tree = materialize(sub, ZipLimits(), work)
        except Unreadable as exc:
            kind, reason, _ = exc.args
            return error_result(kind, reason, rubric)
        found = find_submission_root(tree.path)
        if found is None:
            return error_result(
                "empty",
                "no lab modules found in your upload: upload network.py, activations.py, "
                "losses.py, optimizers.py, train.py and config.py (or one zip of them)",
                rubric,
            )
        result = run_check(found, rubric=rubric, secret_seed=seed, sandbox=sandbox)
        result.meta["hidden_seed"] = {"source": "secret" if seed is not None else "public"}
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Grade and write ROOT/results/results.json; exit 0 whenever the results were written."""
    parser = argparse.ArgumentParser(prog="run_autograder", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(os.environ.get(ROOT_VARIABLE, "/autograder")))
    parser.add_argument("--sandbox", default="auto")
    args = parser.parse_args(argv)
    from grader.results import GradeResult, write_results

    started = time.perf_counter()
    try:
        result = grade_submission(args.root, args.sandbox)
    except Exception as exc:  # noqa: BLE001 - Gradescope needs a results.json even when the grader fails
        result = GradeResult(
            score=0.0,
            max_score=0.0,
            items=[],
            output=f"The autograder failed ({type(exc).__name__}: {exc}); ask your TA to look.",
        )
    result.execution_time = time.perf_counter() - started
    out = args.root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_results(result, out)
    print(result.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
