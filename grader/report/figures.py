"""The report's figures, drawn with matplotlib's Agg canvas from what the parent already verified.

matplotlib is imported lazily, inside the drawing functions: importing this module costs
nothing, so the parent can call `figure_names` or `figure_dataset` without it. The plumbing
(config, Agg figures, log10 axes, downsampling, PNG encoding) is grader/report/plotting.py.
Figures never use pyplot (no global state, no backend switch in the caller's process)
and never `tight_layout` (costly); every PNG is written atomically.

Input: `GradeResult.artifacts` (docs/architecture.md):

    artifacts["train"][dataset] = {"x", "y", "params", "losses", "activation",
                                   "hidden_x", "hidden_y", "reference_losses"}
    artifacts["gradcheck"] = {"sizes", "tolerance", "relative_errors": {param: float}}

Figures (PNG, 100 dpi), by name:

    comparison_<dataset>         the lab's figure: ground truth | prediction (red 0, blue 1)
    learning_curve_<dataset>     student vs reference loss per epoch, log scale, <= 1000 points
    decision_boundary_<dataset>  the model's output over the unit square, 0.5 contour, points
    gradcheck                    relative error per parameter, log scale, tolerance, failures red

A figure whose artifacts are missing (training failed, no gradient check) is skipped,
never an error. Hidden points (a secret seed) are never drawn. Cost, measured: ~40 ms a
figure, most of it text; log axes are drawn as log10 values on a linear axis with
power-of-ten labels (matplotlib's log scale costs ~25 ms more a figure).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

from grader.atomic import atomic_write_bytes
from grader.contract import DATASET_TITLES
from grader.report.plotting import DefaultStyle, downsample_curve, new_figure, png_bytes, set_log10_y, unit_ticks

log = logging.getLogger(__name__)

GRID = 100  # decision boundary grid, GRID x GRID points over the unit square
RED, BLUE = "#d62728", "#1f77b4"  # the lab's "ro" / "bo": label 0 red, label 1 blue


# --- artifacts (no matplotlib) -----------------------------------------------------------


def _train_entry(artifacts: dict, dataset: str) -> dict | None:
    train = (artifacts or {}).get("train") or {}
    entry = train.get(dataset)
    return entry if isinstance(entry, dict) else None


def _datasets(artifacts: dict) -> list[str]:
    train = (artifacts or {}).get("train") or {}
    return [name for name, entry in train.items() if isinstance(entry, dict)]


def _points(entry: dict) -> tuple[np.ndarray, np.ndarray] | None:
    x, y = entry.get("x"), entry.get("y")
    if x is None or y is None:
        return None
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.ndim != 2 or x.shape[1] != 2 or x.shape[0] != y.size or x.shape[0] == 0:
        return None
    return x, y


def _model_output(entry: dict, x: np.ndarray) -> np.ndarray | None:
    """The first output of the student's trained model on x, or None when it can't be evaluated."""
    params = entry.get("params")
    if not params or "W1" not in params:
        return None
    from grader.lab import spec  # lazy: the trusted forward of the contract

    out = spec.forward(params, x, entry.get("activation") or "sigmoid")
    out = np.asarray(out, dtype=np.float64)
    return out.reshape(out.shape[0], -1)[:, 0]


def figure_names(artifacts: dict) -> list[str]:
    """Names of the figures the artifacts are enough for, in drawing order."""
    names = []
    for dataset in _datasets(artifacts):
        entry = _train_entry(artifacts, dataset)
        if entry is None:
            continue
        has_points = _points(entry) is not None
        has_params = bool(entry.get("params"))
        if has_points and has_params:
            names.append(f"comparison_{dataset}")
        if entry.get("losses") is not None and len(np.ravel(entry["losses"])) > 0:
            names.append(f"learning_curve_{dataset}")
        if has_points and has_params:
            names.append(f"decision_boundary_{dataset}")
    grad = (artifacts or {}).get("gradcheck") or {}
    if grad.get("relative_errors"):
        names.append("gradcheck")
    return names


# --- drawing ------------------------------------------------------------------------------


def _config_text(config) -> str:
    """ "hidden 4-4, sigmoid, sgd lr 0.1, 5000 epochs" from a training config dict."""
    if not isinstance(config, dict):
        return ""
    parts = []
    hidden = config.get("hidden")
    if isinstance(hidden, (list, tuple)) and hidden:
        parts.append("hidden " + "-".join(str(h) for h in hidden))
    for key in ("activation", "optimizer"):
        if config.get(key):
            parts.append(str(config[key]))
    if config.get("lr") is not None:
        parts.append(f"lr {config['lr']:g}" if isinstance(config["lr"], (int, float)) else f"lr {config['lr']}")
    if config.get("epochs") is not None:
        parts.append(f"{config['epochs']} epochs")
    return ", ".join(parts)[:120]


def _reference_label(entry: dict) -> str:
    """Name the reference's own settings: its curve is not what the student's config would give."""
    config = _config_text(entry.get("reference_config"))
    return f"reference ({config})" if config else "reference"


def _dataset_title(dataset: str) -> str:
    return DATASET_TITLES.get(dataset, dataset)


def draw_comparison(entry: dict, dataset: str):
    """The lab's figure: ground truth | prediction side by side, red = 0, blue = 1."""
    pts = _points(entry)
    if pts is None:
        return None
    x, y = pts
    out = _model_output(entry, x)
    if out is None:
        return None
    pred = out >= 0.5
    truth = y >= 0.5
    accuracy = float(np.mean(pred == truth))
    fig = new_figure(8, 4)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.1, top=0.83, wspace=0.2)
    fig.suptitle(f"{_dataset_title(dataset)}: accuracy {accuracy:.1%} on {len(y)} points", fontsize=12)
    for i, (title, labels) in enumerate((("Ground truth", truth), ("Predict result", pred)), start=1):
        ax = fig.add_subplot(1, 2, i)
        ax.set_title(title, fontsize=12)
        unit_ticks(ax)
        ax.plot(x[~labels, 0], x[~labels, 1], "o", color=RED, ms=5)
        ax.plot(x[labels, 0], x[labels, 1], "o", color=BLUE, ms=5)
        if i == 2 and np.any(pred != truth):
            wrong = pred != truth
            ax.plot(x[wrong, 0], x[wrong, 1], "o", mfc="none", mec="black", ms=9, mew=1.2)
    return fig


