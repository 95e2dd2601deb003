"""Grade one submission of a batch: unzip, find its root, resume or grade in a forked grandchild, publish.

`grade_job` is the unit of work of every executor (local warm workers, Dask). It never
raises for a bad submission: a refused zip, a crash or a timeout becomes that student's
error result. Outputs go to OUT/.staging first and are renamed to OUT/<key> when complete.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader
from grader.batch.copies import copy_flags
from grader.batch.defaults import DEFAULT_TIMEOUT
from grader.batch.discover import (
    CONTRACT_MODULES,
    Submission,
    archive_kind,
    find_submission_root,
    nested_archive,
)
from grader.batch.errors import TRANSIENT_ERRORS, batch_status, error_result
from grader.batch.forked import ForkOutcome, run_forked
from grader.batch.similarity import fingerprint, signature
from grader.batch.unzip import (
    SKIPPED_FOLDERS,
    UnsafeZipError,
    ZipLimits,
    extract_archive,
)
from grader.hashing import submission_hash
from grader.results import GradeResult, read_results, write_results

STAGING = ".staging"
RESULTS = "results.json"
FILES = "files"  # the student's extracted files, kept beside the results for the TA (the report PDF too)


@dataclass(frozen=True)
class JobSettings:
    """What every job of a batch shares."""

    out_dir: Path
    rubric: Any  # grader.rubric.loader.Rubric
    secret_seed: int | None = None
    sandbox: str = "default"
    resume: bool = False
    timeout: float = DEFAULT_TIMEOUT
    grade_fn: Callable[..., GradeResult] | None = None  # default: grader.check.run_check
    baseline: Path | None = None  # the skeleton, for near-duplicate detection
    zip_limits: ZipLimits = field(default_factory=ZipLimits)
    reports: bool = True  # report.html, junit.xml and figures besides results.json
    seed_hash: str = ""  # salted hash of the hidden-point seed (grader.batch.seeds): --resume compares it
    seed_source: str = ""  # "secret" or "public"
    reference_prints: frozenset = frozenset()  # grader.batch.copies: the instructor's reference, fingerprinted
    baseline_unlabeled: frozenset = frozenset()  # the skeleton's unlabeled shingles
    copy_threshold: float = 0.9


@dataclass
class JobOutcome:
    """What a worker sends back for one submission (the result without its in-memory artifacts)."""

    key: str
    student_id: str
    name: str
    status: str  # "ok" or an error kind of grader.batch.errors
    result: GradeResult
    seconds: float
    resumed: bool = False
    fingerprint: list[int] | None = None
    signature: list[int] | None = None
    worker: str = ""
    rss_kb: int = 0  # peak RSS of the worker process
    children_rss_kb: int = 0  # peak RSS of its largest finished descendant (grading grandchild, sandbox)
    detail: str = ""  # for the log: output tail of a failed grading


def default_grade_fn() -> Callable[..., GradeResult]:
    """grader.check.run_check, imported when first needed."""
    from grader.check import run_check

    return run_check


def grade_job(sub: Submission, settings: JobSettings) -> JobOutcome:
    """Grade one submission and publish OUT/<key>; every failure becomes this student's error result."""
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="lab1-batch-"))
    try:
        outcome = _grade(sub, settings, work, started)
    except Exception as exc:  # noqa: BLE001 - a batch bug must cost one student, not the batch
        reason = f"the batch failed on this submission ({type(exc).__name__}: {exc})"
        outcome = error_outcome(sub, settings, "error", reason, started=started)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return outcome


def error_outcome(
    sub: Submission,
    settings: JobSettings,
    kind: str,
    reason: str,
    *,
    sha: str = "",
    started: float | None = None,
    detail: str = "",
    prints=None,
    keep: _Tree | None = None,
) -> JobOutcome:
    """Write and publish an error result for a submission (keeping its files when given), and its outcome."""
    meta = {"submission_sha256": sha, **_student_meta(sub)}
    result = error_result(kind, reason, settings.rubric, meta)
    try:
        stage = new_stage(settings, sub)
        write_outputs(result, stage, settings)
        if keep is not None:
            keep_files(keep, stage)
        publish(stage, settings.out_dir / sub.key)
    except OSError as exc:  # the outcome still reaches the gradebook
        result.meta["write_error"] = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started if started is not None else 0.0
    return _outcome(sub, kind, result, seconds, prints=prints, detail=detail)


class Unreadable(Exception):
    """A submission whose files cannot be read: (kind, reason, content hash)."""


@dataclass(frozen=True)
class _Tree:
    """Where a submission's files are: the graded tree, and the folder around the archive it came from."""

    path: Path
    outer: Path | None = None  # the folder holding the archive (its report PDF beside the zip), if nested
    inner_name: str = ""


