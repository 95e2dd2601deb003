"""Training loop, evaluation and the lab's command line.

train, predict and accuracy are yours to write; build_network and main are provided. Run

    python -m student.train --dataset xor [--seed S] [--epochs E] [--out DIR]
"""
import argparse
import os

import numpy as np

from .config import HYPERPARAMETERS
from .data import generate_linear, generate_xor_easy, show_result
from .losses import mse
from .network import Network
from .optimizers import SGD, AdaGrad, Adam, Momentum

_OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adagrad": AdaGrad, "adam": Adam}


def train(net, x, y, epochs):
    """Full-batch training: forward, backward, update, once per epoch.

    Inputs: net (Network), x (N, D), y (N, 1), epochs (int).
    Output: list of `epochs` floats, the mse of each epoch before its update.
    """
    ### BEGIN SOLUTION
    ### TODO: train net on (x, y) for `epochs` epochs with its forward, backward and update; return a
    ### list of one Python float per epoch: the mse over the whole set during that epoch.
    losses = []
    for _ in range(int(epochs)):
        pred = net.forward(x)
        losses.append(mse(pred, y))
        net.update(net.backward(y))
    return losses
    ### END SOLUTION


def predict(net, x):
    """Class labels: 1 where the output is >= 0.5. x (N, D) -> (N, 1) int."""
    ### BEGIN SOLUTION
    ### TODO: the class label of every point: 1 where the network's output is >= 0.5, else 0, as an
    ### int array of shape (N, 1).
    return (net.forward(x) >= 0.5).astype(int).reshape(-1, 1)
    ### END SOLUTION


def accuracy(net, x, y):
    """Fraction of points classified correctly. x (N, D), y (N, 1) -> float in [0, 1]."""
    ### BEGIN SOLUTION
    ### TODO: the fraction of the points whose predicted label equals y (shape (N, 1) or (N,)), as a
    ### Python float in [0, 1].
    y = np.asarray(y).reshape(-1, 1)
    return float(np.mean(predict(net, x) == y))
    ### END SOLUTION


def build_network(dataset, seed=0):
    """A Network configured by HYPERPARAMETERS[dataset] ("linear" or "xor")."""
    hp = HYPERPARAMETERS[dataset]
    optimizer = _OPTIMIZERS[hp["optimizer"]](lr=hp["lr"])
    return Network((2, *hp["hidden"], 1), activation=hp["activation"], optimizer=optimizer, seed=seed)


def _plot_learning_curve(losses, path):
    """Save the loss per epoch (log scale) as a PNG; at most ~1,000 points drawn."""
    from matplotlib.figure import Figure  # lazy; a bare Figure renders with Agg

    losses = np.asarray(losses, dtype=float)
    epochs = np.arange(1, len(losses) + 1)
    step = max(1, len(losses) // 1000)  # long curves cost time, not information
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(epochs[::step], losses[::step])
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE loss")
    ax.set_title("Learning curve")
    fig.savefig(path, format="png", dpi=100)


def main(argv=None):
    """Train on one dataset and print the lab's log; save figures with --out."""
    parser = argparse.ArgumentParser(description="Train the lab's network on one dataset.")
    parser.add_argument("--dataset", choices=("linear", "xor"), default="xor")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and of the weights")
    parser.add_argument("--epochs", type=int, default=None, help="override config.HYPERPARAMETERS")
    parser.add_argument("--out", default=None, help="folder for the comparison figure and learning curve")
    args = parser.parse_args(argv)

    if args.dataset == "linear":
        x, y = generate_linear(n=100, rng=args.seed)
    else:
        x, y = generate_xor_easy()
    epochs = HYPERPARAMETERS[args.dataset]["epochs"] if args.epochs is None else args.epochs
    net = build_network(args.dataset, seed=args.seed)

    losses = train(net, x, y, epochs)
    every = max(1, epochs // 10)  # about ten progress lines whatever the length
    for epoch, loss in enumerate(losses, start=1):
        if epoch % every == 0 or epoch == 1:
            print(f"epoch {epoch} loss : {loss:.6f}")

    pred = net.forward(x)
    for i in range(len(x)):
        print(f"Iter {i} | Ground truth: {float(y[i, 0]):.1f} | prediction: {pred[i, 0]:.5f}")
    print(f"loss={mse(pred, y):.5f}, accuracy={100 * accuracy(net, x, y):.2f}%")

    if args.out is not None:
        os.makedirs(args.out, exist_ok=True)
        show_result(x, y, predict(net, x), path=os.path.join(args.out, f"comparison_{args.dataset}.png"))
        _plot_learning_curve(losses, os.path.join(args.out, f"learning_curve_{args.dataset}.png"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
