"""The reference, with its config, learns both datasets for seeds 0..4 (how fast: bench/training.py)."""

import numpy as np
import pytest

from reference.config import HYPERPARAMETERS
from reference.data import generate_linear, generate_xor_easy
from reference.train import accuracy, build_network, predict, train

SEEDS = range(5)


def _data(dataset, seed):
    return generate_linear(100, rng=seed) if dataset == "linear" else generate_xor_easy()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dataset", ["linear", "xor"])
def test_reference_learns(dataset, seed):
    x, y = _data(dataset, seed)
    net = build_network(dataset, seed=seed)
    losses = train(net, x, y, HYPERPARAMETERS[dataset]["epochs"])
    assert len(losses) == HYPERPARAMETERS[dataset]["epochs"]
    assert all(isinstance(v, float) for v in losses)
    assert losses[-1] < losses[0]
    assert accuracy(net, x, y) == 1.0
    if dataset == "linear":
        x_new, y_new = generate_linear(1000, rng=np.random.default_rng(10_000 + seed))
        assert accuracy(net, x_new, y_new) >= 0.95


def test_predict_and_accuracy_shapes():
    x, y = generate_xor_easy()
    net = build_network("xor")
    p = predict(net, x)
    assert p.shape == (21, 1) and np.issubdtype(p.dtype, np.integer)
    assert set(np.unique(p)) <= {0, 1}
    acc = accuracy(net, x, y)
    assert isinstance(acc, float) and 0.0 <= acc <= 1.0
    assert accuracy(net, x, y[:, 0]) == acc  # (N,) labels are accepted too


def test_train_loss_is_before_update():
    """losses[0] is the loss of the initial weights."""
    x, y = generate_xor_easy()
    net = build_network("xor", seed=2)
    initial = float(np.mean((net.forward(x) - y) ** 2))
    assert train(net, x, y, 3)[0] == pytest.approx(initial)


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["linear", "xor"])
def test_student_default_config_works_with_a_correct_solution(dataset):
    """The skeleton's SGD defaults succeed once the student code is right."""
    from reference.network import Network
    from reference.optimizers import SGD
    from student.config import HYPERPARAMETERS as STUDENT_HP

    hp = STUDENT_HP[dataset]
    assert hp["optimizer"] == "sgd"  # the only optimizer a student must write
    for seed in SEEDS:
        x, y = _data(dataset, seed)
        net = Network((2, *hp["hidden"], 1), hp["activation"], SGD(lr=hp["lr"]), seed=seed)
        train(net, x, y, hp["epochs"])
        assert accuracy(net, x, y) == 1.0, seed