def materialize(sub: Submission, limits: ZipLimits, work: Path) -> _Tree:
    """The folder holding the submission's files: the folder itself, or its archives and loose files extracted."""
    if sub.kind == "unsupported":
        raise Unreadable("unsupported", _unsupported(sub.source.name), "file:" + _file_sha(sub.source))
    tree, inner = sub.source, None
    try:
        if sub.kind in ("zip", "tar"):
            tree = work / "unzipped"
            extract_archive(sub.source, tree, limits)
        elif sub.kind == "files":
            tree = work / "files"
            _gather(sub, tree)
        inner = nested_archive(tree) if find_submission_root(tree) is None else None
        if inner is not None and archive_kind(inner.name) == "unsupported":
            raise Unreadable("unsupported", _unsupported(inner.name), "file:" + _file_sha(inner))
        if inner is not None:  # zipped twice, or an archive inside the site's folder
            extract_archive(inner, work / "inner", limits)
            return _Tree(work / "inner", tree, inner.name)
    except UnsafeZipError as exc:
        archive = inner if inner is not None else sub.source
        raise Unreadable(
            "refused", f"the archive {archive.name} was refused: {exc}", "zip:" + _file_sha(archive)
        ) from None
    return _Tree(tree)


def _unsupported(name: str) -> str:
    kind = name.rsplit(".", 1)[-1].lower()
    return f"{name} is a .{kind} archive, which the grader cannot open: upload a .zip (or the .py files) instead"


def _gather(sub: Submission, tree: Path) -> None:
    """Copy a student's loose uploads into one folder under their own names (a folder's files merge at the top)."""
    tree.mkdir(parents=True)
    for path, own in sub.files:
        source = Path(path)
        if source.is_dir():
            shutil.copytree(
                source, tree, dirs_exist_ok=True, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED_FOLDERS)
            )
        else:  # a name given twice (rare: Canvas downloads the latest attempt only): the last one wins
            shutil.copyfile(source, tree / Path(own).name)


def keep_files(tree: _Tree, stage: Path) -> None:
    """Copy the student's files (not caches, virtualenvs or links) into the stage for the TA to read.

    A nested archive's content goes to files/<archive name>.extracted/ beside the archive itself.
    """
    ignore = shutil.ignore_patterns(*SKIPPED_FOLDERS)
    try:
        if tree.outer is None:
            shutil.copytree(tree.path, stage / FILES, symlinks=True, ignore=ignore)
        else:
            shutil.copytree(tree.outer, stage / FILES, symlinks=True, ignore=ignore)
            shutil.copytree(tree.path, stage / FILES / f"{tree.inner_name}.extracted", symlinks=True, ignore=ignore)
    except (OSError, shutil.Error):  # keeping a copy must never cost the grade
        pass


def _grade(sub: Submission, settings: JobSettings, work: Path, started: float) -> JobOutcome:
    try:
        files = materialize(sub, settings.zip_limits, work)
    except Unreadable as exc:
        kind, reason, sha = exc.args
        if kept := _finished(sub, sha, settings, started):
            return kept
        return error_outcome(sub, settings, kind, reason, sha=sha, started=started)
    root = find_submission_root(files.path)
    if root is None:
        sha = submission_hash(files.path)
        if kept := _finished(sub, sha, settings, started):
            return kept
        expected = ", ".join(CONTRACT_MODULES[:5])
        return error_outcome(
            sub,
            settings,
            "empty",
            f"no lab modules found in {sub.source.name} (expected {expected}, ...)",
            sha=sha,
            started=started,
            keep=files,
        )
    sha = submission_hash(root)
    shingles = fingerprint(root, settings.baseline)
    prints = (shingles, signature(shingles))
    if kept := _finished(sub, sha, settings, started, prints):
        return kept
    stage = new_stage(settings, sub)
    meta = {
        "submission_sha256": sha,
        "hidden_seed": {"source": settings.seed_source, "hash": settings.seed_hash},
        "copy_flags": copy_flags(
            root, prints[0], settings.reference_prints, settings.baseline_unlabeled, settings.copy_threshold
        ),
        **_student_meta(sub),
    }
    target = functools.partial(_grade_in_grandchild, root, stage, settings, meta)
    fork = run_forked(target, timeout=settings.timeout, output_path=work / "grader-output.txt")
    results_path = stage / RESULTS
    if fork.status != "ok" or not results_path.is_file():
        shutil.rmtree(stage, ignore_errors=True)
        kind, reason = failure_reason(fork, settings.timeout)
        return error_outcome(
            sub, settings, kind, reason, sha=sha, started=started, detail=fork.output, prints=prints, keep=files
        )
    result = read_results(results_path)
    keep_files(files, stage)
    publish(stage, settings.out_dir / sub.key)
    return _outcome(sub, batch_status(result), result, time.perf_counter() - started, prints=prints)


def _grade_in_grandchild(root: Path, stage: Path, settings: JobSettings, meta: dict) -> None:
    """Runs in the forked grandchild: grade, then write every output into the stage folder."""
    grade_fn = settings.grade_fn or default_grade_fn()
    kwargs: dict[str, Any] = {"rubric": settings.rubric, "secret_seed": settings.secret_seed}
    if settings.sandbox != "default":
        kwargs["sandbox"] = settings.sandbox
    result = grade_fn(root, **kwargs)
    for key, value in meta.items():
        result.meta.setdefault(key, value)
    result.meta.setdefault("rubric_sha256", settings.rubric.sha256)
    result.meta.setdefault("grader_version", grader.__version__)
    write_outputs(result, stage, settings)


