"""Figures: written, non-blank, downsampled, skipped when their artifacts are missing."""

import numpy as np
import pytest

from grader.report import figures, plotting
from tests.report.report_sample import make_artifacts

EXPECTED = {
    "comparison_linear",
    "learning_curve_linear",
    "decision_boundary_linear",
    "comparison_xor",
    "learning_curve_xor",
    "decision_boundary_xor",
    "gradcheck",
}


def _pixels(path):
    from matplotlib.image import imread

    return imread(str(path))


def _assert_log_axis(ax):
    """A log10 axis: tick labels are the powers of ten at the tick positions."""
    ticks = ax.get_yticks()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) >= 2
    for tick, label in zip(ticks, labels):
        assert float(label) == pytest.approx(10.0**tick, rel=1e-2)


@pytest.mark.parametrize("lo, hi", [(-3.2, -0.5), (-16, 1), (-1.3, -1.1), (0.2, 0.3)])
def test_log_ticks(lo, hi):
    ticks, labels = plotting.log_ticks(lo, hi)
    assert (1 <= len(ticks) <= 9 and all(lo <= t <= hi for t in ticks)) or len(ticks) == 1
    assert [float(v) for v in labels] == pytest.approx([10.0**t for t in ticks], rel=1e-2)


def test_every_figure_written_and_not_blank(drawn):
    _, paths = drawn
    assert set(paths) == EXPECTED
    for name, path in paths.items():
        assert path.is_file() and path.suffix == ".png" and path.stat().st_size > 5000, name
        img = _pixels(path)
        assert img.ndim == 3 and img.shape[0] >= 300 and img.shape[1] >= 400, name
        assert float(img[..., :3].var()) > 1e-3, name  # not a blank canvas
        assert not list(path.parent.glob(".*.tmp"))  # atomic writes leave no temp file


def test_comparison_colours_like_the_lab(drawn):
    _, paths = drawn
    img = _pixels(paths["comparison_xor"])[..., :3]
    red = (img[..., 0] > 0.7) & (img[..., 1] < 0.3) & (img[..., 2] < 0.3)
    blue = (img[..., 2] > 0.6) & (img[..., 0] < 0.3)
    assert red.sum() > 50 and blue.sum() > 50


@pytest.mark.parametrize("n", [0, 1, 5, 999, 1000, 1001, 5000, 100_000, 1_000_003])
def test_downsample_indices(n):
    idx = plotting.downsample_indices(n)
    assert idx.size <= plotting.MAX_CURVE_POINTS
    assert np.all(np.diff(idx) > 0)
    if n:
        assert idx[0] == 0 and idx[-1] == n - 1
        assert idx.size == n if n <= plotting.MAX_CURVE_POINTS else idx.size >= 0.95 * plotting.MAX_CURVE_POINTS
    if n > 10_000:  # dense at the start, where the loss falls fastest
        assert np.sum(idx < n // 100) > 100


def test_learning_curve_plots_at_most_1000_points():
    artifacts = make_artifacts(epochs=100_000)
    entry = artifacts["train"]["linear"]
    fig = figures.draw_learning_curve(entry, "linear")
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2  # reference, then the student on top
    for line in lines:
        assert 500 <= len(line.get_xdata()) <= 1000
    _assert_log_axis(fig.axes[0])
    assert np.allclose(10 ** lines[1].get_ydata()[:3], entry["losses"][:3])  # log10 of the loss
    assert lines[1].get_label() == "your network" and lines[1].get_xdata()[-1] == 100_000  # last epoch kept


def test_learning_curve_drops_values_log_cannot_show():
    epochs, values = plotting.downsample_curve([0.5, 0.0, -1.0, float("nan"), 0.1])
    assert list(epochs) == [1, 5] and list(values) == [0.5, 0.1]


def test_missing_artifacts_skip_figures_without_error(tmp_path):
    assert figures.render_figures({}, tmp_path) == {}
    artifacts = make_artifacts(epochs=50)
    artifacts["train"]["xor"] = {"x": None, "y": None, "params": None, "losses": None, "activation": "sigmoid"}
    del artifacts["gradcheck"]
    artifacts["train"]["linear"]["reference_losses"] = None
    paths = figures.render_figures(artifacts, tmp_path)
    assert set(paths) == {"comparison_linear", "learning_curve_linear", "decision_boundary_linear"}


def test_unusable_artifacts_are_skipped_not_raised(tmp_path, caplog):
    artifacts = make_artifacts(epochs=50)
    artifacts["train"]["linear"]["activation"] = "softmax"  # spec.forward refuses it
    artifacts["train"]["xor"]["params"] = {"W1": np.ones((3, 3)), "b1": np.ones(3)}  # wrong shapes
    paths = figures.render_figures(artifacts, tmp_path)
    assert "comparison_linear" not in paths and "decision_boundary_xor" not in paths
    assert "learning_curve_linear" in paths and "gradcheck" in paths
    assert "skipped" in caplog.text


def test_gradcheck_marks_failures():
    grad = make_artifacts(epochs=10)["gradcheck"]
    fig = figures.draw_gradcheck(grad)
    ax = fig.axes[0]
    colors = [tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in ax.patches]
    from matplotlib.colors import to_rgb

    red = tuple(round(c, 3) for c in to_rgb(figures.RED))
    failing = [k for k, v in grad["relative_errors"].items() if not v < grad["tolerance"]]
    assert sum(c == red for c in colors) == len(failing) == 2
    _assert_log_axis(ax)
    assert any(abs(line.get_ydata()[0] - np.log10(grad["tolerance"])) < 1e-12 for line in ax.get_lines())


def test_student_config_text_is_not_mathtext(tmp_path):
    artifacts = make_artifacts(epochs=50)
    artifacts["train"]["linear"]["config"]["optimizer"] = r"$\frac{unclosed"
    assert "learning_curve_linear" in figures.render_figures(artifacts, tmp_path, ["learning_curve_linear"])


def test_mpl_config_dir_is_lasting_and_writable():
    path = plotting.mpl_config_dir()
    assert path.is_dir()
    assert path == plotting.mpl_config_dir()


def test_reference_curve_legend_names_the_reference_configuration():
    entry = make_artifacts(epochs=50)["train"]["linear"]
    entry["reference_config"] = {
        "hidden": [8, 8],
        "activation": "sigmoid",
        "optimizer": "adam",
        "lr": 0.05,
        "epochs": 600,
    }
    fig = figures.draw_learning_curve(entry, "linear")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["reference (hidden 8-8, sigmoid, adam, lr 0.05, 600 epochs)", "your network"]