def draw_learning_curve(entry: dict, dataset: str):
    """The student's loss per epoch against the reference's, log scale, at most 1000 points each."""
    losses = entry.get("losses")
    if losses is None:
        return None
    epochs, values = downsample_curve(losses)
    if values.size == 0:
        return None
    from matplotlib.ticker import MaxNLocator

    curves = []  # the reference first, wide and pale, so an identical student curve stays visible on top
    ref = entry.get("reference_losses")
    if ref is not None:
        ref_epochs, ref_values = downsample_curve(ref)
        if ref_values.size:
            curves.append((ref_epochs, np.log10(ref_values), "--", "#999999", 2.5, _reference_label(entry)))
    curves.append((epochs, np.log10(values), "-", BLUE, 1.5, "your network"))
    fig = new_figure(6, 4)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.12, top=0.9)
    ax = fig.add_subplot(1, 1, 1)
    for xs, ys, style, color, width, label in curves:
        ax.plot(xs, ys, style, color=color, lw=width, label=label)
    lo = min(float(c[1].min()) for c in curves)
    hi = max(float(c[1].max()) for c in curves)
    set_log10_y(ax, lo, hi)
    ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE loss (log scale)")
    ax.set_title(f"Learning curve: {_dataset_title(dataset)}", fontsize=12)
    config = _config_text(entry.get("config"))
    if config:  # the student's own settings: never parsed as mathtext
        ax.text(0.01, 0.01, config, transform=ax.transAxes, fontsize=8, color="dimgray", parse_math=False)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper right", fontsize=9)
    return fig


def draw_decision_boundary(entry: dict, dataset: str):
    """The model's output over the unit square (red < 0.5 < blue), the 0.5 contour and the points."""
    pts = _points(entry)
    if pts is None:
        return None
    x, y = pts
    g = np.linspace(0.0, 1.0, GRID)
    gx, gy = np.meshgrid(g, g)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    out = _model_output(entry, grid)
    if out is None:
        return None
    z = np.clip(np.nan_to_num(out, nan=0.5), 0.0, 1.0).reshape(GRID, GRID)
    fig = new_figure(4.6, 4.6)
    fig.subplots_adjust(left=0.12, right=0.96, bottom=0.08, top=0.92)
    ax = fig.add_subplot(1, 1, 1)
    ax.contourf(gx, gy, z, levels=np.linspace(0.0, 1.0, 11), cmap="RdBu", alpha=0.45)
    if z.min() < 0.5 < z.max():
        ax.contour(gx, gy, z, levels=[0.5], colors="black", linewidths=1.2)
    one = y >= 0.5
    ax.plot(x[~one, 0], x[~one, 1], "o", color=RED, mec="black", mew=0.8, ms=6)
    ax.plot(x[one, 0], x[one, 1], "o", color=BLUE, mec="black", mew=0.8, ms=6)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    unit_ticks(ax)
    ax.set_aspect("equal")
    ax.set_title(f"Decision boundary: {_dataset_title(dataset)}", fontsize=12)
    return fig


