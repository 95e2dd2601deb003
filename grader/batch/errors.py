"""Batch usage errors, and the zero-score GradeResult a student gets when their submission cannot be graded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import grader
from grader.results import GradeResult, ItemResult, ManualItem
from grader.usage import UsageError

if TYPE_CHECKING:
    from grader.rubric.model import Rubric

# Outcomes of one submission in a batch, besides "ok": deterministic ones are kept by --resume,
# transient ones (the grader crashed or was too slow, maybe because the machine was busy) are retried.
DETERMINISTIC_ERRORS = ("refused", "empty", "unsupported")
NO_SUBMISSION = "no submission"  # a student on the roster with nothing in the download
TRANSIENT_ERRORS = ("crashed", "timeout", "error", "regrade")  # regrade: machine overloaded

_TITLES = {
    "refused": "The submission was refused",
    "empty": "No submission found",
    "unsupported": "The submission is an archive the grader cannot open",
    NO_SUBMISSION: "No submission",
    "crashed": "The grader crashed on this submission",
    "timeout": "Grading took too long",
    "error": "The grader failed on this submission",
    "regrade": "The machine was overloaded: regrade",
}


class BatchError(UsageError):
    """The batch cannot run at all (bad input folder, bad pattern, missing extra): a usage error."""


def error_result(kind: str, reason: str, rubric: Rubric, meta: dict[str, Any] | None = None) -> GradeResult:
    """A complete result scoring 0 on every item, with the reason a student or TA can act on."""
    title = _TITLES.get(kind, "The submission could not be graded")
    items = [
        ItemResult(
            key=item.key,
            title=item.title,
            score=0.0,
            max_score=float(item.points),
            status="failed",
            reason=f"not graded: {reason}",
            visibility=item.visibility,
        )
        for item in rubric.items.values()
    ]
    manual = [ManualItem(key=m.key, title=m.title, max_score=float(m.points)) for m in rubric.manual.values()]
    full_meta = {
        "grader_version": grader.__version__,
        "rubric_name": rubric.name,
        "rubric_sha256": rubric.sha256,
        "batch_status": kind,
        **(meta or {}),
    }
    return GradeResult(
        score=0.0,
        max_score=float(rubric.total_points),
        items=items,
        output=f"{title}: {reason}",
        manual_items=manual,
        meta=full_meta,
    )


def batch_status(result: GradeResult) -> str:
    """'ok' for a graded submission, else the kind of error the batch recorded."""
    return str(result.meta.get("batch_status") or "ok")
