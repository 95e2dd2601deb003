"""report.html: one self-contained page (inline CSS, images as data URIs, no script, no network).

Readable on a phone (viewport, fluid layout, max-width) and printable (@media print).
Every piece of student-controlled text (reasons, tracebacks, flags, metadata) goes
through html.escape; nothing of the student's is ever inserted as markup.
"""

from __future__ import annotations

import base64
import html
import struct
from pathlib import Path

from grader.report.run_section import render_run_section
from grader.report.text import (
    clean,
    grader_version,
    item_reason,
    item_status,
    one_line,
    percent,
    points,
    rubric_name,
    top_diagnoses,
    tracebacks,
)
from grader.results import GradeResult, ItemResult

_CSS_PATH = Path(__file__).with_name("report.css")
BADGES = {"passed": "pass", "failed": "fail", "not_attempted": "not attempted", "error": "crash", "timeout": "timeout"}
CAPTIONS = {
    "comparison": "Ground truth | your network's prediction on the {d} data (red = 0, blue = 1; circled: wrong)",
    "learning_curve": "Your learning curve on {d} against the reference's (MSE, log scale)",
    "decision_boundary": "Your network's output over the unit square on {d}: red < 0.5 < blue, black line = 0.5",
    "gradcheck": "Gradient check: relative error of each parameter's gradient; red bars are above the tolerance",
}


def _e(text: object) -> str:
    """Escaped text (quotes too: safe in attributes)."""
    return html.escape(clean(text), quote=True)


def _e1(text: object, limit: int | None = None) -> str:
    return html.escape(one_line(text, limit), quote=True)


def css() -> str:
    return _CSS_PATH.read_text(encoding="utf-8")


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk, None if not a PNG."""
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    return None


def _caption(name: str) -> str:
    for kind in ("comparison", "learning_curve", "decision_boundary"):
        if name.startswith(kind + "_"):
            return CAPTIONS[kind].format(d=name[len(kind) + 1 :])
    return CAPTIONS.get(name, name.replace("_", " "))


def _figure_order(names: list[str]) -> list[str]:
    """Per dataset (comparison, curve, boundary), then the gradient check, then anything else."""
    kinds = ("comparison_", "learning_curve_", "decision_boundary_")
    datasets = []
    for n in names:
        for k in kinds:
            if n.startswith(k) and n[len(k) :] not in datasets:
                datasets.append(n[len(k) :])
    ordered = [k + d for d in datasets for k in kinds if k + d in names]
    ordered += [n for n in names if n == "gradcheck"]
    ordered += [n for n in names if n not in ordered]
    return ordered


def _figures_html(figures: dict[str, Path] | None) -> str:
    parts = []
    figures = figures or {}
    for name in _figure_order(list(figures)):
        path = Path(figures[name])
        try:
            data = path.read_bytes()
        except OSError:
            continue
        size = png_size(data)
        if size is None:
            continue
        b64 = base64.b64encode(data).decode("ascii")
        wide = ' class="wide"' if name.startswith("comparison_") else ""
        caption = _caption(name)
        parts.append(
            f'<figure{wide} id="fig-{_e1(name)}"><img src="data:image/png;base64,{b64}" '
            f'width="{size[0]}" height="{size[1]}" alt="{_e1(caption)}">'
            f"<figcaption>{_e1(caption)}</figcaption></figure>"
        )
    if not parts:
        return ""
    return '<section id="figures"><h2>Figures</h2><div class="figures">' + "\n".join(parts) + "</div></section>"


def _item_html(item: ItemResult) -> str:
    status = item_status(item)
    head = (
        f'<div class="item-head"><span class="badge {status}">{_e1(BADGES.get(status, status))}</span>'
        f"<h3>{_e1(item.title)}</h3>"
        f'<span class="pts">{points(item.score)} / {points(item.max_score)}</span></div>'
    )
    body = [f'<p class="reason">{_e1(item_reason(item))}</p>']
    shown = [c for c in item.checks if c.status != "passed" and c.reason and one_line(c.reason) != item_reason(item)]
    if shown:
        body.append('<ul class="checks">')
        for c in shown:
            body.append(f"<li><code>{_e1(c.name, 120)}</code>: {_e1(c.reason)}</li>")
        body.append("</ul>")
    for d in (d for c in item.checks for d in c.diagnoses):
        hint = f" <b>Hint:</b> {_e1(d.hint)}" if d.hint else ""
        body.append(f'<p class="hint">⚠ {_e1(d.message)}.{hint}</p>')
    for name, tb in tracebacks(item):
        body.append(f'<p class="tb-title">Your code crashed in <code>{_e1(name, 120)}</code>:</p><pre>{_e(tb)}</pre>')
    return f'<article class="item {status}" id="item-{_e1(item.key)}">{head}{"".join(body)}</article>'


def render_html(result: GradeResult, figures: dict[str, Path] | None = None) -> str:
    """The whole page as text."""
    title = f"{rubric_name(result)}: {points(result.score)} / {points(result.max_score)}"
    ratio = max(0.0, min(1.0, result.score / result.max_score)) if result.max_score else 0.0
    counts: dict[str, int] = {}
    for item in result.items:
        s = item_status(item)
        counts[s] = counts.get(s, 0) + 1
    count_text = ", ".join(f"{n} {BADGES.get(s, s)}" for s, n in counts.items())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light">',
        f"<title>{_e1(title)}</title>",
        f"<style>\n{css()}</style></head>",
        "<body><main>",
        '<header class="summary">',
        f"<h1>{_e1(rubric_name(result))}: grading report</h1>",
        f'<p id="score" aria-label="score">{points(result.score)}'
        f' <span class="max">/ {points(result.max_score)}</span></p>',
        f'<div class="bar" role="img" aria-label="{percent(result)}"><span style="width:{ratio * 100:.1f}%"></span></div>',
        f'<p class="sub">{percent(result)} of the autograded points · {_e1(count_text)}</p>',
        "</header>",
    ]
    if result.flags:
        parts.append('<section class="flags" id="flags"><strong>Flags</strong><ul>')
        parts += [f"<li>{_e1(f)}</li>" for f in result.flags]
        parts.append("</ul></section>")

    parts.append('<section id="items"><h2>Rubric items</h2>')
    parts += [_item_html(item) for item in result.items]
    if result.manual_items:
        manual = ", ".join(f"{_e1(m.title)} ({points(m.max_score)} points)" for m in result.manual_items)
        parts.append(f'<p class="manual">Graded by hand, not included in the score: {manual}.</p>')
    parts.append("</section>")

    diags = top_diagnoses(result, None)
    if diags:
        parts.append('<section id="diagnoses"><h2>What to fix</h2><ul class="diagnoses">')
        for d in diags:
            where = f" <small>({_e1(d.item)})</small>" if d.item else ""
            hint = f'<p class="hint"><b>Hint:</b> {_e1(d.hint)}</p>' if d.hint else ""
            parts.append(f"<li><strong>{_e1(d.message)}</strong>{where}{hint}</li>")
        parts.append("</ul></section>")

    parts.append(_figures_html(figures))

    parts.append(render_run_section(result))
    parts.append(f"<footer>lab1-grader {_e1(grader_version(result))} · this page works offline and prints</footer>")
    parts.append("</main></body></html>")
    return "\n".join(p for p in parts if p) + "\n"
