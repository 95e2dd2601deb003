"""`grade check`: grade one submission in a sandbox and return a GradeResult."""

from __future__ import annotations

import contextlib
import io
import os
import platform
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import grader
from grader.check.scoring import build_result, failed_result, outcomes_from_report
from grader.hashing import submission_hash
from grader.results import GradeResult
from grader.rubric.loader import validate_against_checks
from grader.rubric.model import Rubric, RubricError
from grader.sandbox import ChildLimits, ProbeError, Sandbox
from grader.sandbox.tiers import choose as choose_tier
from grader.scan.imports import FRAMEWORKS, scan_imports
from grader.usage import UsageError, resolve_rubric, resolve_submission

if TYPE_CHECKING:
    from grader.check.plugin import CheckContext, GraderPlugin

CHECKS_DIR = Path(__file__).resolve().parent / "items"
SECRET_SEED_VARIABLE = "LAB1_SECRET_SEED"


def resolve_secret_seed(secret_seed: int | None, rubric: Rubric) -> tuple[int, str]:
    """The hidden-point seed and where it came from: option, environment or the rubric's public one."""
    if secret_seed is not None:
        return int(secret_seed), "option"
    value = os.environ.get(SECRET_SEED_VARIABLE, "").strip()
    if value:
        try:
            return int(value), "environment"
        except ValueError:
            raise UsageError(f"{SECRET_SEED_VARIABLE}={value!r} is not an integer") from None
    return rubric.seeds.hidden, "public"


def _meta(rubric: Rubric, submission: Path, seed_source: str) -> dict:
    import numpy as np

    return {
        "grader_version": grader.__version__,
        "rubric_name": rubric.name,
        "rubric_sha256": rubric.sha256,
        "submission": submission.name,  # the folder's name only: reports name it, never the user's paths
        "submission_sha256": submission_hash(submission),
        "seeds": {"probe": rubric.seeds.probe, "train": list(rubric.seeds.train), "hidden": seed_source},
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": sys.platform,
    }


def _run_pytest(context: CheckContext) -> tuple[dict, GraderPlugin, str]:
    """Run grader/check/items with the plugin; returns the JSON report, the plugin and pytest's output."""
    import pytest
    from pytest_jsonreport.plugin import JSONReport

    from grader.check.plugin import GraderPlugin

    plugin, json_report = GraderPlugin(context), JSONReport()
    args = [
        str(CHECKS_DIR),
        "-c",
        str(CHECKS_DIR / "pytest.ini"),
        "--rootdir",
        str(CHECKS_DIR),
        "-q",
        "--no-header",
        "-p",
        "no:randomly",
        "--json-report-file=none",
    ]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = pytest.main(args, plugins=[plugin, json_report])
    if int(code) == int(pytest.ExitCode.INTERRUPTED):
        raise KeyboardInterrupt  # pytest swallowed the user's Ctrl-C: pass it on to the command
    if int(code) not in (0, 1):
        raise RuntimeError(f"the grading session failed (pytest exit {int(code)}):\n{buffer.getvalue()[-3000:]}")
    return json_report.report or {}, plugin, buffer.getvalue()


