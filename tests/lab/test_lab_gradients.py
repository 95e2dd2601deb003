"""reference.Network.backward against central finite differences (float64)."""

import numpy as np
import pytest

from reference.network import Network

ACTIVATIONS = ("sigmoid", "identity", "tanh", "relu", "leaky_relu")
SIZES = ((2, 4, 4, 1), (3, 5, 2, 2), (2, 8, 3, 1))


def numerical_gradients(net, x, y, h=1e-5):
    """Central differences of mean((forward(x) - y)**2) for every parameter entry.

    Written here on purpose (not imported from the grader): an independent check.
    h = 1e-5 balances truncation (h**2) against round-off (eps / h) in float64.
    """

    def loss():
        return np.mean((net.forward(x) - y) ** 2)

    grads = {}
    for name, p in net.params.items():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            plus = loss()
            p[i] = old - h
            minus = loss()
            p[i] = old
            g[i] = (plus - minus) / (2 * h)
        grads[name] = g
    return grads


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||); 0 when both are exactly zero (dead ReLU units)."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else np.linalg.norm(a - b) / denom


@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_matches_finite_differences(activation, sizes):
    rng = np.random.default_rng(sum(sizes))
    net = Network(sizes, activation=activation, seed=3)
    for name in net.params:
        if name.startswith("b"):
            # zero biases would hide a wrong bias gradient; positive ones keep
            # ReLU units alive, so that every gradient below is non-zero
            net.params[name] = rng.uniform(0.1, 0.6, net.params[name].shape)
    x = rng.normal(0.0, 1.0, (6, sizes[0]))
    y = rng.uniform(0.0, 1.0, (6, sizes[-1]))

    net.forward(x)
    analytic = net.backward(y)
    numeric = numerical_gradients(net, x, y)

    assert list(analytic) == list(net.params)
    for name, p in net.params.items():
        assert analytic[name].shape == p.shape, name
        assert np.any(numeric[name] != 0), f"{name}: zero gradient, the check would prove nothing"
        err = relative_error(analytic[name], numeric[name])
        assert err < 1e-6, f"{activation} {sizes} {name}: relative error {err:.2e}"


def test_backward_never_accumulates_and_uses_last_forward():
    rng = np.random.default_rng(0)
    net = Network((2, 4, 4, 1), seed=0)
    x1, x2 = rng.normal(size=(5, 2)), rng.normal(size=(7, 2))
    y1, y2 = rng.uniform(size=(5, 1)), rng.uniform(size=(7, 1))
    net.forward(x1)
    g1 = net.backward(y1)
    g1_copy = {k: v.copy() for k, v in g1.items()}
    again = net.backward(y1)
    for k in g1:
        np.testing.assert_array_equal(again[k], g1_copy[k])
    net.forward(x2)
    g2 = net.backward(y2)
    net.forward(x2)
    np.testing.assert_array_equal(net.backward(y2)["W1"], g2["W1"])
    assert not np.allclose(g2["W1"], g1_copy["W1"])


def test_forward_reads_params_and_shapes():
    net = Network((3, 5, 2, 2), seed=1)
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (3, 5),
        "b1": (5,),
        "W2": (5, 2),
        "b2": (2,),
        "W3": (2, 2),
        "b3": (2,),
    }
    x = np.ones((4, 3))
    out = net.forward(x)
    assert out.shape == (4, 2)
    net.params = {k: np.zeros_like(v) for k, v in net.params.items()}
    np.testing.assert_allclose(net.forward(x), 0.5)  # sigmoid(0) on the output layer


def test_same_seed_same_weights_and_default_optimizer():
    from reference.optimizers import SGD

    a, b, c = Network(seed=7), Network(seed=7), Network(seed=8)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    assert isinstance(a.optimizer, SGD) and a.optimizer.lr == 0.1


def test_update_calls_the_optimizer_in_place():
    net = Network(seed=0)
    w1 = net.params["W1"]
    before = w1.copy()
    grads = {k: np.ones_like(v) for k, v in net.params.items()}
    net.update(grads)
    assert net.params["W1"] is w1
    np.testing.assert_allclose(w1, before - 0.1)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation"):
        Network(activation="softplus")