def draw_gradcheck(grad: dict):
    """Relative error of each parameter's gradient, log scale, tolerance line, failures in red."""
    errors = grad.get("relative_errors") or {}
    if not errors:
        return None
    tolerance = float(grad.get("tolerance") or 1e-5)
    names = [str(k) for k in errors]
    raw = np.array([float(v) if v is not None else math.nan for v in errors.values()])
    failing = ~(raw < tolerance)  # nan and inf fail
    floor = -16.0  # log10 of the smallest error shown; 0 and below sit on the floor
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(np.where(np.isfinite(raw) & (raw > 0), raw, np.nan))
    finite = logs[np.isfinite(logs)]
    top = max(math.log10(tolerance) + 2, float(finite.max()) + 1 if finite.size else 0.0, 0.0)
    shown = np.where(np.isfinite(raw), np.nan_to_num(logs, nan=floor), top)  # inf / nan: full bar
    shown = np.maximum(shown, floor)
    fig = new_figure(6, 3.6)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.14, top=0.88)
    ax = fig.add_subplot(1, 1, 1)
    colors = [RED if bad else "#2ca02c" for bad in failing]
    ax.bar(range(len(names)), shown - floor, bottom=floor, color=colors, width=0.6)
    tol = math.log10(tolerance)
    ax.axhline(tol, color="black", ls="--", lw=1)
    ax.text(-0.55, tol + 0.2, f"tolerance {tolerance:g}", ha="left", va="bottom", fontsize=8)
    ax.set_xlim(-0.6, len(names) - 0.4)
    set_log10_y(ax, floor, top + 0.8)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names)
    ax.set_ylabel("relative error (log scale)")
    sizes = grad.get("sizes")
    size_text = " " + "-".join(str(s) for s in sizes) if sizes else ""
    n_fail = int(failing.sum())
    status = f"{n_fail} failing" if n_fail else "all pass"
    ax.set_title(f"Gradient check{size_text}: {status}", fontsize=12)
    for i in np.flatnonzero(failing).tolist():
        label = "FAIL" if np.isfinite(raw[i]) else "FAIL (inf/nan)"
        ax.text(i, shown[i] + 0.2, label, ha="center", va="bottom", fontsize=7, color=RED)
    for i in np.flatnonzero(raw == 0).tolist():  # exact: no bar to see
        ax.text(i, floor + 0.2, "0", ha="center", va="bottom", fontsize=8)
    return fig


_PER_DATASET = {
    "comparison_": draw_comparison,
    "learning_curve_": draw_learning_curve,
    "decision_boundary_": draw_decision_boundary,
}


def figure_dataset(name: str) -> str | None:
    """The dataset a figure name belongs to ("learning_curve_xor" -> "xor"), None for gradcheck."""
    for prefix in _PER_DATASET:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return None


def _draw(name: str, artifacts: dict):
    """The Figure called `name`, or None when its artifacts are missing."""
    if name == "gradcheck":
        return draw_gradcheck((artifacts or {}).get("gradcheck") or {})
    for prefix, draw in _PER_DATASET.items():
        if name.startswith(prefix):
            dataset = name[len(prefix) :]
            entry = _train_entry(artifacts, dataset)
            return draw(entry, dataset) if entry is not None else None
    raise ValueError(f"unknown figure {name!r}")


def render_figure(name: str, artifacts: dict, out_dir: str | Path) -> Path | None:
    """Draw one figure into out_dir/<name>.png atomically; None when skipped."""
    with DefaultStyle():
        return _render_one(name, artifacts, out_dir)


def _render_one(name: str, artifacts: dict, out_dir: str | Path) -> Path | None:
    fig = _draw(name, artifacts)
    if fig is None:
        return None
    return atomic_write_bytes(Path(out_dir) / f"{name}.png", png_bytes(fig))


def render_figures(artifacts: dict[str, Any], out_dir: str | Path, names: list[str] | None = None) -> dict[str, Path]:
    """Draw every figure the artifacts allow into out_dir; returns {name: PNG path}.

    A figure with missing or unusable artifacts is skipped (logged), never an error.
    `names` restricts drawing to a subset of `figure_names(artifacts)`.
    """
    wanted = figure_names(artifacts) if names is None else list(names)
    paths: dict[str, Path] = {}
    if not wanted:
        return paths  # nothing to draw: don't even import matplotlib
    with DefaultStyle():
        for name in wanted:
            try:
                path = _render_one(name, artifacts, out_dir)
            except Exception as exc:  # noqa: BLE001 - one bad figure must not cost the report
                log.warning("figure %s skipped: %s: %s", name, type(exc).__name__, exc)
                continue
            if path is not None:
                paths[name] = path
    return paths


def warm_up() -> None:
    """Render one tiny figure touching every kind of artist the report uses (~45 ms).

    Loads the font, the PNG encoder and the contour, bar and legend code before the
    real work; measured: a full warm-up (one figure of each kind, ~160 ms) saves no more.
    """
    with DefaultStyle():
        fig = new_figure(2, 2)
        ax = fig.add_subplot(1, 1, 1)
        g = np.linspace(0.0, 1.0, 5)
        ax.contourf(g, g, np.outer(g, g), levels=3, cmap="RdBu")
        ax.contour(g, g, np.outer(g, g), levels=[0.5], colors="black")
        ax.plot([0, 1], [0, 1], "o-", label="warm")
        ax.bar([0], [1], bottom=0.1)
        ax.set_title("warm")
        ax.legend()
        png_bytes(fig)
