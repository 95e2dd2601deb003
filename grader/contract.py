"""The lab's vocabulary, fixed by the submission contract: activations, optimizers, datasets, modules.

Every other module imports these names from here. (The sandbox child cannot import the grader and
keeps its own copy of OPTIMIZER_CLASSES; a test holds the two equal.)
"""

from __future__ import annotations

# Activation names as `Network(activation=...)` and config.py spell them; sigmoid is required.
ACTIVATIONS = ("sigmoid", "identity", "tanh", "relu", "leaky_relu")
EXTRA_ACTIVATIONS = ("tanh", "relu", "leaky_relu")
LEAKY_SLOPE = 0.01  # slope of leaky ReLU for negative inputs

# Optimizer names in config.py and the classes of optimizers.py they select; SGD is required.
OPTIMIZER_CLASSES = {"sgd": "SGD", "momentum": "Momentum", "adagrad": "AdaGrad", "adam": "Adam"}
OPTIMIZERS = tuple(OPTIMIZER_CLASSES)
EXTRA_OPTIMIZERS = ("momentum", "adagrad", "adam")

# The two data sets (keys of config.HYPERPARAMETERS) and how figures title them.
DATASETS = ("linear", "xor")
DATASET_TITLES = {"linear": "linear", "xor": "XOR (easy)"}

# The modules of a submission folder; data.py is provided and not graded.
SUBMISSION_MODULES = ("activations", "losses", "network", "optimizers", "train", "config", "data")
EXTRA_MODULES = ("conv",)  # optional: the convolution extra

# Rubric items whose key starts so are optional extras: not attempting one costs nothing.
EXTRA_ITEM_PREFIX = "extra_"
