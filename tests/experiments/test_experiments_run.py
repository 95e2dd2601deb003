"""run_experiments end to end on the reference and on a broken copy of it (sandboxed, short runs)."""

from __future__ import annotations

import json
import re

import pytest

from tests.experiments.experiments_support import MAX_EPOCHS, REFERENCE

NUMBER = r"[0-9.e+-]+"


def png_pixels(path):
    from matplotlib.image import imread

    return imread(path)


def markdown_sections(text: str) -> dict[str, list[list[str]]]:
    """Table rows (cells) under each '## title'."""
    sections, current = {}, None
    for line in text.splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif current is not None and line.startswith("| ") and not line.startswith("| variant"):
            current.append([c.strip() for c in line.strip().strip("|").split(" | ")])
    return sections


def test_reference_writes_one_nonblank_figure_per_experiment(reference_run):
    names = [e.name for e in reference_run.experiments]
    assert names == ["xor_learning_rate", "xor_hidden_units", "xor_no_activation", "xor_activations", "xor_optimizers"]
    assert sorted(reference_run.figures) == sorted(names)
    for name, path in reference_run.figures.items():
        assert path == reference_run.out_dir / f"{name}.png" and path.stat().st_size > 10_000
        pixels = png_pixels(path)[..., :3]
        assert pixels.shape[0] > 300 and pixels.shape[1] > 500
        assert float(pixels.std()) > 0.05, f"{name}.png looks blank"
        assert (pixels.min(axis=2) < 0.5).mean() > 0.01  # ink: curves, axes, text
    assert not list(reference_run.out_dir.glob(".*.tmp"))  # atomic writes leave no temporary file


def test_reference_markdown_has_one_row_per_variant_with_numbers(reference_run):
    text = reference_run.paths["markdown"].read_text()
    sections = markdown_sections(text)
    assert len(sections) == len(reference_run.experiments)
    for experiment in reference_run.experiments:
        rows = sections[experiment.title]
        assert [r[0].strip("*") for r in rows] == [v.label for v in experiment.variants]
        for cells in rows:
            assert len(cells) == 5
            assert re.fullmatch(NUMBER, cells[1]), cells
            assert re.fullmatch(r"[0-9.]+%", cells[2]), cells
            assert re.fullmatch(r"\d+|never", cells[3]), cells
            assert re.fullmatch(r"[0-9.]+", cells[4]), cells
        assert f"![{experiment.title}]({experiment.name}.png)" in text
    # The student's own config is in bold and reaches 100% (the reference is tuned for it).
    own = [row for row in reference_run.rows if row.baseline]
    assert own and all(row.accuracy == 1.0 and row.epochs_to_100 <= MAX_EPOCHS for row in own)
    assert "**lr = 0.05 (your config)**" in text
    # Lab facts the experiments must show: no activation cannot learn XOR, lr 0.1 learns it.
    by_label = {(row.key, row.variant): row for row in reference_run.rows}
    on_xor = by_label["no_activation", "none (identity), SGD lr 0.05, XOR (easy) set"]
    on_linear = by_label["no_activation", "none (identity), SGD lr 0.05, linear set"]
    for row in (on_xor, on_linear):  # converged at its learning rate: no NaN, the loss fell
        assert row.status == "ok" and row.result.losses[-1] < row.result.losses[0], row
    assert on_xor.accuracy < 0.6 and on_xor.epochs_to_100 is None  # a linear map cannot separate XOR
    assert on_linear.accuracy >= 0.95  # ... but separates the linear set
    assert "never" in text


