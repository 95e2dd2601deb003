"""Small text helpers shared by the report renderers (no third-party imports)."""

from __future__ import annotations

import re

from grader.results import CHECK_STATUSES, Diagnosis, GradeResult, ItemResult

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_XML_INVALID = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: object, *, keep_newlines: bool = True) -> str:
    """Student-controlled text made safe to print: no ANSI escapes, no control characters."""
    text = "" if text is None else str(text)
    text = _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\t", "    "))
    text = _XML_INVALID.sub("\ufffd", text)  # lone surrogates and the like
    if not keep_newlines:
        text = " ".join(text.split())
    return text


def one_line(text: object, width: int | None = None) -> str:
    """Text on one line, cut to width characters with an ellipsis."""
    line = clean(text, keep_newlines=False)
    if width is not None and len(line) > width:
        return line[: max(width - 1, 0)] + "…" if width > 0 else ""
    return line


def points(value: float) -> str:
    """10 -> "10", 7.5 -> "7.5", 3.3333 -> "3.33"."""
    value = round(float(value), 2)
    return f"{value:g}" if value != int(value) else str(int(value))


def item_status(item: ItemResult) -> str:
    """ "passed", "not_attempted", or the worst check status of a lost item ("failed" by default)."""
    if item.not_attempted:
        return "not_attempted"
    if item.status == "passed":
        return "passed"
    worst = "failed"
    for check in item.checks:
        if check.status in CHECK_STATUSES and CHECK_STATUSES.index(check.status) > CHECK_STATUSES.index(worst):
            worst = check.status
    return "failed" if worst == "not_attempted" else worst


STATUS_LABELS = {
    "passed": "pass",
    "failed": "FAIL",
    "not_attempted": "todo",
    "error": "CRASH",
    "timeout": "TIMEOUT",
    "overloaded": "REGRADE",
}


def item_reason(item: ItemResult) -> str:
    """The one-line reason shown for an item; "not attempted" for a stub."""
    if item.not_attempted:
        reason = clean(item.reason, keep_newlines=False)
        return "not attempted" if reason in ("", "not attempted") else f"not attempted: {reason}"
    return clean(item.reason, keep_newlines=False)


def top_diagnoses(result: GradeResult, limit: int | None = 5) -> list[Diagnosis]:
    """Diagnoses in item order without duplicates (same code and message), at most limit."""
    seen: set[tuple[str, str]] = set()
    out: list[Diagnosis] = []
    for diag in result.diagnoses:
        key = (diag.code, diag.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(diag)
    return out if limit is None else out[:limit]


def tracebacks(item: ItemResult) -> list[tuple[str, str]]:
    """(check name, traceback) of the checks where the student's code crashed.

    A stub's NotImplementedError is "not attempted", not a crash: its traceback is noise.
    """
    return [
        (c.name, clean(c.traceback).rstrip())
        for c in item.checks
        if c.traceback and c.traceback.strip() and c.status != "not_attempted"
    ]


def rubric_name(result: GradeResult) -> str:
    meta = result.meta or {}
    name = meta.get("rubric_name") or meta.get("rubric") or "lab1"
    return one_line(name) or "lab1"


def grader_version(result: GradeResult) -> str:
    from grader import __version__

    return one_line((result.meta or {}).get("grader_version") or __version__)


def percent(result: GradeResult) -> str:
    return f"{100.0 * result.score / result.max_score:.0f}%" if result.max_score else "-"
