"""`grade check` prints the score before the figures are done (finish_check's order of outputs)."""

from __future__ import annotations

from pathlib import Path

from grader.check.command import finish_check
from tests.report.report_sample import make_result


class _Figures:
    """A stand-in for FigureWorker that records what the student had already seen when the
    figures were asked for, and when they were done."""

    def __init__(self, capsys):
        self.capsys = capsys
        self.seen_at_submit = ""
        self.seen_at_result = ""

    def submit(self, artifacts, out_dir) -> None:
        self.seen_at_submit = self.capsys.readouterr().out
        print(self.seen_at_submit, end="")  # keep it for the final check

    def result(self, timeout: float) -> dict[str, Path]:
        self.seen_at_result = self.capsys.readouterr().out
        print(self.seen_at_result, end="")
        return {}

    def close(self) -> None:
        pass


def test_the_score_is_printed_before_the_figures_are_drawn(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("grader.check.reference_curves.reference_curve", lambda *a, **k: None)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = make_result(epochs=50)
    figures = _Figures(capsys)
    code = finish_check(
        result, json_path=None, out_dir=tmp_path / "report", figures=figures, fail_under=None, verbose=False
    )
    assert code == 0
    score = f"{result.score:g} / {result.max_score:g}"
    assert score in figures.seen_at_submit, figures.seen_at_submit  # before any figure was drawn
    out = capsys.readouterr().out
    assert out.index("Report:") > out.index(score)  # the report's path comes last, once it exists
