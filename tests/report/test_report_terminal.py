"""The terminal table: items, points, reasons, total, flags, diagnoses, verbose details."""

from grader.report.terminal import render_table
from tests.report.report_sample import EVIL


def test_table_lists_every_item_with_points_and_reason(result):
    text = render_table(result, width=100)
    for item in result.items:
        assert item.title in text
    assert "10/10" in text and "10/25" in text and "0/15" in text
    assert "Total" in text and "20/60" in text
    assert "not attempted" in text
    assert "gradient of b1 uses only the first sample" in text  # top diagnosis
    assert "hint: sum delta over the batch axis" in text
    assert "Flags:" in text
    assert "Lab report" in text  # manual item mentioned


def test_lines_fit_the_width(result):
    for width in (60, 80, 100, 140):
        text = render_table(result, width=width)
        assert max(len(line) for line in text.splitlines()) <= width


def test_long_reasons_wrap_in_their_column_then_are_cut():
    from grader.report.terminal import REASON_LINES, _reason_lines

    reason = "gradient of b1 is wrong: relative error 0.5 (tolerance 1e-5); " + "sum delta over the batch " * 3
    lines = _reason_lines(reason, 40)
    assert 1 < len(lines) <= REASON_LINES and all(len(line) <= 40 for line in lines)
    assert " ".join(lines) == reason.strip()  # nothing lost when it fits
    cut = _reason_lines("word " * 200, 40)
    assert len(cut) == REASON_LINES and cut[-1].endswith("…")


def test_a_wrapped_reason_stays_under_its_item(result):
    text = render_table(result, width=80)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "gradient of b1 is wrong" in line)
    column = lines[first].index("gradient of b1 is wrong")
    assert lines[first + 1][:column].strip() == "" and lines[first + 1][column:].strip()  # continuation line


def test_verbose_shows_checks_and_the_students_traceback(result):
    short = render_table(result, width=100)
    assert "Traceback (most recent call last)" not in short
    assert "--verbose" in short
    text = render_table(result, verbose=True, width=100)
    assert "test_gradient[2-4-4-1]" in text
    assert "Traceback (most recent call last)" in text
    assert 'File "network.py", line 42' in text


def test_no_colour_codes_by_default_and_student_escapes_removed(result):
    result.items[1].reason = "bad \x1b[31mred\x1b[0m \x07bell\x00"
    text = render_table(result, width=100)
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
    assert "bad red bell" in text
    coloured = render_table(result, width=100, color=True)
    assert "\x1b[" in coloured  # click styles when asked


def test_student_text_is_shown_verbatim_not_interpreted(result):
    assert EVIL in render_table(result, width=200)  # plain text: nothing to escape, nothing lost


def test_empty_result_renders():
    from grader.results import GradeResult

    text = render_table(GradeResult(score=0, max_score=0, items=[], flags=["submission did not import"]))
    assert "0/0" in text and "submission did not import" in text


def test_a_stubs_traceback_is_not_called_a_crash(result):
    result.items[2].checks[0].status = "not_attempted"  # the only check with a traceback
    result.items[2].not_attempted = True
    text = render_table(result, verbose=True, width=100)
    assert "Traceback" not in text and "crashed in some checks" not in text


def test_a_cut_reason_says_how_to_see_it_whole(result):
    import dataclasses

    long_item = dataclasses.replace(result.items[1], reason="gradient of W2 is off " * 40)
    cut = dataclasses.replace(result, items=[long_item, *result.items[2:]])
    text = render_table(cut, width=80)
    assert "…" in text and "run with --verbose, or open the report's report.html" in " ".join(text.split())
    assert "--verbose, or open" not in render_table(cut, width=80, verbose=True)
    assert "cut to fit" not in render_table(dataclasses.replace(result, items=result.items[:1]), width=100)
