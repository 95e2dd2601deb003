"""summary.html of a batch: score histogram, pass rate per item, common diagnoses, flags, errors, slowest."""

from __future__ import annotations

import html
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.atomic import atomic_write_text
from grader.batch.gradebook import number, sort_outcomes
from grader.batch.jobs import JobOutcome
from grader.batch.similarity import SimilarPair

TOP = 15
MAX_PAIRS = 100

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#1b1f24}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%}td,th{padding:.25em .6em;border-bottom:1px solid #eaeef2;text-align:left;
vertical-align:top}th{background:#f6f8fa}.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#2f81f7;height:.8em;display:inline-block}.muted{color:#656d76}.err{color:#b42318}
.stats span{display:inline-block;margin-right:2em}
"""


@dataclass
class BatchInfo:
    """Facts about the run the summary shows."""

    input_dir: str
    seconds: float
    jobs: int
    executor: str
    interrupted: bool = False
    total: int = 0  # submissions found, graded or not
    skipped_entries: list[str] = field(default_factory=list)
    out_dir: str = ""  # where each student's files/ folder is (for the links to them)
    seed_source: str = "secret"  # "public": a loud banner
    row_flags: dict[str, list[str]] = field(default_factory=dict)  # the batch's own flags (roster, copies)
    preset: str = ""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _link(outcome: JobOutcome) -> str:
    return f'<a href="{_e(outcome.key)}/report.html">{_e(outcome.student_id)}</a>'


def histogram_svg(scores: list[float], max_score: float, bins: int = 10) -> str:
    """An inline SVG bar chart of the scores in `bins` equal bins from 0 to max_score."""
    counts = [0] * bins
    for score in scores:
        index = int(bins * score / max_score) if max_score > 0 else 0
        counts[min(max(index, 0), bins - 1)] += 1
    width, height, pad = 600, 220, 30
    bar_w = (width - 2 * pad) / bins
    top = max(counts) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="score histogram">'
    ]
    for i, count in enumerate(counts):
        h = (height - 2 * pad) * count / top
        x, y = pad + i * bar_w, height - pad - h
        low, high = max_score * i / bins, max_score * (i + 1) / bins
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" fill="#2f81f7">'
            f"<title>{number(low)}-{number(high)}: {count}</title></rect>"
        )
        if count:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">{count}</text>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - pad + 14}" font-size="11" '
            f'text-anchor="middle">{number(low)}</text>'
        )
    parts.append(
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#656d76"/></svg>'
    )
    return "".join(parts)


def _stats(outcomes: list[JobOutcome], info: BatchInfo) -> str:
    statuses = Counter(o.status for o in outcomes)
    scores = [o.result.score for o in outcomes if o.status == "ok"]
    items = [
        f"<span><b>{len(outcomes)}</b> of {info.total} submissions</span>",
        f"<span><b>{statuses.get('ok', 0)}</b> graded</span>",
        f"<span><b>{sum(o.resumed for o in outcomes)}</b> kept from an earlier run</span>",
    ]
    errors = ", ".join(f"{n} {k}" for k, n in sorted(statuses.items()) if k != "ok")
    items.append(
        f"<span><b>{len(outcomes) - statuses.get('ok', 0)}</b> not graded{f' ({_e(errors)})' if errors else ''}</span>"
    )
    if scores:
        items.append(
            f"<span>mean <b>{number(statistics.fmean(scores))}</b>, median "
            f"<b>{number(statistics.median(scores))}</b></span>"
        )
    items.append(f"<span>{number(info.seconds)} s with {info.jobs} {_e(info.executor)} worker(s)</span>")
    note = '<p class="err"><b>Interrupted:</b> only the submissions below were graded.</p>' if info.interrupted else ""
    return f'{note}<p class="stats">{"".join(items)}</p>'


def _item_table(outcomes: list[JobOutcome], rubric) -> str:
    graded = [o for o in outcomes if o.status == "ok"]
    rows = []
    for key, item in rubric.items.items():
        passed = sum(1 for o in graded for i in o.result.items if i.key == key and i.status == "passed")
        rate = passed / len(graded) if graded else 0.0
        rows.append(
            f"<tr><td>{_e(item.title)}</td><td class=num>{number(item.points)}</td>"
            f"<td class=num>{passed}/{len(graded)}</td><td class=num>{rate:.0%}</td>"
            f'<td style="width:30%"><span class="bar" style="width:{100 * rate:.0f}%"></span></td></tr>'
        )
    return (
        "<table><tr><th>Item</th><th class=num>Points</th><th class=num>Passed</th><th class=num>Rate</th>"
        f"<th></th></tr>{''.join(rows)}</table>"
    )


def _diagnoses(outcomes: list[JobOutcome]) -> str:
    counts: Counter = Counter()
    examples: dict[str, tuple[str, str]] = {}
    who: dict[str, list[JobOutcome]] = {}
    for outcome in outcomes:
        for diagnosis in {d.code: d for d in outcome.result.diagnoses}.values():
            counts[diagnosis.code] += 1
            examples.setdefault(diagnosis.code, (diagnosis.message, diagnosis.hint))
            who.setdefault(diagnosis.code, []).append(outcome)
    if not counts:
        return '<p class="muted">No diagnosed mistakes.</p>'
    rows = []
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]:
        message, hint = examples[code]
        names = ", ".join(_link(o) for o in who[code][:8]) + (" ..." if len(who[code]) > 8 else "")
        rows.append(
            f"<tr><td class=num>{count}</td><td><code>{_e(code)}</code></td><td>{_e(message)}"
            f"<div class=muted>{_e(hint)}</div></td><td>{names}</td></tr>"
        )
    return (
        "<table><tr><th class=num>Students</th><th>Diagnosis</th><th>Example</th><th>Who</th></tr>"
        f"{''.join(rows)}</table>"
    )


def _flags(outcomes: list[JobOutcome], pairs: list[SimilarPair], groups: list[list[str]]) -> str:
    by_key = {o.key: o for o in outcomes}
    parts = []
    flagged = [o for o in outcomes if o.result.flags]
    if flagged:
        rows = "".join(
            f"<tr><td>{_link(o)}</td><td>{_e(o.name)}</td><td>{_e('; '.join(o.result.flags))}</td></tr>"
            for o in flagged
        )
        parts.append(
            f"<h3>Flags raised by the grader</h3><table><tr><th>Id</th><th>Name</th><th>Flags</th></tr>{rows}</table>"
        )
    if groups:
        rows = "".join(
            f"<tr><td>G{n}</td><td class=num>{len(g)}</td><td>"
            f"{', '.join(_link(by_key[k]) if k in by_key else _e(k) for k in g)}</td></tr>"
            for n, g in enumerate(groups, start=1)
        )
        parts.append(
            "<h3>Near-identical code</h3><p class=muted>Normalized code (names and literals erased, "
            "the skeleton removed) that is the same or nearly so. For a human to look at: "
            "a flag, not a verdict.</p>"
            f"<table><tr><th>Group</th><th class=num>Size</th><th>Members</th></tr>{rows}</table>"
        )
        shown = pairs[:MAX_PAIRS]
        rows = "".join(
            f"<tr><td class=num>{p.similarity:.2f}</td><td>{_pair_side(by_key, p.a)}</td>"
            f"<td>{_pair_side(by_key, p.b)}</td></tr>"
            for p in shown
        )
        more = f"<p class=muted>{len(pairs) - len(shown)} more pairs not shown.</p>" if len(pairs) > len(shown) else ""
        parts.append(f"<table><tr><th class=num>Similarity</th><th>A</th><th>B</th></tr>{rows}</table>{more}")
    return "".join(parts) or '<p class="muted">Nothing flagged.</p>'


def _pair_side(by_key: dict, key: str) -> str:
    outcome = by_key.get(key)
    return f"{_link(outcome)} {_e(outcome.name)}" if outcome else _e(key)


def _batch_flags(outcomes: list[JobOutcome], row_flags: dict[str, list[str]]) -> str:
    rows = "".join(
        f"<tr><td>{_link(o)}</td><td>{_e(o.name)}</td><td>{_e('; '.join(row_flags[o.key]))}</td></tr>"
        for o in outcomes
        if row_flags.get(o.key)
    )
    return (
        f"<h3>Flags raised by the batch</h3><table><tr><th>Id</th><th>Name</th><th>Flags</th></tr>{rows}</table>"
        if rows
        else ""
    )


def _files(outcomes: list[JobOutcome], out_dir: str) -> str:
    """Links to each student's kept files, the PDFs (the lab report) named."""
    from grader.batch.jobs import FILES

    rows = []
    for outcome in outcomes:
        folder = Path(out_dir) / outcome.key / FILES if out_dir else None
        if folder is None or not folder.is_dir():
            continue
        pdfs = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf"))[:5]
        links = " ".join(f'<a href="{_e(outcome.key)}/{FILES}/{_e(pdf)}">{_e(pdf)}</a>' for pdf in pdfs)
        rows.append(
            f"<tr><td>{_link(outcome)}</td><td>{_e(outcome.name)}</td>"
            f'<td><a href="{_e(outcome.key)}/{FILES}/">all files</a></td>'
            f"<td>{links or '<span class=muted>no PDF</span>'}</td></tr>"
        )
    if not rows:
        return '<p class="muted">No files kept.</p>'
    return f"<table><tr><th>Id</th><th>Name</th><th>Files</th><th>Report (PDF)</th></tr>{''.join(rows)}</table>"


def _errors(outcomes: list[JobOutcome]) -> str:
    failed = [o for o in outcomes if o.status != "ok"]
    if not failed:
        return '<p class="muted">Every submission was graded.</p>'
    rows = "".join(
        f"<tr><td>{_link(o)}</td><td>{_e(o.name)}</td><td class=err>{_e(o.status)}</td>"
        f"<td>{_e(o.result.output)}</td></tr>"
        for o in failed
    )
    return f"<table><tr><th>Id</th><th>Name</th><th>Status</th><th>Reason</th></tr>{rows}</table>"


def _slowest(outcomes: list[JobOutcome]) -> str:
    timed = sorted((o for o in outcomes if not o.resumed), key=lambda o: (-o.seconds, o.key))[:TOP]
    if not timed:
        return '<p class="muted">No submission was graded in this run.</p>'
    rows = "".join(
        f"<tr><td>{_link(o)}</td><td>{_e(o.name)}</td><td class=num>{o.seconds:.2f}</td>"
        f"<td class=num>{o.result.execution_time:.2f}</td><td>{_e(o.status)}</td></tr>"
        for o in timed
    )
    return (
        "<table><tr><th>Id</th><th>Name</th><th class=num>Seconds in all</th><th class=num>Grading</th>"
        f"<th>Status</th></tr>{rows}</table>"
    )


def render_summary(
    outcomes, rubric, info: BatchInfo, pairs: Sequence[SimilarPair] = (), groups: Sequence[list[str]] = ()
) -> str:
    """The self-contained summary.html text."""
    outcomes = sort_outcomes(outcomes)
    scores = [o.result.score for o in outcomes if o.status == "ok"]
    skipped = "".join(f"<li>{_e(s)}</li>" for s in info.skipped_entries)
    sections = [
        (
            f"<h1>{_e(rubric.title)}: batch summary</h1><p class=muted>{_e(info.input_dir)}"
            f"{f' (read as a {_e(info.preset)} download)' if info.preset else ''}</p>"
        ),
        (
            '<p class="err"><b>Graded with the rubric\'s PUBLIC hidden-point seed:</b> students can compute the hidden '
            "points. Set LAB1_SECRET_SEED and run again with --resume.</p>"
            if info.seed_source == "public"
            else ""
        ),
        _stats(outcomes, info),
        f"<h2>Scores</h2>{histogram_svg(scores, rubric.total_points)}"
        "<p class=muted>Autograded points of the graded submissions; the report is graded by hand.</p>",
        f"<h2>Pass rate per item</h2>{_item_table(outcomes, rubric)}",
        f"<h2>Most common diagnoses</h2>{_diagnoses(outcomes)}",
        (
            f"<h2>Flagged submissions</h2>{_batch_flags(outcomes, info.row_flags)}"
            f"{_flags(outcomes, list(pairs), list(groups))}"
        ),
        f"<h2>Not graded</h2>{_errors(outcomes)}",
        f"<h2>Slowest submissions</h2>{_slowest(outcomes)}",
        f"<h2>Students' files (the report PDF among them)</h2>{_files(outcomes, info.out_dir)}",
    ]
    if skipped:
        sections.append(f"<h2>Entries of the input folder that are not submissions</h2><ul>{skipped}</ul>")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Batch summary</title><style>{_CSS}</style></head><body>{''.join(sections)}</body></html>\n"
    )


def write_summary(path: str | Path, outcomes, rubric, info: BatchInfo, pairs=(), groups=()) -> Path:
    """Write summary.html atomically."""
    return atomic_write_text(Path(path), render_summary(outcomes, rubric, info, pairs, groups))
