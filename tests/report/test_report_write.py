"""write_report: every file of the report folder, written atomically, stale figures removed."""

import json

from grader.report import write_report
from grader.report.figure_worker import FigureWorker
from grader.results import read_results


def test_write_report_in_process(result, tmp_path):
    out = tmp_path / "grade-report"
    paths = write_report(result, out)
    for key in ("results.json", "report.html", "junit.xml"):
        assert paths[key] == out / key and paths[key].is_file()
    figs = [k for k in paths if k.startswith("figures/")]
    assert len(figs) == 7 and all(paths[k].is_file() for k in figs)
    assert read_results(out / "results.json").score == result.score
    json.loads((out / "results.json").read_text())
    assert (out / "report.html").read_text().count("data:image/png;base64,") == 7
    assert not list(out.rglob("*.tmp"))


def test_write_report_with_drawn_figures_and_stale_ones_removed(result, drawn, tmp_path):
    out = tmp_path / "r"
    (out / "figures").mkdir(parents=True)
    stale = out / "figures" / "comparison_moons.png"
    stale.write_bytes(b"old")
    mine = out / "figures" / "notes.png"  # not a name the grader draws: kept
    mine.write_bytes(b"user file")
    paths = write_report(result, out, figures={"gradcheck": drawn[1]["gradcheck"]})
    assert not stale.exists() and mine.exists()
    copied = out / "figures" / "gradcheck.png"  # drawn elsewhere: copied into the report folder
    assert paths["figures/gradcheck.png"] == copied
    assert copied.read_bytes() == drawn[1]["gradcheck"].read_bytes()
    assert (out / "report.html").read_text().count("data:image/png;base64,") == 1


def test_write_report_with_a_worker(result, tmp_path):
    with FigureWorker.start() as worker:
        paths = write_report(result, tmp_path, figures=worker)
        assert worker.fallbacks == []
    assert sum(k.startswith("figures/") for k in paths) == 7


def test_write_report_without_artifacts(result, tmp_path):
    result.artifacts = {}
    paths = write_report(result, tmp_path)
    assert set(paths) == {"results.json", "report.html", "junit.xml"}
