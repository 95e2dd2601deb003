"""The report's "Run" section: which submission, how it was graded, where the time went, what the
sandbox saw, as tables a student can read (never raw JSON)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from grader.report.text import clean, grader_version
from grader.results import GradeResult

SHOWN_KEYS = {
    "submission",
    "submission_sha256",
    "grader_version",
    "rubric_name",
    "rubric_sha256",
    "seeds",
    "python",
    "numpy",
    "platform",
    "sandbox",
    "confinement",
    "tier_note",
    "child",
    "child_restarts",
    "timings",
    "security",
}
MAX_ROWS = 50  # a table longer than this is cut, with a row that says how many were left out


def _e(value: object, limit: int = 500) -> str:
    text = clean(str(value), keep_newlines=False)
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


def _short_hash(value: object) -> str:
    return str(value)[:12] if value else "?"


def _plain(value: Any) -> str:
    """A value as words: dicts as 'key: value; ...', lists joined by commas."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(caption: str, header: tuple[str, ...], rows: Sequence[Sequence[object]], css: str = "run") -> str:
    if len(rows) > MAX_ROWS:
        rows = [*rows[:MAX_ROWS], (f"… {len(rows) - MAX_ROWS} more in results.json",) + ("",) * (len(header) - 1)]
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _summary_rows(result: GradeResult, meta: dict[str, Any]) -> list[tuple[str, str]]:
    seeds = meta.get("seeds") or {}
    rows = [
        ("submission", f"{meta.get('submission', '?')} (content sha256 {_short_hash(meta.get('submission_sha256'))})"),
        (
            "graded by",
            f"lab1-grader {grader_version(result)}, rubric {meta.get('rubric_name', '?')} "
            f"(sha256 {_short_hash(meta.get('rubric_sha256'))})",
        ),
        ("grading time", f"{result.execution_time:.2f} s"),
    ]
    if seeds:
        rows.append(
            (
                "seeds",
                f"probes {seeds.get('probe', '?')}, training {_plain(seeds.get('train', '?'))}, "
                f"hidden points: {seeds.get('hidden', '?')} seed",
            )
        )
    versions = ", ".join(f"{k} {meta[k]}" for k in ("python", "numpy", "platform") if meta.get(k))
    if versions:
        rows.append(("grader ran on", versions))
    child = meta.get("child") or {}
    if child:
        rows.append(("your code ran on", _plain(child)))
    if meta.get("sandbox"):
        layers = _plain(meta.get("confinement") or [])
        rows.append(
            (
                "sandbox",
                f"{meta['sandbox']} tier; kernel layers: {layers}"
                + (f" ({meta['tier_note']})" if meta.get("tier_note") else ""),
            )
        )
    if meta.get("child_restarts"):
        rows.append(("restarts of your code's process", str(meta["child_restarts"])))
    return rows


def render_run_section(result: GradeResult) -> str:
    """<section id="meta"> with the run's tables."""
    meta = dict(result.meta or {})
    parts = ['<section id="meta"><h2>Run</h2>', _table("This grading", ("what", "value"), _summary_rows(result, meta))]
    timings = meta.get("timings") or {}
    if isinstance(timings, dict) and timings:
        rows = sorted(
            ((name, f"{float(s):.2f}") for name, s in timings.items() if isinstance(s, (int, float))),
            key=lambda row: -float(row[1]),
        )
        parts.append(_table("Time per check (seconds)", ("check", "seconds"), rows))
    security = meta.get("security") or []
    if security:
        parts.append(
            _table(
                "What your code tried that the sandbox refused or noted",
                ("#", "event"),
                [(i, event) for i, event in enumerate(security, start=1)],
            )
        )
    else:
        parts.append('<p class="manual">The sandbox saw nothing unusual.</p>')
    other = [(key.replace("_", " "), _plain(value)) for key, value in meta.items() if key not in SHOWN_KEYS]
    if other:
        parts.append(_table("More", ("what", "value"), other))
    parts.append("</section>")
    return "".join(parts)