def write_outputs(result: GradeResult, folder: Path, settings: JobSettings) -> None:
    """results.json, plus report.html, junit.xml and figures when reports are on and grader.report works."""
    folder.mkdir(parents=True, exist_ok=True)
    if settings.reports:
        try:
            from grader.report import write_report
        except ImportError as exc:
            result.meta["report_error"] = f"reports unavailable: {exc}"
        else:
            try:
                if result.artifacts.get("train"):
                    from grader.check.reference_curves import attach_reference_curves

                    attach_reference_curves(result)
                write_report(result, folder)
                return
            except Exception as exc:  # noqa: BLE001 - a report bug must not lose the grade
                result.meta["report_error"] = f"{type(exc).__name__}: {exc}"
    write_results(result, folder / RESULTS)


def failure_reason(fork: ForkOutcome, timeout: float) -> tuple[str, str]:
    """(error kind, reason) for a grading grandchild that did not end well."""
    if fork.status == "timeout":
        return "timeout", f"grading did not finish within {timeout:g} s and was stopped"
    if fork.status == "killed":
        cause = " (often: it ran out of memory)" if fork.signal == "SIGKILL" else ""
        return "crashed", f"the grading process was killed by {fork.signal}{cause}"
    if fork.status == "lost":
        return "crashed", "the grading process disappeared"
    last = [line for line in fork.output.strip().splitlines() if line.strip()]
    if fork.status == "ok":
        return "error", "the grader ended without writing results"
    return "error", f"the grader failed (exit status {fork.exit_code}): {last[-1] if last else 'no output'}"


def new_stage(settings: JobSettings, sub: Submission) -> Path:
    """A fresh folder under OUT/.staging for one submission's outputs."""
    stage = settings.out_dir / STAGING / f"{sub.key}-{uuid.uuid4().hex[:12]}"
    stage.mkdir(parents=True)
    return stage


def publish(stage: Path, target: Path) -> None:
    """Replace target with the complete stage folder by renames: readers never see half of it."""
    if target.exists():
        old = stage.parent / f"{stage.name}.old"
        os.rename(target, old)
        os.rename(stage, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(stage, target)


def _finished(sub: Submission, sha: str, settings: JobSettings, started: float, prints=None) -> JobOutcome | None:
    """With --resume: the outcome of an earlier run of the same content, rubric, grader, tier and seed, if any."""
    if not settings.resume:
        return None
    path = settings.out_dir / sub.key / RESULTS
    try:
        result = read_results(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    meta = result.meta
    graded = batch_status(result) == "ok"  # refused, empty, unsupported: no seed was used
    same = (
        meta.get("submission_sha256") == sha
        and meta.get("rubric_sha256") == settings.rubric.sha256
        and meta.get("grader_version") == grader.__version__
        and meta.get("sandbox") in (None, settings.sandbox)
        and (not graded or (meta.get("hidden_seed") or {}).get("hash") == settings.seed_hash)
    )
    if not same or batch_status(result) in TRANSIENT_ERRORS:
        return None
    return _outcome(sub, batch_status(result), result, time.perf_counter() - started, resumed=True, prints=prints)


def kept_outcome(sub: Submission, settings: JobSettings) -> JobOutcome | None:
    """The published result of a submission --only leaves alone, if it has one (fingerprinted again for the
    near-identical check, which compares every row)."""
    try:
        result = read_results(settings.out_dir / sub.key / RESULTS)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return _outcome(sub, batch_status(result), result, 0.0, resumed=True, prints=_prints_of(sub, settings))


def _prints_of(sub: Submission, settings: JobSettings) -> tuple[list[int], list[int]] | None:
    """(fingerprint, signature) of a submission's code, or None when it has none that can be read."""
    work = Path(tempfile.mkdtemp(prefix="lab1-batch-"))
    try:
        root = find_submission_root(materialize(sub, settings.zip_limits, work).path)
        if root is None:
            return None
        prints = fingerprint(root, settings.baseline)
        return prints, signature(prints)
    except (Unreadable, OSError):
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _outcome(
    sub: Submission,
    status: str,
    result: GradeResult,
    seconds: float,
    *,
    resumed: bool = False,
    prints=None,
    detail: str = "",
) -> JobOutcome:
    result.artifacts = {}
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return JobOutcome(
        key=sub.key,
        student_id=sub.student_id,
        name=sub.name,
        status=status,
        result=result,
        seconds=seconds,
        resumed=resumed,
        fingerprint=prints[0] if prints else None,
        signature=prints[1] if prints else None,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        rss_kb=int(own),
        children_rss_kb=int(kids),
        detail=detail[-2000:],
    )


def _student_meta(sub: Submission) -> dict:
    student = {"id": sub.student_id, "name": sub.name, "source": sub.source.name}
    for field_name in ("note", "late", "email"):
        if getattr(sub, field_name):
            student[field_name] = getattr(sub, field_name)
    return {"student": student}


def _file_sha(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
