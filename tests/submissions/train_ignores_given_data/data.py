"""Datasets and the result figure of the lab (provided complete, not graded).

    generate_linear(n, rng)  -> x (n, 2) float in [0, 1), y (n, 1) int
    generate_xor_easy()      -> x (21, 2) float,          y (21, 1) int
    show_result(x, y, pred_y, path)   ground truth | prediction, side by side
"""
import numpy as np


def generate_linear(n=100, rng=None):
    """n random points in the unit square, label 1 on or above the diagonal.

    Inputs:
    - n: number of points
    - rng: np.random.Generator, int seed or None (fresh entropy)
    Returns (x, y): x (n, 2) float64 uniform in [0, 1); y (n, 1) int, 0 if x0 > x1 else 1.
    """
    rng = np.random.default_rng(rng)  # a Generator passes through unchanged
    x = rng.uniform(0.0, 1.0, size=(n, 2))
    y = (x[:, 0] <= x[:, 1]).astype(int).reshape(n, 1)
    return x, y


def generate_xor_easy():
    """The lab's 21 XOR points on the two diagonals of the unit square.

    Label 0 on the diagonal (0.1i, 0.1i), label 1 on the anti-diagonal
    (0.1i, 1 - 0.1i), i = 0..10; the centre (0.5, 0.5) is kept once, as 0.
    Returns (x, y): x (21, 2) float64; y (21, 1) int.
    """
    inputs, labels = [], []
    for i in range(11):
        inputs.append([0.1 * i, 0.1 * i])
        labels.append(0)
        if i == 5:  # the two diagonals cross here: keep one point
            continue
        inputs.append([0.1 * i, 1 - 0.1 * i])
        labels.append(1)
    return np.array(inputs, dtype=float), np.array(labels, dtype=int).reshape(21, 1)


def show_result(x, y, pred_y, path=None):
    """Scatter ground truth and prediction side by side (red = 0, blue = 1).

    Inputs:
    - x: (N, 2) points
    - y: (N, 1) or (N,) true labels 0/1
    - pred_y: (N, 1) or (N,) predicted labels 0/1 (raw outputs are cut at 0.5)
    - path: PNG file to write; None shows the figure on screen instead
    """
    x = np.asarray(x, dtype=float)
    panels = (("Ground truth", y), ("Predict result", pred_y))
    if path is None:
        import matplotlib.pyplot as plt  # lazy: only drawing needs matplotlib

        fig = plt.figure(figsize=(8, 4))
    else:
        # A bare Figure renders through the Agg canvas without pyplot, so
        # saving never needs a display nor changes the process's backend.
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8, 4))
    for i, (title, labels) in enumerate(panels, start=1):
        ax = fig.add_subplot(1, 2, i)
        ax.set_title(title, fontsize=14)
        one = np.asarray(labels, dtype=float).reshape(-1) >= 0.5
        ax.plot(x[~one, 0], x[~one, 1], "ro")
        ax.plot(x[one, 0], x[one, 1], "bo")
    if path is None:
        plt.show()
        plt.close(fig)
    else:
        fig.savefig(path, format="png", dpi=100)
