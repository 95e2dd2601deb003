"""matplotlib plumbing for the figures, imported only to draw: config, Agg figures, log10 axes, downsampling, PNG."""

from __future__ import annotations

import io
import math
import os
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:  # matplotlib is imported only to draw
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
MAX_CURVE_POINTS = 1000
# Unhinted text renders ~12% faster (text is most of the drawing) and looks the same at 100 dpi.
RC = {"text.hinting": "none"}
PNG_COMPRESS_LEVEL = 1  # zlib level: 1 encodes in ~6 ms a figure, 6 in ~10 ms for files ~20% smaller


# --- configuration -------------------------------------------------------------------


def mpl_config_dir() -> Path:
    """A lasting, writable MPLCONFIGDIR so matplotlib keeps its font cache between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates = [Path(base) / "lab1-grader" / "matplotlib"]
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    candidates.append(Path(tempfile.gettempdir()) / f"lab1-grader-matplotlib-{uid}")
    for path in candidates:
        try:
            path.mkdir(parents=True, exist_ok=True)
            if os.access(path, os.W_OK | os.X_OK):
                return path
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix="lab1-grader-matplotlib-"))


def _ensure_mpl_config() -> None:
    """Point matplotlib at the lasting config folder, if it is not imported nor configured yet."""
    import sys

    if "matplotlib" not in sys.modules and "MPLCONFIGDIR" not in os.environ:
        os.environ["MPLCONFIGDIR"] = str(mpl_config_dir())


def import_matplotlib() -> ModuleType:
    """Import what drawing needs (no pyplot); returns the matplotlib module."""
    _ensure_mpl_config()
    import matplotlib
    import matplotlib.figure
    from matplotlib.backends import backend_agg  # noqa: F401

    return matplotlib


# --- curves (no matplotlib) ---------------------------------------------------------------


def downsample_indices(n: int, max_points: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Sorted unique indices into a curve of n points, at most max_points of them.

    Half geometrically spaced (dense at the start, where a loss falls fastest), half
    evenly spaced (so the tail keeps its shape on a linear epoch axis); the first
    and last points are always kept.
    """
    n = int(n)
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)

    def union(k: int) -> np.ndarray:
        geo = np.geomspace(1, n, max(k // 2, 2)) - 1
        lin = np.linspace(0, n - 1, max(k - k // 2, 2))
        return np.unique(np.concatenate([geo, lin, [0, n - 1]]).round().astype(np.int64))

    # The two spacings overlap (heavily when n is close to max_points): search the number
    # of points to ask for so the union is as large as allowed, never larger.
    lo, hi = 2, 4 * max_points
    best = union(lo)
    while lo < hi:  # largest k whose union fits; union size grows with k
        mid = (lo + hi + 1) // 2
        candidate = union(mid)
        if candidate.size <= max_points:
            lo, best = mid, candidate
        else:
            hi = mid - 1
    return best


def downsample_curve(losses: ArrayLike, max_points: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, losses) at most max_points long, epochs counted from 1; drops values log can't show."""
    values = np.asarray(losses, dtype=np.float64).ravel()
    idx = downsample_indices(values.size, max_points)
    epochs, values = idx + 1, values[idx]
    keep = np.isfinite(values) & (values > 0)
    return epochs[keep], values[keep]


# --- figures, axes, PNG -------------------------------------------------------------------


def new_figure(width: float, height: float) -> Figure:
    """A width x height inch Figure at DPI on its own Agg canvas: no pyplot, no global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def log_ticks(lo: float, hi: float, max_ticks: int = 7) -> tuple[list[float], list[str]]:
    """Tick positions (log10 values) and labels ("0.01", "1e-05") for a log10 axis from lo to hi.

    The figures draw log10 of the data on a linear axis with these ticks instead of
    matplotlib's log scale: the same picture, ~25 ms a figure cheaper.
    """
    first, last = math.floor(lo), math.ceil(hi)
    step = max(1, math.ceil((last - first + 1) / max_ticks))
    step = next(s for s in (1, 2, 4, 5, 10, 20, 50, 100, step) if s >= step)  # round steps: 1e-16, 1e-12, ...
    ticks = [float(k) for k in range(first, last + 1) if k % step == 0]
    if len([t for t in ticks if lo <= t <= hi]) < 2:  # less than a decade: add 2x and 5x
        ticks = sorted(ticks + [k + math.log10(m) for k in range(first, last + 1) for m in (2, 5)])
    ticks = [t for t in ticks if lo <= t <= hi] or [round(lo)]
    return ticks, [f"{10.0**t:.3g}" for t in ticks]


def set_log10_y(ax: Axes, lo: float, hi: float, max_ticks: int = 6) -> None:
    """Limits and ticks of a y axis holding log10 values."""
    pad = max((hi - lo) * 0.05, 0.05)
    lo, hi = lo - pad, hi + pad
    ax.set_ylim(lo, hi)
    ticks, labels = log_ticks(lo, hi, max_ticks)
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels)


def unit_ticks(ax: Axes) -> None:
    """Three ticks on each axis of a unit-square plot: ticks cost ~2 ms each."""
    ax.set_xticks([0.0, 0.5, 1.0])
    ax.set_yticks([0.0, 0.5, 1.0])


def png_bytes(fig: Figure) -> bytes:
    """The figure as an opaque RGB PNG at the figure's dpi.

    Renders the Agg canvas and encodes it with Pillow directly: savefig's machinery
    adds nothing for these figures, and RGB (no alpha) encodes faster and smaller.
    """
    from PIL import Image  # a dependency of matplotlib

    canvas: Any = fig.canvas  # Agg (new_figure), whose methods matplotlib leaves untyped
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=PNG_COMPRESS_LEVEL, dpi=(fig.dpi, fig.dpi))
    return buf.getvalue()


class DefaultStyle:
    """rcParams reset to matplotlib's defaults inside, restored after: the same pixels
    whatever the caller's matplotlibrc, style or earlier rcParams changes."""

    def __enter__(self) -> DefaultStyle:
        mpl = import_matplotlib()
        self._ctx: AbstractContextManager[None] = mpl.rc_context()
        self._ctx.__enter__()
        mpl.rcdefaults()
        mpl.rcParams.update(RC)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        return self._ctx.__exit__(exc_type, exc, tb)
