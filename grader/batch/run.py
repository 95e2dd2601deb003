"""run_batch: discover the submissions, grade them in parallel, then write the gradebook, summary and log."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.batch import copies, similarity
from grader.batch.defaults import DEFAULT_THRESHOLD, DEFAULT_TIMEOUT
from grader.batch.discover import Submission, discover, normalize_only, safe_key
from grader.batch.errors import NO_SUBMISSION, BatchError
from grader.batch.gradebook import sort_outcomes, write_gradebook
from grader.batch.jobs import (
    STAGING,
    JobOutcome,
    JobSettings,
    error_outcome,
    kept_outcome,
)
from grader.batch.log import EventLog
from grader.batch.progress import Progress
from grader.batch.roster import RosterMatch, load_roster, match_roster
from grader.batch.seeds import batch_salt, resolve_seed, seed_hash
from grader.batch.summary import BatchInfo, write_summary
from grader.batch.unzip import ZipLimits
from grader.results import GradeResult

GRADEBOOK = "gradebook.csv"  # the sheet for the report, manual.csv, is grader.gradebook.sheet's
SUMMARY = "summary.html"
LOG = "batch.log.jsonl"
EXECUTORS = ("local", "dask")


@dataclass
class BatchSummary:
    """What a batch did; outcomes are keyed by the student's output folder name."""

    input_dir: Path
    out_dir: Path
    outcomes: dict[str, JobOutcome]
    total: int  # submissions found
    seconds: float
    interrupted: bool
    similar: list[similarity.SimilarPair] = field(default_factory=list)
    skipped_entries: list[str] = field(default_factory=list)
    gradebook: Path | None = None
    summary: Path | None = None
    log: Path | None = None
    preset: str = "folders"  # the course site's naming the submissions were read with
    seed_source: str = "secret"  # "public": graded with the rubric's public hidden-point seed
    roster: RosterMatch | None = None

    @property
    def graded(self) -> int:
        """Submissions graded in this run."""
        return sum(1 for o in self.outcomes.values() if o.status == "ok" and not o.resumed)

    @property
    def resumed(self) -> int:
        """Submissions whose earlier result was kept (--resume)."""
        return sum(1 for o in self.outcomes.values() if o.resumed)

    @property
    def errors(self) -> dict[str, int]:
        """Count of submissions not graded, by error kind."""
        counts: dict[str, int] = {}
        for outcome in self.outcomes.values():
            if outcome.status != "ok":
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return dict(sorted(counts.items()))

    @property
    def results(self) -> dict[str, GradeResult]:
        """The GradeResult of every finished submission."""
        return {key: o.result for key, o in self.outcomes.items()}


def default_baseline() -> Path | None:
    """The skeleton students start from (student/ beside the grader package), if present."""
    import grader

    path = Path(grader.__file__).resolve().parent.parent / "student"
    return path if path.is_dir() else None


def resolve_sandbox(sandbox: str) -> str:
    """'auto' is the strict tier where this machine supports it (graded work), else the default one; the
    portable tier confines nothing, so a class is graded in it only when asked for by name."""
    from grader.sandbox.tiers import choose

    try:
        tier, _ = choose(sandbox)
    except ValueError:
        raise BatchError(f"unknown sandbox {sandbox!r}: use auto, default, strict or portable") from None
    if tier == "portable" and sandbox == "auto":
        raise BatchError(
            "this machine can only run the portable sandbox tier, which confines nothing (submissions "
            "could read and write your files): grade the class on Linux, or pass --sandbox portable "
            "to grade here anyway"
        )
    return tier


