"""experiments.md: one Markdown table per experiment, ready to paste into the lab report."""

from __future__ import annotations

from grader.contract import OPTIMIZER_CLASSES

MAX_CELL_CHARS = 90

VARIED = {
    "learning_rate": "the learning rate",
    "hidden_units": "the width of both hidden layers",
    "no_activation": "the activation (identity = no activation)",
    "activations": "the activation function",
    "optimizers": "the optimizer",
}


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped, not too long."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def format_config(config: dict) -> str:
    hidden = tuple(config["hidden"])
    return (
        f"hidden ({hidden[0]}, {hidden[1]}), {config['activation']}, "
        f"{OPTIMIZER_CLASSES.get(config['optimizer'], config['optimizer'])}, lr {config['lr']:g}, "
        f"{config['epochs']} epochs"
    )


def row_cells(row) -> list[str]:
    """variant | final loss | training accuracy | epochs to 100% | seconds."""
    result = row.result
    label = f"**{cell(row.variant)}**" if row.baseline else cell(row.variant)
    if result.status == "not_attempted":
        return [label, "not attempted", "–", "–", "–"]
    if result.status == "diverged":
        return [label, "diverged (NaN or ∞)", "–", "–", "–"]
    if not result.ok:
        return [label, cell(f"failed ({result.error}): {result.reason}"), "–", "–", "–"]
    epochs = str(result.epochs_to_100) if result.epochs_to_100 is not None else "never"
    return [label, f"{result.final_loss:.4g}", f"{100 * result.accuracy:.1f}%", epochs, f"{result.seconds:.2f}"]


def explanations(rows) -> dict[str, list[str]]:
    """Full reasons the table cells cut or leave out, and warnings; variants sharing one are grouped."""
    grouped: dict[str, list[str]] = {}
    for row in rows:
        result = row.result
        reason = " ".join(result.reason.split())
        if result.status == "not_attempted":
            grouped.setdefault(f"not attempted: {reason}", []).append(row.variant)
        elif result.status == "diverged":
            grouped.setdefault(f"diverged: {reason}", []).append(row.variant)
        elif not result.ok and len(cell(f"failed ({result.error}): {reason}")) >= MAX_CELL_CHARS:
            grouped.setdefault(reason, []).append(row.variant)
        if result.warning:
            grouped.setdefault(result.warning, []).append(row.variant)
    return grouped


def render_markdown(report) -> str:
    """The whole experiments.md for an ExperimentsReport."""
    lines = ["# Experiments", ""]
    lines.append(
        f"Submission `{report.submission.name}`, rubric `{report.rubric_name}`, "
        f"seed {report.seed}; made by `grade experiments`."
    )
    lines.append("")
    lines.append(
        "Each run trains a fresh network with your own `train()` in the grader's sandbox, changing one "
        "setting of your `config.HYPERPARAMETERS` at a time. The grader measures the training accuracy "
        "after each of about 50 equal chunks of epochs, so *epochs to 100%* is the first chunk boundary "
        "where every training point is classified correctly (*never*: not within the run). The final "
        "loss is the MSE of the final parameters on the training set; the curves show the losses your "
        "`train()` returned."
    )
    lines.append("")
    if report.skipped:
        lines.append("Skipped (not implemented):")
        lines.append("")
        lines.extend(f"- {item['name']} ({item['kind']}): {item['reason']}" for item in report.skipped)
        lines.append("")
    if report.notes:
        lines.append("Notes:")
        lines.append("")
        lines.extend(f"- {note}" for note in report.notes)
        lines.append("")
    for experiment in report.experiments:
        rows = [row for row in report.rows if row.experiment == experiment.name]
        lines.append(f"## {experiment.title}")
        lines.append("")
        base = report.base[experiment.dataset]
        lines.append(
            f"Your config: {format_config(base)}. Varied: {VARIED.get(experiment.key, experiment.key)}"
            + (" (same lr for every optimizer)." if experiment.key == "optimizers" else ".")
        )
        lines.append("")
        lines.append("| variant | final loss | training accuracy | epochs to 100% | seconds |")
        lines.append("|---|---:|---:|---:|---:|")
        lines.extend("| " + " | ".join(row_cells(row)) + " |" for row in rows)
        lines.append("")
        details = explanations(rows)
        if details:
            lines.extend(f"- {', '.join(variants)}: {text}" for text, variants in details.items())
            lines.append("")
        figure = report.figures.get(experiment.name)
        if figure is not None:
            lines.append(f"![{experiment.title}]({figure.name})")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