def run_check(
    submission: str | Path,
    *,
    rubric: Rubric | str | Path | None = None,
    secret_seed: int | None = None,
    sandbox: str = "default",
) -> GradeResult:
    """Grade one submission; bad submissions give a complete result, never an exception."""
    started = time.perf_counter()
    submission = resolve_submission(submission)
    rubric = resolve_rubric(rubric)
    seed, seed_source = resolve_secret_seed(secret_seed, rubric)
    limits = ChildLimits.from_rubric(rubric.limits)
    try:
        tier, tier_note = choose_tier(sandbox)  # auto: strict, default or portable, by what the machine supports
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    # The child starts first: it imports numpy and the submission while the parent loads numpy and
    # pytest (so this module imports neither at its top).
    try:
        box = Sandbox(submission, limits, frameworks=sorted(FRAMEWORKS), tier=tier)
        box.tier_note = box.tier_note or tier_note
    except ProbeError as exc:
        meta = _meta(rubric, submission, seed_source)
        meta["sandbox"] = tier
        meta["batch_status"] = "refused"  # the gradebook row says why (the result's output)
        return _finish(failed_result(rubric, exc.reason, meta), started)
    try:
        from grader.check.probes import LabProbes  # numpy, after the child is on its way
        from grader.check.training import make_jobs

        probes = LabProbes(box, limits)
        probes.prefetch(lambda: make_jobs(probes.config(), rubric, seed))  # trains while pytest loads
        from grader.check.plugin import CheckContext  # imports pytest: ~90 ms the child does not wait for

        meta = _meta(rubric, submission, seed_source)
        scan = scan_imports(submission, rubric.policy.allowed_imports)
        context = CheckContext(rubric=rubric, probes=probes, submission=submission, secret_seed=seed, scan=scan)
        report, plugin, _ = _run_pytest(context)
        try:
            validate_against_checks(rubric, plugin.check_items)
        except RubricError as exc:
            raise UsageError(str(exc)) from None
        meta["timings"] = {o.name: o.duration for o in plugin.outcomes.values()}
        meta["child_restarts"] = box.restarts
        if box.hello:
            meta["child"] = {"python": box.hello.get("python"), "numpy": box.hello.get("numpy")}
        _sandbox_meta(box, meta)
        flags = (
            security_flags(box.security_events)
            + scan_flags(scan)
            + limit_flags(box)
            + [f"review: {n}" for n in box.review_notes]
        )
        result = build_result(rubric, outcomes_from_report(report), meta, flags)
        mark_regrade(result)
        result.artifacts = _artifacts(context, result)
    finally:
        box.close()
    return _finish(result, started)


def _sandbox_meta(box: Sandbox, meta: dict) -> None:
    """Record which tier ran, the kernel layers it applied and what the child attempted."""
    meta["sandbox"] = box.tier
    meta["confinement"] = box.confinement
    if box.tier_note:
        meta["tier_note"] = box.tier_note
    if box.unconfined:
        meta["unconfined"] = box.unconfined
    meta["security"] = list(box.security_events)
    meta["cpu_seconds"] = round(box.cpu_spent, 3)  # CPU of the child over every probe (budgets: rubric [limits])
    if box.overload_stops:
        meta["overload_stops"] = box.overload_stops


def limit_flags(box: Sandbox) -> list[str]:
    """`limits:` flags: a submission that came near a CPU budget (a TA may want to look; no cost); and
    `tier:` when the portable tier ran: the code was watched, not confined (extra_data.unconfined)."""
    flags = [f"limits: {note}" for note in box.near_limits()]
    if box.tier == "portable":
        why = box.tier_note or "asked for with --sandbox portable"
        flags.append(f"tier: portable ({why}); the code ran unconfined, fine for checking your own work")
    return flags


def mark_regrade(result: GradeResult) -> None:
    """A check stopped twice by the wall-clock backstop (machine overloaded) is not the student's fault:
    the result says so first, and `grade batch` lists the row as `regrade`, not `ok`."""
    if not any(check.status == "overloaded" for item in result.items for check in item.checks):
        return
    result.meta["batch_status"] = "regrade"
    result.flags.insert(0, "regrade: machine overloaded; some checks could not run (not the student's fault)")
    result.output = (
        "Machine overloaded: regrade. The grading machine was too busy to finish some checks; the "
        "score below is not final and these checks are not your code's fault. " + result.output
    )


def scan_flags(scan) -> list[str]:
    """Static-scan findings: tampering with the probe server (the rubric's tamper policy applies),
    then what a TA should review at no cost (a student's own autograd.py is fine)."""
    return [f"tamper: {line}" for line in scan.probe_server_tampering()] + [
        f"review: {line}" for line in scan.review()[:5]
    ]


def security_flags(events: list[str]) -> list[str]:
    """One flag per attempt the child's audit hook refused or saw (capped: the rest are in meta)."""
    flags = [f"sandbox: {event}" for event in events[:5]]
    if len(events) > 5:
        flags.append(f"sandbox: {len(events) - 5} more attempts (extra_data.security)")
    return flags


def _artifacts(context: CheckContext, result: GradeResult) -> dict:
    """Arrays the figures draw from: trained models and the gradient check's errors."""
    artifacts = {"train": dict(context.cache.get("train", {}))}
    for item in result.items:
        for check in item.checks:
            if "gradcheck" in check.data:
                artifacts["gradcheck"] = check.data["gradcheck"]
    return artifacts


def _finish(result: GradeResult, started: float) -> GradeResult:
    result.execution_time = time.perf_counter() - started
    return result
