"""One figure per experiment: the variants' learning curves on the same axes.

matplotlib is imported lazily (a background thread can warm it up while the sandboxes
train); figures use the Agg canvas directly, never pyplot nor tight_layout, and every PNG
is written atomically. Curves are downsampled like the report's (grader.report.plotting:
at most 1,000 points, dense at the start where the loss falls fastest), on a log y axis.
A failed variant is named in the legend with its reason, so the figure tells the whole story.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

from grader.atomic import atomic_write_bytes
from grader.report.plotting import downsample_curve, import_matplotlib

DPI = 100
REASON_WIDTH = 46  # characters per legend line
REASON_LINES = 3


def warm_up() -> threading.Thread:
    """Import matplotlib in a background thread (it takes ~0.6 s) while the children train."""

    def run():
        try:
            import_matplotlib()
        except Exception:  # noqa: BLE001 - drawing reports the problem if it persists
            pass

    thread = threading.Thread(target=run, name="matplotlib-warm-up", daemon=True)
    thread.start()
    return thread


def _wrapped(text: str, width: int = REASON_WIDTH, lines: int = REASON_LINES) -> str:
    """A reason as a few short indented lines for the legend, cut with an ellipsis."""
    import textwrap

    parts = textwrap.wrap(" ".join(str(text).split()), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1] + "…"
    return "\n".join("  " + part for part in parts)


LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def curve_style(index: int, colors: list[str]) -> tuple[str, object, str]:
    """(color, linestyle, marker) of the index-th variant: no two of the first 35 are alike."""
    return (colors[index % len(colors)], LINESTYLES[index % len(LINESTYLES)], MARKERS[index % len(MARKERS)])


def _mark_every(points: int, index: int) -> tuple[int, int]:
    """Markers on ~8 points of a curve, starting at an offset of its own so they never stack."""
    step = max(1, points // 8)
    return (min(points - 1, (index * step) // 5) if points else 0, step)


def _log_y(ax) -> None:
    """Log y axis with plain decade labels (mathtext labels are slow to render)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, NullLocator

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=8))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.yaxis.set_minor_locator(NullLocator())  # minor log ticks cost ~60 ms a figure
    ax.yaxis.set_minor_formatter(NullFormatter())


def draw_experiment(experiment, results: dict) -> bytes:
    """PNG bytes of one experiment's figure; results maps run keys to RunResult."""
    import_matplotlib()
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # the same pixels whatever the caller's style
        fig = Figure(figsize=(8.0, 4.8), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.11, 0.11, 0.52, 0.80))  # room for the legend on the right
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        drawn = 0
        for i, variant in enumerate(experiment.variants):
            color, style, marker = curve_style(i, colors)
            result = results.get(variant.run.key)
            if result is None:
                ax.plot([], [], color=color, label=f"{variant.label}: not run")
                continue
            epochs, values = downsample_curve(result.losses)
            if result.ok:
                hit = result.epochs_to_100
                label = f"{variant.label}: 100% at {hit}" if hit else f"{variant.label}: never 100%"
                width = 2.2 if variant.baseline else 1.4  # the student's own config stands out
                # Curves that coincide stay visible: each variant has its own dash pattern and
                # hollow markers at its own phase, drawn above the ones before it.
                ax.plot(
                    epochs,
                    values,
                    linestyle=style,
                    color=color,
                    linewidth=width,
                    label=label,
                    marker=marker,
                    markevery=_mark_every(epochs.size, i),
                    markersize=5,
                    fillstyle="none",
                    zorder=2 + i,
                )
                if hit and 0 < hit <= result.losses.size and result.losses[hit - 1] > 0:
                    ax.plot([hit], [result.losses[hit - 1]], "o", color=color, markersize=5)
                drawn += epochs.size > 0
            else:
                if result.status == "diverged":
                    label = f"{variant.label}: diverged (NaN or ∞)"
                elif result.status == "not_attempted":
                    label = f"{variant.label}: not attempted"
                else:
                    label = f"{variant.label}: FAILED ({result.error})\n{_wrapped(result.reason)}"
                ax.plot([], [], "x", color=color, label=label)
        if drawn:
            _log_y(ax)
        else:
            ax.text(
                0.5,
                0.5,
                "no run finished",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=12,
                color="#b00020",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("MSE loss (train()'s own history)")
        ax.set_title(experiment.title, fontsize=11, y=1.01)  # a fixed y skips a costly auto-placement
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize=7.5,
            frameon=False,
            title="dot: first 100% accuracy",
            title_fontsize=7.5,
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def write_experiment_figure(experiment, results: dict, out_dir: Path) -> Path:
    """Draw an experiment into out_dir/<dataset>_<experiment>.png atomically."""
    path = Path(out_dir) / f"{experiment.name}.png"
    atomic_write_bytes(path, draw_experiment(experiment, results))
    return path
