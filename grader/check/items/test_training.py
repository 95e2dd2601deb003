"""Training with the student's config; the parent evaluates the returned parameters itself.

Each training item trains a fresh network once per network seed of the rubric (`[seeds] train`);
each of its checks passes when at least `min_passing_seeds` of those runs pass it, and its reason
shows every seed's result. A failing run is explained by the most specific cause found (training
diverged, the forward differs from the lab's, the parameters never change, identical hidden
units), else the config is blamed. When the graded runs learn, the same config and seed must also
learn the labels flipped and a task drawn from the secret seed: hand-made weights fit neither.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.check.training import (
    CHECKS,
    SeedRun,
    TrainJob,
    accuracy,
    backward_differs,
    causes_text,
    chance_level,
    diverged,
    first_failing,
    forward_differs,
    identical_units,
    loss_grew,
    loss_history_problem,
    loss_matches,
    make_jobs,
    optimizer_ignored,
    optimizer_probe_jobs,
    params_unchanged,
    verdict,
)
from grader.lab import datasets, spec
from grader.results import Diagnosis
from grader.sandbox import ProbeError


def _jobs(lab, context) -> list[TrainJob]:
    if "jobs" not in context.cache:
        context.cache["jobs"] = make_jobs(lab.config(), context.rubric, context.secret_seed)
    jobs: list[TrainJob] = context.cache["jobs"]
    return jobs


def _seed_runs(lab, context, item_key: str) -> list[SeedRun]:
    """Every graded run of an item, evaluated once (the checks share them; probes are cached)."""
    cache = context.cache.setdefault("seed_runs", {})
    if item_key not in cache:
        params = context.rubric.items[item_key].params
        hidden_x, hidden_y = datasets.hidden_set(params["dataset"], params, context.secret_seed)
        runs = [
            _evaluate(lab, job, lab.train(job), params, hidden_x, hidden_y)
            for job in _jobs(lab, context)
            if job.dataset == params["dataset"] and job.task == "lab"
        ]
        cache[item_key] = runs
        context.cache.setdefault("train_hidden_points", {})[item_key] = int(hidden_x.shape[0])
        _keep_artifacts(context, runs, params, hidden_x, hidden_y)
    seed_runs: list[SeedRun] = cache[item_key]
    return seed_runs


def _evaluate(lab, job: TrainJob, result: dict, params: dict, hidden_x, hidden_y) -> SeedRun:
    if result["diverged"]:
        cause = diverged(job, result["diverged"])
        return SeedRun(job, result, None, None, cause.message, cause)
    outputs = spec.forward(result["params"], job.x, job.activation)
    final, losses, rtol, atol = spec.mse(outputs, job.y), result["losses"], params["loss_rtol"], params["loss_atol"]
    history = loss_history_problem(losses, final, job.epochs, rtol, atol)
    if history and losses.size and not loss_matches(losses[-1], final, rtol, atol):
        history = loss_history_problem(losses, final, job.epochs, rtol, atol, _own_loss(lab, outputs, job))
    run = SeedRun(
        job,
        result,
        accuracy(result["params"], job.x, job.y, job.activation),
        accuracy(result["params"], hidden_x, hidden_y, job.activation),
        history,
        None,
    )
    if not all(run.passes(check, params) for check in CHECKS):
        run.cause = _cause(lab, run, params)
    return run


def _own_loss(lab, outputs, job: TrainJob) -> float | None:
    """The submission's own losses.mse of the trained outputs (its loss item judges that mse)."""
    try:
        value = lab.call("losses", "mse", outputs, job.y.astype(np.float64), what="losses.mse")
    except ProbeError:
        return None
    return float(value) if value.size == 1 else None


def _cause(lab, run: SeedRun, params: dict) -> Diagnosis | None:
    """The most specific reason a finished run fails, or None (then the config is blamed)."""
    job, trained = run.job, run.result["params"]
    try:
        (student,), _ = lab.forward_many(
            job.sizes,
            job.activation,
            [trained],
            job.x,
            what=f"forward with the parameters trained on the {job.dataset} set",
        )
    except ProbeError:
        student = None  # the forward item reports a forward that fails
    found = forward_differs(student, trained, job.x, job.activation) if student is not None else None
    final = spec.mse(spec.forward(trained, job.x, job.activation), job.y)
    found = found or loss_grew(run.result["losses"], final, params["loss_atol"])
    if found is None and not run.history:
        found = params_unchanged(run.result["losses"])
    if found is None and student is None:
        return None  # forward fails: the forward item says why
    return found or identical_units(trained) or _optimizer_ignored(lab, job) or _backward_differs(lab, job, trained)


