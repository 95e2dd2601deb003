"""The starter's README.md for students: what to write, how to run the grader, how it grades."""

from __future__ import annotations

from grader.contract import EXTRA_ITEM_PREFIX
from grader.release.workflow import REPORT_DIR, grade_command, install_command
from grader.rubric.model import Item, Rubric

# How each autograded item is checked, in words a student can act on (keyed by rubric item).
HOW_GRADED = {
    "activations": "`sigmoid` and `derivative_sigmoid` on arrays of many shapes, huge inputs included; "
    "the derivative gets sigmoid's **output**",
    "loss": "`mse` (a mean over all elements) and `derivative_mse`, against the grader's own values",
    "forward": "`Network.forward` with parameters the grader sets, on several layer sizes",
    "backward": "`Network.backward` against central finite differences of **your own** `forward`, on "
    "several layer sizes; a wrong gradient says which parameter and often why",
    "backward_repeatable": "calling `backward` twice gives the same gradients (nothing accumulates)",
    "update": "`SGD.step` and `Network.update`: one in-place step `p -= lr * g`",
    "train_linear": "your `train` with your `config.py` on the linear set; the grader evaluates the returned "
    "parameters itself, on the training points and on points you never see",
    "train_xor": "the same on the XOR set",
    "frameworks": "NumPy and the standard library only: importing a deep-learning framework sets the "
    "autograded score to 0",
}


def _points(value: float) -> str:
    return f"{value:g}"


def _is_extra(item: Item) -> bool:
    return item.bonus or item.key.startswith(EXTRA_ITEM_PREFIX)


def _items_table(rubric: Rubric) -> list[str]:
    rows = ["| item | points | how it is checked |", "|---|---|---|"]
    for item in rubric.items.values():
        extra = _is_extra(item)
        how = HOW_GRADED.get(item.key) or (
            "optional extra: not attempting it costs nothing"
            if extra
            else item.description or "see the report's reason"
        )
        shown = f"+{_points(item.points)} bonus" if item.bonus else _points(item.points)
        rows.append(f"| {item.title} | {shown} | {how} |")
    return rows


def _manual_table(rubric: Rubric) -> list[str]:
    rows = ["| section | points |", "|---|---|"]
    rows += [f"| {m.title.removeprefix('Report: ')} | {_points(m.points)} |" for m in rubric.manual.values()]
    return rows


def _points_sentence(rubric: Rubric) -> str:
    """How the autograded points split between required items and bonus extras."""
    bonus = rubric.bonus_points
    extras = (
        f"the extras add up to {_points(bonus)} bonus points on top"
        if bonus
        else "the extras earn no points but are checked and reported"
    )
    return f"{_points(rubric.total_points)} points are autograded; {extras}. Not attempting an extra costs nothing."


def _flipped_share(rubric: Rubric) -> str:
    shares = {float(v) for item in rubric.items.values() if (v := item.params.get("min_flipped_accuracy")) is not None}
    return f"{max(shares):.0%}" if shares else "most"


def student_readme(rubric: Rubric, requirement: str, fail_under: float, wheel_note: str) -> str:
    """README.md of the starter, from the rubric the student build carries."""
    limits = rubric.limits
    return "\n".join(
        [
            f"# {rubric.title}",
            "",
            "Implement a fully connected network with two hidden layers in NumPy: forward pass, backward pass "
            "(backpropagation, derived by you), weight update, MSE loss and sigmoid activations, and train it on "
            "two toy sets, `linear` and `xor_easy`.",
            "",
            "## Set up (once)",
            "",
            "```bash",
            "python3 -m venv .venv && . .venv/bin/activate",
            install_command(requirement),
            "```",
            "",
            wheel_note,
            "",
            "## Work",
            "",
            '1. Fill in every function of `student/` that raises `NotImplementedError("TODO: ...")`, in this '
            "order: `activations.py`, `losses.py`, `network.py`, `optimizers.py`, `train.py`; then tune "
            "`config.py`. `data.py` and `gradcheck.py` are provided. Keep every name and signature. Each TODO "
            "says what to compute, the shapes and the lab's conventions: an activation's derivative takes the "
            "activation's **output**; the MSE is a **mean** over all elements.",
            "2. Check your backward pass: `python -m student.gradcheck` names each parameter whose gradient is off.",
            "3. Grade your work: `grade check` (it grades `./student`). Each lost point comes with a reason; "
            f"`{REPORT_DIR}/report.html` has the figures your lab report needs. An untouched skeleton scores 0 "
            'with every item "not attempted".',
            "4. Watch it learn: `python -m student.train --dataset xor --out figures/`.",
            "",
            "## How it is graded",
            "",
            _points_sentence(rubric),
            "",
            *_items_table(rubric),
            "",
            "## Limits that apply to your code",
            "",
            "- NumPy and the standard library only (matplotlib for `data.show_result`); a deep-learning framework "
            "(torch, tensorflow, jax, ...) scores 0.",
            f"- `config.py` is clamped: at most {limits.max_epochs} epochs, at most {limits.max_hidden} hidden units "
            f"per layer, a learning rate in [{limits.min_lr:g}, {limits.max_lr:g}].",
            f"- Each training run has a budget of {limits.train_seconds:g} s of CPU time; importing your code, "
            f"{limits.startup_seconds:g} s; any other call, {limits.probe_seconds:g} s; memory {limits.memory_mb} MB.",
            f"- Your `train(net, x, y, epochs)` must learn the data it is given: the grader also trains it once with "
            f"the labels flipped (1 - y) and expects at least {_flipped_share(rubric)} of those right.",
            '- Importing a module runs nothing: train and plot under `if __name__ == "__main__":` or in `main()`.',
            "- Your code runs in a sandbox: no network, no other processes, no files outside its folder.",
            "",
            "## Lab report (graded by hand)",
            "",
            *_manual_table(rubric),
            "",
            "## Continuous integration",
            "",
            "`.github/workflows/grade.yml` grades every push and pull request: it installs the grader as above, runs "
            f"`{grade_command(fail_under)}` (the job fails below {_points(fail_under)} points), puts the score table "
            f"in the job summary, keeps `{REPORT_DIR}/` as an artifact and shows every rubric item as a test in the "
            '"grade" check.',
            "",
            "## The grader you have and the TAs' grader",
            "",
            "They are the same program with the same rubric (`rubric/lab1.toml` is a copy of the one it applies). "
            "For the public seed of the rubric they give the same score and the same reasons. The TAs grade with "
            "a secret seed for the hidden points (the points your network never trained on), so your final "
            "accuracy there can differ a little from what you see: a network that generalises passes both.",
            "",
        ]
    )
