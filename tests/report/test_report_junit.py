"""junit.xml: valid against junit-10.xsd, one testcase per rubric item, failures carry reasons."""

from pathlib import Path

import pytest

from grader.report.junit import render_junit
from tests.report.report_sample import EVIL

etree = pytest.importorskip("lxml.etree")
XSD = Path(__file__).with_name("junit-10.xsd")


def _parse_valid(text: str):
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.fromstring(text.encode("utf-8"))
    assert schema.validate(doc), schema.error_log
    return doc


def test_valid_against_the_schema(result):
    _parse_valid(render_junit(result))


def test_schema_is_real_it_rejects_bad_documents():
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    bad = etree.fromstring(b'<testsuites><testsuite name="x" tests="1"><testcase/></testsuite></testsuites>')
    assert not schema.validate(bad)  # no failures/errors attributes, testcase without name


def test_one_testcase_per_item_failures_for_lost_items(result):
    doc = _parse_valid(render_junit(result))
    cases = doc.findall(".//testcase")
    assert len(cases) == len(result.items) + len(result.manual_items)
    by_class = {c.get("classname"): c for c in cases}
    for item in result.items:
        case = by_class[f"lab1.{item.key}"]
        assert case.get("name") == item.title
        float(case.get("time"))
        failure = case.find("failure")
        if item.status == "passed":
            assert failure is None
        else:
            assert failure is not None
    backward = by_class["lab1.backward"].find("failure")
    assert "gradient of b1 is wrong" in backward.get("message")
    assert "hint: sum delta over the batch axis" in backward.text
    crash = by_class["lab1.train_xor"].find("failure")
    assert crash.get("type") == "error"
    assert "Traceback (most recent call last)" in crash.text and EVIL in crash.text  # escaped, round-trips
    todo = by_class["lab1.optimizers"].find("failure")
    assert todo.get("type") == "not_attempted"
    assert by_class["lab1.report"].find("skipped") is not None
    suite = doc.find("testsuite")
    assert suite.get("failures") == "3" and suite.get("tests") == "5" and suite.get("skipped") == "1"


def test_properties(result):
    doc = _parse_valid(render_junit(result))
    props = {p.get("name"): p.get("value") for p in doc.findall(".//properties/property")}
    assert props["score"] == "20" and props["max_score"] == "60"
    assert props["rubric"] == "lab1" and props["grader_version"] == "0.1.0"


def test_control_characters_and_odd_times_stay_valid(result):
    result.items[1].reason = "nul\x00 esc\x1b[1m bell\x07 surrogate\ud800 ok"
    result.items[2].checks[0].traceback = "line\x0c\x1b]0;title\x07\n" + "\x08" * 3
    result.items[2].checks[0].duration = float("nan")
    result.execution_time = 1e-9
    doc = _parse_valid(render_junit(result))
    assert "nul esc bell" in doc.find(".//testcase[@classname='lab1.backward']/failure").get("message")


def test_result_without_items_is_valid():
    from grader.results import GradeResult

    _parse_valid(render_junit(GradeResult(score=0, max_score=0, items=[])))


def test_extras_not_attempted_are_skipped_so_a_full_score_is_green(result):
    import dataclasses

    from grader.results import CheckOutcome, ItemResult

    stub = CheckOutcome("test_extra_activations", "extra_activations", "not_attempted", 0.0, reason="TODO: tanh")
    extra = ItemResult(
        key="extra_activations",
        title="Extra: tanh, ReLU, leaky ReLU",
        score=0.0,
        max_score=0.0,
        status="failed",
        reason="not attempted",
        not_attempted=True,
        checks=[stub],
    )
    full = dataclasses.replace(result, items=[i for i in result.items if i.status == "passed"] + [extra])
    doc = _parse_valid(render_junit(full))
    case = {c.get("classname"): c for c in doc.findall(".//testcase")}["lab1.extra_activations"]
    assert case.find("failure") is None and "optional extra" in case.find("skipped").get("message")
    suite = doc.find("testsuite")
    assert suite.get("failures") == "0" and suite.get("skipped") == str(1 + len(full.manual_items))
    attempted = dataclasses.replace(
        extra, not_attempted=False, reason="tanh is wrong", checks=[dataclasses.replace(stub, status="failed")]
    )
    doc = _parse_valid(render_junit(dataclasses.replace(full, items=full.items[:-1] + [attempted])))
    assert doc.find("testsuite").get("failures") == "1"  # a wrong extra still says so