def _backward_differs(lab, job: TrainJob, trained: dict) -> Diagnosis | None:
    try:
        grads = lab.backward(
            job.sizes,
            job.activation,
            trained,
            job.x,
            job.y,
            what=f"backward at the parameters trained on the {job.dataset} set",
        )["first"]
    except ProbeError:
        return None  # the backward item reports a backward that fails
    return backward_differs(grads, trained, job.x, job.y, job.activation)


def _optimizer_ignored(lab, job: TrainJob) -> Diagnosis | None:
    """Two one-epoch runs with different optimizers (or learning rates) that end equal."""
    if job.optimizer == "sgd" and job.lr == 0.1:
        return None  # the default optimizer: ignoring the argument changes nothing
    given, other = optimizer_probe_jobs(job)
    try:
        return optimizer_ignored(job, lab.train(given), lab.train(other))
    except ProbeError:
        return None


def _keep_artifacts(context, runs: list[SeedRun], params: dict, hidden_x, hidden_y) -> None:
    """The run the report's figures show: the first that learns, else the first that finished."""
    finished = [run for run in runs if run.accuracy is not None]
    if not finished:
        return
    run = next((r for r in finished if r.passes("training", params)), finished[0])
    job, result = run.job, run.result
    context.cache.setdefault("train", {})[job.dataset] = {
        "x": job.x,
        "y": job.y,
        "params": result["params"],
        "losses": result["losses"],
        "activation": job.activation,
        "hidden_x": hidden_x,
        "hidden_y": hidden_y,
        "seed": job.seed,
        "config": {
            "hidden": list(job.hidden),
            "activation": job.activation,
            "optimizer": job.optimizer,
            "lr": job.lr,
            "epochs": job.epochs,
        },
    }


def _notes(job: TrainJob) -> str:
    return f" (config: {'; '.join(job.notes)})" if job.notes else ""


def _finite(value) -> float | None:
    return float(value) if np.isfinite(value) else None


def _percent(value: float | None) -> str:
    return "diverged" if value is None else f"{value:.1%}"


def _needed(runs: list[SeedRun], params: dict, key: str) -> str:
    needed = min(params["min_passing_seeds"], len(runs))
    return f"{params[key]:.0%} needed" + (f" on {needed} of {len(runs)} network seeds" if len(runs) > 1 else "")


def _require_learns_given_data(lab, context, params: dict, runs: list[SeedRun]) -> None:
    """When the graded runs learn, the labels flipped (1 - y) and a task drawn from the secret seed
    (the lab's task turned by a secret angle) must be learned too, with the same config, by one of
    the network seeds that learned (tried in order, so an honest run costs one training each; a
    second secret task when none learns the first): parameters made by hand, not by training, fit
    only the lab's labels. Every check of the item fails otherwise."""
    learned = [run for run in runs if run.passes("training", params)]
    if len(learned) < min(params["min_passing_seeds"], len(runs)):
        return  # not trained well: the accuracy check says why, in words that help more
    for tasks, key in ((("flipped",), "min_flipped_accuracy"), (("secret", "secret-2"), "min_secret_accuracy")):
        tried: list[str] = []
        for task in tasks:
            accuracies = []
            for run in learned:
                job = run.job.variant(task, params, context.secret_seed)
                result = lab.train(job)
                acc = None if result["diverged"] else accuracy(result["params"], job.x, job.y, job.activation)
                if acc is not None and acc >= params[key]:
                    break
                accuracies.append(_percent(acc))
            else:
                seeds = ", ".join(str(run.job.seed) for run in learned)
                tried.append(
                    f"{job.what}, it classifies {', '.join(accuracies)} of the points correctly "
                    f"(network seed{'s' if len(learned) > 1 else ''} {seeds})"
                )
                continue
            break
        else:
            raise AssertionError(
                f"train(net, x, y, epochs) must learn the x and y it is given, but {'; '.join(tried)}; "
                f"{params[key]:.0%} needed on one seed. A network that learns the lab's points learns "
                "these too; weights that fit only the lab's labels do not" + _notes(learned[0].job)
            )


