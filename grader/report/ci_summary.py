"""Markdown summary for CI job pages: GitHub Actions' step summary (GITHUB_STEP_SUMMARY).

GitHub renders the Markdown with HTML allowed (sanitized); student-controlled text is
escaped so it can't break the table, inject links or markup.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from grader.report.text import item_reason, item_status, one_line, percent, points, rubric_name, top_diagnoses
from grader.results import GradeResult

log = logging.getLogger(__name__)

MAX_SUMMARY_BYTES = 1_000_000  # GitHub rejects a step summary over 1 MiB
REASON_CHARS = 300
ICONS = {"passed": "✅", "failed": "❌", "error": "💥", "timeout": "⏱️", "not_attempted": "⬜"}
_MD_ESCAPES = {c: f"&#{ord(c)};" for c in "\\`*_[]<>|~&"}  # enough to block markup, links, table breaks


def md_escape(text: object, limit: int | None = REASON_CHARS) -> str:
    """One line of text safe inside Markdown (and a Markdown table cell)."""
    line = one_line(text, limit)
    return "".join(_MD_ESCAPES.get(c, c) for c in line)


def render_markdown(result: GradeResult) -> str:
    """The summary: heading with the score, a table of the items, top diagnoses, flags."""
    lines = [
        f"## {md_escape(rubric_name(result), 80)}: {points(result.score)} / {points(result.max_score)} "
        f"points ({percent(result)})",
        "",
    ]
    if result.flags:
        for flag in result.flags:
            lines.append(f"> **Flag:** {md_escape(flag)}")
        lines.append("")
    lines += ["| | Item | Points | Reason |", "|:-:|---|--:|---|"]
    for item in result.items:
        status = item_status(item)
        lines.append(
            f"| {ICONS.get(status, '')} | {md_escape(item.title, 80)} | "
            f"{points(item.score)} / {points(item.max_score)} | {md_escape(item_reason(item))} |"
        )
    lines.append(f"| | **Total** | **{points(result.score)} / {points(result.max_score)}** | |")
    for manual in result.manual_items:
        lines.append(f"| 📝 | {md_escape(manual.title, 80)} | – / {points(manual.max_score)} | graded by hand |")
    diags = top_diagnoses(result, 5)
    if diags:
        lines += ["", "### Top diagnoses", ""]
        for d in diags:
            where = f" ({md_escape(d.item, 40)})" if d.item else ""
            hint = f" — hint: {md_escape(d.hint)}" if d.hint else ""
            lines.append(f"- **{md_escape(d.message)}**{where}{hint}")
    lines += ["", "_The full report (figures, tracebacks) is in the report.html artifact of this job._", ""]
    text = "\n".join(lines)
    if len(text.encode("utf-8")) > MAX_SUMMARY_BYTES:  # can't happen with sane rubrics; stay valid anyway
        text = text.encode("utf-8")[: MAX_SUMMARY_BYTES - 100].decode("utf-8", "ignore") + "\n\n(truncated)\n"
    return text


def append_github_summary(result: GradeResult, env: Mapping[str, str] = os.environ) -> bool:
    """Append the summary to the file named by GITHUB_STEP_SUMMARY; False when unset or unwritable."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(render_markdown(result) + "\n")
    except OSError as exc:
        log.warning("could not append to GITHUB_STEP_SUMMARY %s: %s", path, exc)
        return False
    return True
