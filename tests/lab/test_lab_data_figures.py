"""Datasets match the lab; figures are written as non-blank PNGs."""

import numpy as np
import pytest

from reference.data import generate_linear, generate_xor_easy, show_result


def test_xor_easy_is_the_labs_21_points():
    x, y = generate_xor_easy()
    assert x.shape == (21, 2) and y.shape == (21, 1)
    assert x.dtype == np.float64 and np.issubdtype(y.dtype, np.integer)
    expected = {(round(0.1 * i, 9), round(0.1 * i, 9), 0) for i in range(11)}
    expected |= {(round(0.1 * i, 9), round(1 - 0.1 * i, 9), 1) for i in range(11) if i != 5}
    got = {(round(a, 9), round(b, 9), int(c)) for (a, b), c in zip(x, y[:, 0])}
    assert got == expected and len(got) == 21  # no duplicates: the centre appears once
    centre = np.isclose(x, 0.5).all(axis=1)
    assert centre.sum() == 1 and y[centre, 0][0] == 0
    assert (y == 0).sum() == 11 and (y == 1).sum() == 10
    np.testing.assert_allclose(x[y[:, 0] == 0, 0], x[y[:, 0] == 0, 1])  # diagonal
    np.testing.assert_allclose(x[y[:, 0] == 1].sum(axis=1), 1.0)  # anti-diagonal
    np.testing.assert_allclose(x[:3], [[0.0, 0.0], [0.0, 1.0], [0.1, 0.1]])  # the lab's order


def test_linear_shapes_range_and_labels():
    x, y = generate_linear(100, rng=0)
    assert x.shape == (100, 2) and y.shape == (100, 1)
    assert x.dtype == np.float64 and np.issubdtype(y.dtype, np.integer)
    assert x.min() >= 0.0 and x.max() < 1.0
    np.testing.assert_array_equal(y[:, 0], np.where(x[:, 0] > x[:, 1], 0, 1))
    assert 20 < y.sum() < 80  # both classes present


def test_linear_rng_forms():
    a = generate_linear(50, rng=3)
    b = generate_linear(50, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    assert generate_linear(7)[0].shape == (7, 2)  # rng=None: fresh entropy
    assert generate_linear()[0].shape == (100, 2)
    gen = np.random.default_rng(5)  # a Generator is consumed, not reset
    assert not np.array_equal(generate_linear(5, rng=gen)[0], generate_linear(5, rng=gen)[0])


def _assert_non_blank_png(path):
    import matplotlib.image as mpimg

    assert path.exists() and path.stat().st_size > 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = mpimg.imread(str(path))
    assert pixels.ndim == 3 and pixels[..., :3].var() > 1e-4, "blank image"


def test_show_result_writes_png(tmp_path):
    x, y = generate_xor_easy()
    out = tmp_path / "cmp.png"
    show_result(x, y, 1 - y, path=str(out))
    _assert_non_blank_png(out)


def test_main_writes_both_figures(tmp_path, capsys):
    from reference.train import main

    main(["--dataset", "xor", "--epochs", "50", "--out", str(tmp_path)])
    _assert_non_blank_png(tmp_path / "comparison_xor.png")
    _assert_non_blank_png(tmp_path / "learning_curve_xor.png")
    assert "accuracy=" in capsys.readouterr().out


@pytest.mark.parametrize("pkg", ["reference", "student"])
def test_importing_does_not_import_matplotlib(pkg):
    import subprocess
    import sys

    code = (
        f"import sys, {pkg}.train, {pkg}.data; "
        "assert not any(m.startswith('matplotlib') for m in sys.modules), 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