def _training_accuracy(lab, context, item_key: str, grade) -> None:
    params = context.rubric.items[item_key].params
    runs = _seed_runs(lab, context, item_key)
    for run in runs:
        grade.data[f"seed{run.job.seed}"] = {
            "accuracy": run.accuracy,
            "seconds": round(run.result["seconds"], 3),
            "epochs": run.job.epochs,
            "final_loss": _finite(run.result["losses"][-1]) if run.result["losses"].size else None,
            "passed": run.passes("training", params),
            "cause": run.cause.code if run.cause else "",
        }
    failing = verdict(runs, "training", params, grade, item_key)
    if failing:
        job = runs[0].job
        lead = causes_text(failing)
        if not lead:
            at_chance = all(
                run.accuracy is not None and run.accuracy <= chance_level(run.job.y) + 0.02 for run in failing
            )
            lead = (
                "the network does not learn: its accuracy stays at chance level"
                if at_chance
                else "the network does not learn the training points well enough"
            ) + ": tune lr, epochs or hidden sizes in config.py"
        seeds = ", ".join(f"seed {run.job.seed} {_percent(run.accuracy)}" for run in runs)
        pytest.fail(
            f"{lead}. Training accuracy on the {job.dataset} points: {seeds}; "
            f"{_needed(runs, params, 'min_accuracy')}" + _notes(job),
            pytrace=False,
        )
    _require_learns_given_data(lab, context, params, runs)
    unlearned = [run for run in runs if not run.passes("training", params)]
    if unlearned:  # passed on min_passing_seeds: say which seeds did not, so the student sees the margin
        seeds = ", ".join(f"seed {run.job.seed} {_percent(run.accuracy)}" for run in runs)
        grade.diagnoses.append(
            Diagnosis(
                "train_seed_dependent",
                f"{len(runs) - len(unlearned)} of {len(runs)} network seeds learn the {runs[0].job.dataset} points "
                f"({seeds}; {params['min_accuracy']:.0%} needed)",
                f"the item passes on {min(params['min_passing_seeds'], len(runs))}; a config that learns on every "
                "seed (more epochs, another lr or wider hidden layers) is safer",
                item_key,
            )
        )


def _hidden_accuracy(lab, context, item_key: str, grade) -> None:
    params = context.rubric.items[item_key].params
    runs = _seed_runs(lab, context, item_key)
    for run in runs:
        grade.data[f"seed{run.job.seed}"] = {
            "hidden_accuracy": run.hidden_accuracy,
            "passed": run.passes("hidden", params),
        }
    _require_learns_given_data(lab, context, params, runs)
    failing = verdict(runs, "hidden", params, grade, item_key)
    if failing:
        dataset, points = runs[0].job.dataset, context.cache["train_hidden_points"][item_key]
        if first_failing(runs, params) == "training":  # said there, with the cause and its fix
            lead = "it does not learn the training points either (see the training accuracy)"
        else:
            lead = causes_text(failing) or "it does not generalise: it fits the training points only"
        seeds = ", ".join(f"seed {run.job.seed} {_percent(run.hidden_accuracy)}" for run in runs)
        pytest.fail(
            f"{lead}. Accuracy on {points} unseen {dataset} points: {seeds}; "
            f"{_needed(runs, params, 'min_hidden_accuracy')}",
            pytrace=False,
        )


def _loss_history(lab, context, item_key: str, grade) -> None:
    params = context.rubric.items[item_key].params
    runs = _seed_runs(lab, context, item_key)
    _require_learns_given_data(lab, context, params, runs)
    failing = verdict(runs, "history", params, grade, item_key)
    if failing:
        forward = [run for run in failing if run.cause is not None and run.cause.code.startswith("train_forward")]
        if forward:
            problem = (
                "the losses train() reports come from your forward, which differs from the lab's (see the forward item)"
            )
        elif first_failing(runs, params) == "history":
            problem = causes_text(failing) or failing[0].history
        else:
            problem = causes_text(failing, hints=False) or failing[0].history
        seeds = ", ".join(str(run.job.seed) for run in failing)
        pytest.fail(
            problem + (f" (network seed{'s' if len(failing) > 1 else ''} {seeds})" if len(runs) > 1 else ""),
            pytrace=False,
        )


@pytest.mark.rubric("train_linear", weight=3)
def test_linear_accuracy_on_training_points(lab, context, grade):
    _training_accuracy(lab, context, "train_linear", grade)


@pytest.mark.rubric("train_linear", weight=1)
def test_linear_accuracy_on_unseen_points(lab, context, grade):
    _hidden_accuracy(lab, context, "train_linear", grade)


@pytest.mark.rubric("train_linear", weight=1)
def test_linear_loss_history(lab, context, grade):
    _loss_history(lab, context, "train_linear", grade)


@pytest.mark.rubric("train_xor", weight=3)
def test_xor_accuracy_on_training_points(lab, context, grade):
    _training_accuracy(lab, context, "train_xor", grade)


@pytest.mark.rubric("train_xor", weight=1)
def test_xor_accuracy_on_unseen_points(lab, context, grade):
    _hidden_accuracy(lab, context, "train_xor", grade)


@pytest.mark.rubric("train_xor", weight=1)
def test_xor_loss_history(lab, context, grade):
    _loss_history(lab, context, "train_xor", grade)
