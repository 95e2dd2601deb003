"""The plain-text score table `grade check` prints.

    Item                         Points  Reason
    pass  Sigmoid and its deri…   10/10  all 4 checks passed
    FAIL  Backward pass           10/25  gradient of b1 is wrong: …
    todo  Extra: optimizers        0/10  not attempted
    ...
    Total                         20/60  (33%)

then the flags and the top diagnoses with their hints; with verbose, every check and
the student's own traceback. Readable without colours; `color=True` adds click styles.
Student-controlled text is stripped of escape sequences and control characters.
"""

from __future__ import annotations

import shutil
import textwrap

from grader.report.text import (
    STATUS_LABELS,
    clean,
    item_reason,
    item_status,
    one_line,
    percent,
    points,
    rubric_name,
    top_diagnoses,
    tracebacks,
)
from grader.results import GradeResult

DEFAULT_WIDTH = 100
REASON_LINES = 4  # longer reasons are cut; --verbose and report.html have them whole
MIN_WIDTH = 60
STATUS_COLORS = {"passed": "green", "failed": "red", "error": "red", "timeout": "red", "not_attempted": "yellow"}


def terminal_width() -> int:
    """Columns of the terminal, DEFAULT_WIDTH when not a terminal."""
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def _style(text: str, color: bool, **kwargs) -> str:
    if not color:
        return text
    import click

    return click.style(text, **kwargs)


def render_table(result: GradeResult, verbose: bool = False, *, width: int | None = None, color: bool = False) -> str:
    """The score table as text, every line at most `width` columns (default: the terminal's)."""
    width = max(int(width or terminal_width()), MIN_WIDTH)
    status_w = max(len(s) for s in STATUS_LABELS.values())
    title_w = min(max([len(one_line(i.title)) for i in result.items] + [len("Item"), len("Total")]), 44, width * 2 // 5)
    pts = [f"{points(i.score)}/{points(i.max_score)}" for i in result.items]
    total_pts = f"{points(result.score)}/{points(result.max_score)}"
    pts_w = max([len(p) for p in pts] + [len(total_pts), len("Points")])
    reason_w = width - (status_w + 2 + title_w + 2 + pts_w + 2)

    def row(status: str, title: str, score: str, reason: str, status_key: str = "") -> str:
        s = status.ljust(status_w)
        if status_key:
            s = _style(s, color, fg=STATUS_COLORS.get(status_key), bold=status_key != "passed")
        t = one_line(title, title_w).ljust(title_w)
        first, *more = _reason_lines(reason, max(reason_w, 6))
        indent = " " * (status_w + 2 + title_w + 2 + pts_w + 2)
        return "\n".join([f"{s}  {t}  {score.rjust(pts_w)}  {first}".rstrip()] + [indent + line for line in more])

    heading = f"{rubric_name(result)}: {points(result.score)} / {points(result.max_score)} points ({percent(result)})"
    bonus = getattr(result, "bonus", 0.0)
    heading += f" + {points(bonus)} bonus (extras)" if bonus else ""
    lines = [_style(one_line(heading, width), color, bold=True), ""]
    lines.append(row("", "Item", "Points", "Reason"))
    lines.append("-" * min(width, status_w + title_w + pts_w + 6 + max(reason_w, 6)))
    for item, p in zip(result.items, pts):
        status = item_status(item)
        lines.append(row(STATUS_LABELS.get(status, status), item.title, p, item_reason(item), status))
        if verbose:
            lines.extend(_verbose_item(item, width))
    lines.append("-" * min(width, status_w + title_w + pts_w + 6 + max(reason_w, 6)))
    lines.append(_style(row("", "Total", total_pts, f"({percent(result)})"), color, bold=True))
    if not verbose and any(_is_cut(item_reason(i), max(reason_w, 6)) for i in result.items):
        lines.extend(
            _wrap(
                "Reasons ending in … are cut to fit: run with --verbose, or open the report's "
                "report.html, to read them whole.",
                width,
            )
        )
    if result.manual_items:
        manual = ", ".join(f"{one_line(m.title)} ({points(m.max_score)})" for m in result.manual_items)
        lines.extend(_wrap(f"Graded by hand, not included: {manual}", width))

    if result.flags:
        lines.append("")
        lines.append(_style("Flags:", color, fg="red", bold=True))
        for flag in result.flags:
            lines.extend(_wrap(one_line(flag), width, "  ! ", "    "))

    diags = top_diagnoses(result, None if verbose else 5)
    if diags:
        lines.append("")
        lines.append(_style("Diagnoses:", color, bold=True))
        for d in diags:
            where = f"[{one_line(d.item)}] " if d.item else ""
            lines.extend(_wrap(f"{where}{one_line(d.message)}", width, "  - ", "    "))
            if d.hint:
                lines.extend(_wrap(f"hint: {one_line(d.hint)}", width, "    ", "          "))
        hidden = len(top_diagnoses(result, None)) - len(diags)
        if hidden > 0:
            lines.append(f"  ({hidden} more with --verbose)")
    if not verbose and any(tracebacks(i) for i in result.items):
        lines.append("")
        lines.extend(_wrap("Your code crashed in some checks: run with --verbose to see the tracebacks.", width))
    return "\n".join(lines) + "\n"


def _reason_lines(reason: str, width: int, most: int = REASON_LINES) -> list[str]:
    """A reason wrapped into its column: every lost point says why, up to `most` lines, then cut."""
    lines = textwrap.wrap(one_line(reason), width=width, break_on_hyphens=False) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines


def _is_cut(reason: str, width: int, most: int = REASON_LINES) -> bool:
    """True when _reason_lines cuts this reason."""
    return len(textwrap.wrap(one_line(reason), width=width, break_on_hyphens=False)) > most


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    lines = textwrap.wrap(
        text, width=width, initial_indent=first, subsequent_indent=rest or first, break_on_hyphens=False
    )
    return lines or [first.rstrip()]


def _verbose_item(item, width: int) -> list[str]:
    out = []
    for check in item.checks:
        frac = f"{check.fraction:.0%}" if check.status != "passed" else ""
        text = " ".join(p for p in (check.status.replace("_", " "), frac, one_line(check.name)) if p)
        if check.reason:
            text += f": {one_line(check.reason)}"
        out.extend(_wrap(text, width, "        · ", "          "))
    for name, tb in tracebacks(item):
        out.append(f"        traceback of {one_line(name, width - 21)}:")
        for line in clean(tb).splitlines():
            body = line.lstrip(" ")
            indent = " " * (10 + min(len(line) - len(body), 20))
            out.extend(_wrap(body, width, indent, indent + "    ") if body else [""])
    return out
