"""Markdown job summary, appended to GITHUB_STEP_SUMMARY only when the variable is set."""

from grader.report.ci_summary import append_github_summary, md_escape, render_markdown


def test_markdown_has_score_table_and_diagnoses(result):
    md = render_markdown(result)
    assert "20 / 60" in md
    assert "| Item | Points | Reason |" in md
    for item in result.items:
        assert item.title in md
    assert "not attempted" in md
    assert "Top diagnoses" in md and "hint:" in md


def test_student_text_cannot_break_the_table_or_inject_markup(result):
    result.items[1].reason = "a | b [link](http://x) <img src=x> `code` **bold**\nnext"
    md = render_markdown(result)
    row = next(line for line in md.splitlines() if "Backward pass" in line)
    assert row.count("|") == 5  # the student's | is escaped
    assert "<img" not in md and "<script" not in md and "[link]" not in md
    assert md_escape("x\ny") == "x y"


def test_appended_only_when_variable_set(result, tmp_path):
    assert append_github_summary(result, env={}) is False
    assert append_github_summary(result, env={"GITHUB_STEP_SUMMARY": ""}) is False
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n")
    env = {"GITHUB_STEP_SUMMARY": str(target)}
    assert append_github_summary(result, env=env) is True
    assert append_github_summary(result, env=env) is True
    text = target.read_text()
    assert text.startswith("earlier step\n")  # appended, never overwritten
    assert text.count("20 / 60 points") == 2


def test_unwritable_summary_is_not_an_error(result, tmp_path):
    assert append_github_summary(result, env={"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "dir" / "f")}) is False


def test_empty_result_renders():
    from grader.results import GradeResult

    assert "0 / 0 points" in render_markdown(GradeResult(score=0, max_score=0, items=[]))
