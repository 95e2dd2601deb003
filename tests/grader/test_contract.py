"""The lab's vocabulary is spelled once: grader.contract, and the child's own copy agrees with it."""

import ast
from pathlib import Path

import grader.sandbox
from grader import contract
from grader.lab import spec

CHILD_SERVER = Path(grader.sandbox.__file__).with_name("child") / "server.py"


def _child_constant(name: str):
    tree = ast.parse(CHILD_SERVER.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {CHILD_SERVER}")


def test_child_optimizer_classes_equal_the_contract():
    assert _child_constant("OPTIMIZER_CLASSES") == contract.OPTIMIZER_CLASSES


def test_extras_are_the_contract_names_beyond_the_required_ones():
    assert set(contract.EXTRA_ACTIVATIONS) == set(contract.ACTIVATIONS) - {"sigmoid", "identity"}
    assert set(contract.EXTRA_OPTIMIZERS) == set(contract.OPTIMIZERS) - {"sgd"}


def test_spec_implements_every_activation_of_the_contract():
    import numpy as np

    x = np.linspace(-2, 2, 5)
    for name in contract.ACTIVATIONS:
        assert spec.activation(name, x).shape == x.shape