def run_batch(
    input_dir,
    out_dir,
    *,
    jobs: int | None = None,
    rubric=None,
    secret_seed: int | None = None,
    resume: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    name_pattern: str | None = None,
    progress: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    grade_fn: Callable[..., GradeResult] | None = None,
    sandbox: str = "auto",
    similarity_threshold: float = DEFAULT_THRESHOLD,
    baseline: str | Path | None = "default",
    reports: bool = True,
    zip_limits: ZipLimits | None = None,
    lms: str = "auto",
    roster: str | Path | None = None,
    only: str | list[str] | None = None,
    reference: str | Path | None = None,
) -> BatchSummary:
    """Grade every submission folder or zip in input_dir into out_dir; see `grade batch --help`.

    Raises BatchError for usage errors only; a submission that cannot be graded gets an error row.
    Ctrl-C (or SIGTERM) stops the workers and still writes the gradebook of what finished.
    """
    started = time.monotonic()
    if executor not in EXECUTORS:
        raise BatchError(f"unknown executor {executor!r}: use one of {', '.join(EXECUTORS)}")
    if scheduler and executor != "dask":
        raise BatchError("--scheduler needs --executor dask")
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise BatchError("--jobs must be at least 1")
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    sandbox = resolve_sandbox(sandbox)
    loaded = _load_rubric(rubric)
    found = discover(input_dir, lms=lms, name_pattern=name_pattern, exclude=out_dir)
    subs, skipped = found.submissions, found.skipped
    students = load_roster(roster) if roster else None
    if not subs and students is None:
        raise BatchError(f"no submission folders or archives found in {input_dir}")
    matched = match_roster(subs, students) if students is not None else None
    chosen = _only(subs, only, matched)
    _prepare_out_dir(input_dir, out_dir)
    seed, source = resolve_seed(secret_seed, loaded.seeds.hidden)
    skeleton = default_baseline() if baseline == "default" else (Path(baseline) if baseline else None)
    if reference is not None and not Path(reference).is_dir():
        raise BatchError(f"--reference {reference} is not a folder: pass the checkout's reference/")
    settings = JobSettings(
        out_dir=out_dir.resolve(),
        rubric=loaded,
        secret_seed=seed if source == "secret" else None,
        sandbox=sandbox,
        resume=resume,
        timeout=timeout,
        grade_fn=grade_fn,
        reports=reports,
        zip_limits=zip_limits or ZipLimits(),
        baseline=skeleton,
        seed_hash=seed_hash(seed, batch_salt(out_dir)),
        seed_source=source,
        reference_prints=copies.reference_prints(reference, skeleton),
        copy_threshold=similarity_threshold,
        baseline_unlabeled=frozenset(copies.unlabeled_shingles(skeleton)) if skeleton else frozenset(),
    )
    outcomes: dict[str, JobOutcome] = {}
    bar = Progress(len(subs), enabled=progress)
    interrupted = False
    with EventLog(out_dir / LOG) as log:
        log.event(
            "batch_started",
            input=str(input_dir),
            submissions=len(subs),
            jobs=jobs,
            executor=executor,
            resume=resume,
            sandbox=sandbox,
            rubric_sha256=loaded.sha256,
            skipped_entries=skipped,
            lms=found.preset,
            hidden_seed=source,
            only=sorted(s.key for s in chosen) if only else None,
        )

        def on_start(sub: Submission, where: str) -> None:
            log.event("started", id=sub.student_id, key=sub.key, source=sub.source.name, worker=where)

        def on_done(outcome: JobOutcome) -> None:
            outcomes[outcome.key] = outcome
            _log_outcome(log, outcome)
            bar.done(outcome.key, outcome.status)

        try:
            with _sigterm_as_interrupt():
                for sub in subs:
                    if sub not in chosen and (kept := kept_outcome(sub, settings)) is not None:
                        on_done(kept)  # --only: the others keep their published results
                _execute(executor, [s for s in subs if s in chosen], settings, jobs, on_start, on_done, scheduler)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            bar.close()
        if matched is not None and not interrupted:
            for student in matched.missing:
                on_done(_no_submission(student, settings, roster, outcomes))
        summary = _finish(
            input_dir,
            out_dir,
            subs,
            skipped,
            outcomes,
            loaded,
            similarity_threshold,
            time.monotonic() - started,
            interrupted,
            jobs,
            executor,
            matched,
            source,
            found.preset,
        )
        summary.preset = found.preset
        log.event(
            "batch_interrupted" if interrupted else "batch_finished",
            seconds=round(summary.seconds, 3),
            finished=len(outcomes),
            graded=summary.graded,
            resumed=summary.resumed,
            errors=summary.errors,
            similar_pairs=len(summary.similar),
        )
    summary.log = out_dir / LOG
    return summary


def _only(subs: list[Submission], only, matched: RosterMatch | None) -> list[Submission]:
    """The submissions --only names (all without it); BatchError naming an id that matches none."""
    if not only:
        return list(subs)
    wanted = normalize_only(only)

    def ids(sub: Submission) -> set[str]:
        found = normalize_only(sub.student_id) | normalize_only(sub.key)
        if matched is not None and sub.key in matched.by_key:
            found |= normalize_only(matched.by_key[sub.key].student_id)
        return found

    chosen = [s for s in subs if ids(s) & wanted]
    unknown = sorted(wanted - set().union(set(), *(ids(s) for s in chosen)))
    if unknown:
        raise BatchError(f"--only {', '.join(unknown)}: no submission with that id in the input")
    return chosen


def _no_submission(student, settings: JobSettings, roster, outcomes: dict) -> JobOutcome:
    """The row of a roster student with nothing in the download."""
    key = safe_key(student.student_id)
    while key in outcomes:
        key += "~r"
    sub = Submission(
        key=key,
        student_id=student.student_id,
        name=student.name,
        source=Path(roster),
        kind="missing",
        email=student.email,
    )
    return error_outcome(sub, settings, NO_SUBMISSION, "nothing from this student was in the download")


def _load_rubric(rubric):
    from grader.usage import UsageError, resolve_rubric

    try:
        return resolve_rubric(rubric)
    except UsageError as exc:
        raise BatchError(str(exc)) from None


def _prepare_out_dir(input_dir: Path, out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise BatchError(f"--out {out_dir} is a file")
    if out_dir.resolve() == input_dir.resolve():
        raise BatchError("--out must not be the input folder: each student's folder would become a submission")
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out_dir / STAGING, ignore_errors=True)  # leftovers of a killed batch


