"""Experiment figures: curves that coincide stay visible (no sandbox: results made here)."""

from __future__ import annotations

import io

import numpy as np

from grader.experiments.figures import LINESTYLES, MARKERS, curve_style, draw_experiment
from grader.experiments.plan import Experiment, RunSpec, Variant
from grader.experiments.runner import RunResult

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def _experiment(count: int) -> tuple[Experiment, dict]:
    losses = np.geomspace(0.25, 1e-3, 400)  # every variant has exactly this curve
    variants, results = [], {}
    for i in range(count):
        run = RunSpec(
            dataset="xor", seed=0, hidden=(4, 4), activation="sigmoid", optimizer="sgd", lr=0.1 * (i + 1), epochs=400
        )
        variants.append(Variant(f"lr = {run.lr:g}", run, baseline=i == 0))
        results[run.key] = RunResult(run, "ok", final_loss=1e-3, accuracy=1.0, epochs_to_100=200, losses=losses)
    return Experiment("learning_rate", "xor", tuple(variants)), results


def _pixels_of(png: bytes, hex_color: str) -> int:
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(png))[..., :3]
    rgb = np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int(np.sum(np.all(np.abs(pixels - rgb) < 0.02, axis=2)))


def test_every_variant_has_its_own_colour_dash_and_marker():
    styles = [curve_style(i, COLORS) for i in range(len(LINESTYLES) * len(MARKERS))]
    assert len({(str(s[1]), s[2]) for s in styles}) == len(styles)
    assert len({s[0] for s in styles[: len(COLORS)]}) == len(COLORS)


def test_identical_curves_all_show_in_the_plot():
    """Four variants with the very same loss curve: each colour still reaches the plot area
    (dashes and hollow markers at their own phase let the earlier ones through)."""
    experiment, results = _experiment(4)
    png = draw_experiment(experiment, results)
    alone, _ = _experiment(1)
    legend_only = _pixels_of(draw_experiment(alone, results), COLORS[1])
    assert legend_only == 0
    for color in COLORS[:4]:
        # far more than the legend's sample line: the curve itself is visible
        assert _pixels_of(png, color) > 150, color
