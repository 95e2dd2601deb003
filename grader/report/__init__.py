"""Feedback from a GradeResult: terminal table, results.json, report.html, junit.xml, figures, CI summary.

    from grader.report import write_report
    paths = write_report(result, Path("grade-report"))   # figures drawn in-process

or, drawing the figures in a helper process started before grading (see figure_worker):

    worker = FigureWorker.start()
    result = run_check(...)
    paths = write_report(result, out_dir, figures=worker)

Importing this package is cheap: matplotlib is only imported to draw.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from grader.atomic import atomic_write_text
from grader.results import GradeResult, write_results

if TYPE_CHECKING:
    from grader.report.figure_worker import FigureWorker

__all__ = ["FIGURES_DIR", "HTML_NAME", "JUNIT_NAME", "RESULTS_NAME", "write_report"]

log = logging.getLogger(__name__)

RESULTS_NAME = "results.json"
HTML_NAME = "report.html"
JUNIT_NAME = "junit.xml"
FIGURES_DIR = "figures"
_OWN_FIGURE_PATTERNS = ("comparison_*.png", "learning_curve_*.png", "decision_boundary_*.png", "gradcheck.png")


def _remove_stale_figures(fig_dir: Path, keep: set[Path]) -> None:
    """Drop figures of an earlier run that this run did not draw (e.g. training failed this time)."""
    if not fig_dir.is_dir():
        return
    for pattern in _OWN_FIGURE_PATTERNS:
        for path in fig_dir.glob(pattern):
            if path.resolve() not in keep:
                try:
                    path.unlink()
                except OSError:
                    pass


def write_report(
    result: GradeResult,
    out_dir: str | Path,
    *,
    figures: dict[str, Path] | FigureWorker | None = None,
    timeout: float = 60.0,
) -> dict[str, Path]:
    """Write results.json, report.html, junit.xml and figures/*.png into out_dir, each atomically.

    figures: already drawn {name: PNG path}; a started FigureWorker (it draws into
    out_dir/figures); or None to draw in-process. Returns {path relative to out_dir: Path},
    e.g. {"results.json": ..., "report.html": ..., "junit.xml": ..., "figures/gradcheck.png": ...}.
    """
    from grader.report.html import render_html
    from grader.report.junit import render_junit

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig_dir = out_dir / FIGURES_DIR
    if figures is None or not isinstance(figures, dict):
        artifacts = result.artifacts or {}
        if figures is None:
            from grader.report.figures import render_figures

            figures = render_figures(artifacts, fig_dir)
        else:  # a FigureWorker
            figures.submit(artifacts, fig_dir)
            figures = figures.result(timeout)
    figures = _into_folder({name: Path(p) for name, p in figures.items() if Path(p).is_file()}, fig_dir)
    _remove_stale_figures(fig_dir, {p.resolve() for p in figures.values()})

    paths: dict[str, Path] = {}
    paths[RESULTS_NAME] = write_results(result, out_dir / RESULTS_NAME)
    paths[JUNIT_NAME] = atomic_write_text(out_dir / JUNIT_NAME, render_junit(result))
    paths[HTML_NAME] = atomic_write_text(out_dir / HTML_NAME, render_html(result, figures))
    for path in figures.values():
        paths[f"{FIGURES_DIR}/{path.name}"] = path
    return paths


def _into_folder(figures: dict[str, Path], fig_dir: Path) -> dict[str, Path]:
    """Figures drawn elsewhere are copied (atomically) into the report's figures folder."""
    from grader.atomic import atomic_write_bytes

    placed = {}
    for name, path in figures.items():
        target = fig_dir / f"{name}.png"
        if path.resolve() != target.resolve():
            atomic_write_bytes(target, path.read_bytes())
        placed[name] = target
    return placed