def _execute(executor, subs, settings, jobs, on_start, on_done, scheduler) -> None:
    if executor == "dask":
        from grader.batch.dask_executor import run_dask

        run_dask(subs, settings, jobs, on_start, on_done, scheduler=scheduler)
    else:
        from grader.batch.workers import run_local

        run_local(subs, settings, jobs, on_start, on_done)


def _log_outcome(log: EventLog, outcome: JobOutcome) -> None:
    fields = {
        "id": outcome.student_id,
        "key": outcome.key,
        "seconds": round(outcome.seconds, 3),
        "status": outcome.status,
        "score": outcome.result.score,
        "worker": outcome.worker,
    }
    if outcome.resumed:
        log.event("skipped", reason="same content, rubric and grader as the earlier result", **fields)
    elif outcome.status == "ok":
        log.event("finished", grading_seconds=round(outcome.result.execution_time, 3), **fields)
    else:
        log.event("error", reason=outcome.result.output, detail=outcome.detail, **fields)


def _finish(
    input_dir,
    out_dir,
    subs,
    skipped,
    outcomes,
    rubric,
    threshold,
    seconds,
    interrupted,
    jobs,
    executor,
    matched: RosterMatch | None = None,
    seed_source: str = "secret",
    preset: str = "",
) -> BatchSummary:
    """Similarity, gradebook and summary of whatever finished."""
    prints = {k: o.fingerprint for k, o in outcomes.items()}
    signatures = {k: o.signature for k, o in outcomes.items() if o.signature}
    pairs = [p for p in similarity.similar_pairs(prints, threshold, signatures) if not _same_upload(outcomes, p)]
    groups = similarity.duplicate_groups(pairs)
    flags = _similarity_flags(groups, pairs)
    for key, outcome in outcomes.items():
        if outcome.result.meta.get("copy_flags"):
            flags.setdefault(key, []).extend(outcome.result.meta["copy_flags"])
    if matched is not None:
        _apply_roster(outcomes, matched, flags)
    from grader.gradebook.sheet import SHEET, load_merged, write_sheet

    gradebook = write_gradebook(
        out_dir / GRADEBOOK, outcomes.values(), rubric, flags, seed_source=seed_source, manual=load_merged(out_dir)
    )
    if rubric.manual and not interrupted:
        write_sheet(out_dir / SHEET, [(o.student_id, o.name, o.key) for o in sort_outcomes(outcomes.values())], rubric)
    info = BatchInfo(
        input_dir=str(input_dir),
        seconds=seconds,
        jobs=jobs,
        executor=executor,
        interrupted=interrupted,
        total=len(subs),
        skipped_entries=skipped,
        out_dir=str(out_dir),
        seed_source=seed_source,
        row_flags=flags,
        preset=preset,
    )
    summary_path = write_summary(out_dir / SUMMARY, outcomes.values(), rubric, info, pairs, groups)
    return BatchSummary(
        input_dir=input_dir,
        out_dir=out_dir,
        outcomes=outcomes,
        total=len(subs),
        seconds=seconds,
        interrupted=interrupted,
        similar=pairs,
        skipped_entries=skipped,
        gradebook=gradebook,
        summary=summary_path,
        seed_source=seed_source,
        roster=matched,
    )


def _same_upload(outcomes: dict[str, JobOutcome], pair) -> bool:
    """Two rows of one upload (a Gradescope group submission): the same code by design, not a copy."""
    sources = [
        ((outcomes[k].result.meta.get("student") or {}).get("source"), outcomes[k].result.meta.get("submission_sha256"))
        for k in (pair.a, pair.b)
    ]
    return sources[0] == sources[1] and sources[0][0] is not None


def _apply_roster(outcomes: dict[str, JobOutcome], matched: RosterMatch, flags: dict[str, list[str]]) -> None:
    """Roster ids and names on matched rows; a flag on submissions whose id is not on the roster."""
    for key, outcome in outcomes.items():
        student = matched.by_key.get(key)
        if student is not None:
            outcome.student_id, outcome.name = student.student_id, student.name or outcome.name
        elif key in matched.unknown:
            look = matched.lookalike.get(key)
            flags.setdefault(key, []).append(
                f"id {outcome.student_id!r} only looks like roster id {look.student_id!r} (different characters)"
                if look
                else "not on the roster"
            )


def _similarity_flags(groups: list[list[str]], pairs) -> dict[str, list[str]]:
    best: dict[str, float] = {}
    for pair in pairs:
        for key in (pair.a, pair.b):
            best[key] = max(best.get(key, 0.0), pair.similarity)
    flags = {}
    for number, group in enumerate(groups, start=1):
        for key in group:
            others = [k for k in group if k != key]
            named = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            flags[key] = [f"near-identical code: group G{number} with {named} (similarity {best[key]:.2f})"]
    return flags


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM stops the batch like Ctrl-C does (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