def test_reference_json_holds_the_raw_numbers(reference_run):
    data = json.loads(reference_run.paths["json"].read_text())
    assert data["schema_version"] == 1 and data["datasets"] == ["xor"] and data["seed"] == 0
    assert data["base_config"]["xor"]["epochs"] == MAX_EPOCHS
    assert [e["name"] for e in data["experiments"]] == [e.name for e in reference_run.experiments]
    rows = iter(reference_run.rows)
    for experiment in data["experiments"]:
        assert experiment["figure"] == experiment["name"] + ".png"
        for variant in experiment["variants"]:
            row = next(rows)
            assert variant["label"] == row.variant and variant["status"] == "ok"
            assert variant["final_loss"] == pytest.approx(row.final_loss)
            assert len(variant["chunk_epochs"]) == len(variant["chunk_accuracy"]) == 50
            assert variant["chunk_epochs"][-1] == variant["config"]["epochs"] == MAX_EPOCHS
            assert variant["losses_count"] == MAX_EPOCHS
            assert 0 < len(variant["losses"]["values"]) <= 1000
            if variant["epochs_to_100"] is not None:
                first = variant["chunk_accuracy"].index(1.0)
                assert variant["epochs_to_100"] == variant["chunk_epochs"][first]
    # Variants shared by experiments (the student's own config) are trained once.
    assert data["runs"] < sum(len(e["variants"]) for e in data["experiments"])


def test_failing_runs_are_reported_and_the_rest_still_run(broken_run):
    rows = {(row.key, row.variant): row for row in broken_run.rows}
    lr1 = rows["learning_rate", "lr = 1"]
    assert lr1.status == "failed" and lr1.result.error == "error"
    assert "learning rate too large for this test" in lr1.reason
    relu = rows["activations", "relu"]
    assert relu.status == "failed" and relu.result.error == "crash"
    assert "exited with status 3" in relu.reason
    ok = [row for row in broken_run.rows if row.result.ok]
    assert len(ok) == len(broken_run.rows) - 2  # everything else finished, after the crash too
    text = broken_run.paths["markdown"].read_text()
    assert "failed (error): training on the xor set" in text and "failed (crash)" in text
    data = json.loads(broken_run.paths["json"].read_text())
    failed = [v for e in data["experiments"] for v in e["variants"] if v["status"] != "ok"]
    assert sorted(v["label"] for v in failed) == ["lr = 1", "relu"]
    assert all(v["reason"] and v["final_loss"] is None for v in failed)
    assert "ValueError" in next(v for v in failed if v["label"] == "lr = 1")["traceback"]
    assert sorted(broken_run.figures) == sorted(e.name for e in broken_run.experiments)


def test_unimplemented_extra_is_skipped_with_a_note(broken_run):
    assert [s["name"] for s in broken_run.skipped] == ["tanh"]
    assert "NotImplementedError" in broken_run.skipped[0]["reason"]
    activations = next(e for e in broken_run.experiments if e.key == "activations")
    assert [v.label for v in activations.variants] == ["sigmoid (your config)", "relu", "leaky_relu"]
    text = broken_run.paths["markdown"].read_text()
    assert "Skipped (not implemented):" in text and "- tanh (activation):" in text
    assert all(row.status != "not_attempted" for row in broken_run.rows)


def _numbers(report) -> list:
    return [
        (
            row.experiment,
            row.variant,
            row.status,
            row.final_loss,
            row.accuracy,
            row.epochs_to_100,
            row.result.chunk_accuracy,
            row.result.losses.tolist(),
        )
        for row in report.rows
    ]


def test_same_numbers_and_figures_with_one_or_two_jobs(reference_run, tmp_path):
    from grader.experiments import run_experiments

    single = run_experiments(REFERENCE, tmp_path, datasets=("xor",), jobs=1, progress=False, max_epochs=MAX_EPOCHS)
    assert _numbers(single) == _numbers(reference_run)
    for name, path in single.figures.items():
        assert path.read_bytes() == reference_run.figures[name].read_bytes()
    one, two = (json.loads(r.paths["json"].read_text()) for r in (single, reference_run))
    for data in (one, two):
        for key in ("jobs", "execution_time"):
            data.pop(key)
        for experiment in data["experiments"]:
            for variant in experiment["variants"]:
                variant.pop("seconds")
    assert one == two


def test_usage_errors(tmp_path):
    from grader.experiments import UsageError, run_experiments

    with pytest.raises(UsageError, match="does not exist"):
        run_experiments(tmp_path / "nope", tmp_path / "out")
    with pytest.raises(UsageError, match="unknown data set"):
        run_experiments(REFERENCE, tmp_path / "out", datasets=("spiral",))
    with pytest.raises(UsageError, match="jobs"):
        run_experiments(REFERENCE, tmp_path / "out", jobs=0)
    assert not (tmp_path / "out").exists()
