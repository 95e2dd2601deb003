"""Training with the student's config; the parent evaluates the returned parameters itself."""

import pytest

from grader.lab import datasets, spec
from grader.check.training import accuracy, loss_history_problem, make_jobs


def _runs(lab, context, item_key):
    """(job, result) of every training run of an item; results come from the shared cache."""
    if "jobs" not in context.cache:
        context.cache["jobs"] = make_jobs(lab.config(), context.rubric)
    params = context.rubric.items[item_key].params
    dataset = params["dataset"]
    runs = [(job, lab.train(job)) for job in context.cache["jobs"] if job.dataset == dataset and not job.flipped]
    _require_learns_given_data(lab, context, params, runs)
    artifacts = context.cache.setdefault("train", {})
    job, result = runs[0]
    if dataset not in artifacts:
        hidden_x, hidden_y = datasets.hidden_set(dataset, context.rubric.items[item_key].params, context.secret_seed)
        artifacts[dataset] = {"x": job.x, "y": job.y, "params": result["params"], "losses": result["losses"],
                              "activation": job.activation, "hidden_x": hidden_x, "hidden_y": hidden_y,
                              "config": {"hidden": list(job.hidden), "activation": job.activation,
                                         "optimizer": job.optimizer, "lr": job.lr, "epochs": job.epochs}}
    return runs


def _require_learns_given_data(lab, context, params, runs):
    """When train() fits the lab's labels, every training check of the item fails unless it also
    learns them flipped (1 - y): parameters made by hand, not by training, fit only the former."""
    if any(accuracy(r["params"], job.x, job.y, job.activation) < params["min_accuracy"] for job, r in runs):
        return  # not trained well: the accuracy check says why, in words that help more
    for job in context.cache["jobs"]:
        if job.dataset == params["dataset"] and job.flipped:
            acc = accuracy(lab.train(job)["params"], job.x, job.y, job.activation)
            assert acc >= params["min_flipped_accuracy"], (
                f"train(net, x, y, epochs) must learn the x and y it is given: trained on the {job.dataset} "
                f"points with their labels flipped (1 - y), the network classifies {acc:.1%} of them "
                f"correctly ({params['min_flipped_accuracy']:.0%} needed), so its training results are not credible"
                + _notes(job)
            )


def _notes(job):
    return f" (config: {'; '.join(job.notes)})" if job.notes else ""


def _training_accuracy(lab, context, item_key, grade):
    params = context.rubric.items[item_key].params
    for job, result in _runs(lab, context, item_key):
        acc = accuracy(result["params"], job.x, job.y, job.activation)
        grade.data[f"seed{job.seed}"] = {"accuracy": acc, "seconds": round(result["seconds"], 3),
                                         "epochs": job.epochs, "final_loss": float(result["losses"][-1])}
        assert acc >= params["min_accuracy"], (
            f"after training (seed {job.seed}) the network classifies {acc:.1%} of the {job.dataset} training "
            f"points correctly; {params['min_accuracy']:.0%} needed: tune lr, epochs or hidden sizes in config.py"
            + _notes(job)
        )


def _hidden_accuracy(lab, context, item_key, grade):
    params = context.rubric.items[item_key].params
    hidden_x, hidden_y = datasets.hidden_set(job_dataset := params["dataset"], params, context.secret_seed)
    for job, result in _runs(lab, context, item_key):
        acc = accuracy(result["params"], hidden_x, hidden_y, job.activation)
        grade.data[f"seed{job.seed}"] = {"hidden_accuracy": acc, "hidden_points": int(hidden_x.shape[0])}
        assert acc >= params["min_hidden_accuracy"], (
            f"the trained network classifies {acc:.1%} of {hidden_x.shape[0]} unseen {job_dataset} points "
            f"correctly; {params['min_hidden_accuracy']:.0%} needed: it does not generalise"
        )


def _loss_history(lab, context, item_key):
    params = context.rubric.items[item_key].params
    for job, result in _runs(lab, context, item_key):
        final = spec.mse(spec.forward(result["params"], job.x, job.activation), job.y)
        problem = loss_history_problem(result["losses"], final, job.epochs, params["loss_rtol"], params["loss_atol"])
        assert not problem, problem


@pytest.mark.rubric("train_linear", weight=3)
def test_linear_training_accuracy(lab, context, grade):
    _training_accuracy(lab, context, "train_linear", grade)


@pytest.mark.rubric("train_linear", weight=1)
def test_linear_hidden_accuracy(lab, context, grade):
    _hidden_accuracy(lab, context, "train_linear", grade)


@pytest.mark.rubric("train_linear", weight=1)
def test_linear_loss_history(lab, context):
    _loss_history(lab, context, "train_linear")


@pytest.mark.rubric("train_xor", weight=3)
def test_xor_training_accuracy(lab, context, grade):
    _training_accuracy(lab, context, "train_xor", grade)


@pytest.mark.rubric("train_xor", weight=1)
def test_xor_hidden_accuracy(lab, context, grade):
    _hidden_accuracy(lab, context, "train_xor", grade)


@pytest.mark.rubric("train_xor", weight=1)
def test_xor_loss_history(lab, context):
    _loss_history(lab, context, "train_xor")
