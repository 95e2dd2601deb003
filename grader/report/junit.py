"""JUnit XML: one <testcase> per rubric item, for GitHub Actions, GitLab and Jenkins test reporters.

The document follows the widely used junit-10.xsd (Jenkins xUnit plugin):
testsuites > testsuite(name, tests, failures, errors, skipped, time) > properties,
testcase(classname, name, time) > failure(message, type) | skipped, system-out.
A lost item is a <failure> whose message is the reason and whose text holds the
checks, diagnoses with hints and the student's traceback; a stub is a failure of
type "not_attempted", except for an optional extra, which is <skipped> like a manual
item (the lab report): a full-score submission gives a report with no failure.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from grader.contract import EXTRA_ITEM_PREFIX
from grader.report.text import (
    clean,
    grader_version,
    item_reason,
    item_status,
    one_line,
    points,
    rubric_name,
    tracebacks,
)
from grader.results import GradeResult, ItemResult


def _time(seconds: float) -> str:
    """junit-10.xsd's SUREFIRE_TIME: digits, optional fraction, no sign, no exponent."""
    try:
        seconds = float(seconds)
    except (TypeError, ValueError):
        seconds = 0.0
    if not math.isfinite(seconds) or seconds < 0:
        seconds = 0.0
    return f"{seconds:.3f}"


def _details(item: ItemResult) -> str:
    lines = [f"{item_reason(item)}", f"points: {points(item.score)} / {points(item.max_score)}"]
    if item.checks:
        lines.append("")
        lines.append("checks:")
        for check in item.checks:
            reason = f": {one_line(check.reason)}" if check.reason else ""
            lines.append(f"  [{check.status}] {one_line(check.name)}{reason}")
    diags = [d for c in item.checks for d in c.diagnoses]
    if diags:
        lines.append("")
        lines.append("diagnoses:")
        for d in diags:
            lines.append(f"  - {one_line(d.message)}")
            if d.hint:
                lines.append(f"    hint: {one_line(d.hint)}")
    for name, tb in tracebacks(item):
        lines.append("")
        lines.append(f"traceback ({one_line(name)}):")
        lines.append(tb)
    return "\n".join(lines) + "\n"


def _extra_not_attempted(item: ItemResult) -> bool:
    """An optional extra the student did not write: skipped, not failed."""
    return item.not_attempted and (item.bonus or item.key.startswith(EXTRA_ITEM_PREFIX))


def build_tree(result: GradeResult) -> ET.Element:
    """The <testsuites> element of the result."""
    suite_name = rubric_name(result)
    items = list(result.items)
    extras_skipped = [i for i in items if _extra_not_attempted(i)]
    failures = sum(1 for i in items if (i.status != "passed" or i.not_attempted) and i not in extras_skipped)
    skipped = len(result.manual_items) + len(extras_skipped)
    total_time = sum(c.duration for i in items for c in i.checks)
    time_text = _time(result.execution_time or total_time)
    counts = {"tests": str(len(items) + skipped), "failures": str(failures), "errors": "0"}

    root = ET.Element("testsuites", {"name": suite_name, "time": time_text, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": suite_name, **counts, "skipped": str(skipped), "time": time_text})
    props = ET.SubElement(suite, "properties")
    meta = result.meta or {}
    for name, value in (
        ("score", points(result.score)),
        ("max_score", points(result.max_score)),
        ("rubric", suite_name),
        ("grader_version", grader_version(result)),
        ("rubric_sha256", meta.get("rubric_sha256") or meta.get("rubric_hash")),
        ("submission_sha256", meta.get("submission_sha256") or meta.get("submission_hash")),
        ("flags", "; ".join(one_line(f) for f in result.flags) if result.flags else None),
    ):
        if value is not None and value != "":
            ET.SubElement(props, "property", {"name": name, "value": one_line(value)})

    for item in items:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"{suite_name}.{one_line(item.key)}",
                "name": one_line(item.title) or one_line(item.key),
                "time": _time(sum(c.duration for c in item.checks)),
            },
        )
        if item in extras_skipped:
            ET.SubElement(case, "skipped", {"message": "optional extra, not attempted (it costs no points)"})
            continue
        if item.status == "passed" and not item.not_attempted:
            if item.reason:
                ET.SubElement(
                    case, "system-out"
                ).text = f"{item_reason(item)}\npoints: {points(item.score)} / {points(item.max_score)}\n"
            continue
        status = item_status(item)
        message = f"{points(item.score)}/{points(item.max_score)} points: {item_reason(item)}"
        failure = ET.SubElement(case, "failure", {"message": one_line(message, 1000), "type": status})
        failure.text = _details(item)

    for manual in result.manual_items:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": f"{suite_name}.{one_line(manual.key)}", "name": one_line(manual.title), "time": "0.000"},
        )
        ET.SubElement(case, "skipped", {"message": f"graded by hand ({points(manual.max_score)} points)"})

    out_lines = [f"score: {points(result.score)} / {points(result.max_score)}"]
    if result.output:
        out_lines.append(clean(result.output))
    out_lines.extend(f"flag: {one_line(f)}" for f in result.flags)
    ET.SubElement(suite, "system-out").text = "\n".join(out_lines) + "\n"
    return root


def render_junit(result: GradeResult) -> str:
    """JUnit XML text (UTF-8 declaration included) of a result."""
    root = build_tree(result)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
