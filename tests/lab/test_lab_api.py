"""student/ and reference/ expose the same API; the skeleton raises TODOs."""

import inspect
from pathlib import Path

import numpy as np
import pytest

import reference
import student

MODULES = ("data", "activations", "losses", "network", "optimizers", "train", "config", "conv")
# Public functions of the skeleton that work as given (plumbing, not graded).
PROVIDED = {"data.generate_linear", "data.generate_xor_easy", "data.show_result", "train.build_network", "train.main"}


def _module(pkg, name):
    return __import__(f"{pkg.__name__}.{name}", fromlist=[name])


def public_api(mod):
    """Names defined by mod itself (not imported), not private, not modules."""
    api = {}
    for name, obj in vars(mod).items():
        if name.startswith("_") or inspect.ismodule(obj):
            continue
        if getattr(obj, "__module__", mod.__name__) != mod.__name__:
            continue  # imported from a sibling module or numpy
        api[name] = obj
    return api


def public_methods(cls):
    return {n: f for n, f in vars(cls).items() if inspect.isfunction(f) and (not n.startswith("_") or n == "__init__")}


@pytest.mark.parametrize("modname", MODULES)
def test_same_public_names(modname):
    ref = public_api(_module(reference, modname))
    stu = public_api(_module(student, modname))
    assert sorted(stu) == sorted(ref)


@pytest.mark.parametrize("modname", MODULES)
def test_same_signatures(modname):
    ref = public_api(_module(reference, modname))
    stu = public_api(_module(student, modname))
    for name, r in ref.items():
        s = stu[name]
        if inspect.isfunction(r):
            assert inspect.signature(s) == inspect.signature(r), name
        elif inspect.isclass(r):
            assert inspect.isclass(s), name
            rm, sm = public_methods(r), public_methods(s)
            assert sorted(sm) == sorted(rm), name
            for m in rm:
                assert inspect.signature(sm[m]) == inspect.signature(rm[m]), f"{name}.{m}"
        elif isinstance(r, dict):  # HYPERPARAMETERS: same datasets and keys
            assert {k: sorted(v) for k, v in s.items()} == {k: sorted(v) for k, v in r.items()}
        else:
            assert s == r, name


def test_contract_signatures():
    """The signatures fixed by DESIGN.md, spelled out."""
    from reference import activations, data, losses, network, optimizers, train

    sig = lambda f: str(inspect.signature(f))  # noqa: E731
    assert sig(data.generate_linear) == "(n=100, rng=None)"
    assert sig(data.generate_xor_easy) == "()"
    assert sig(data.show_result) == "(x, y, pred_y, path=None)"
    for name in ("sigmoid", "identity", "tanh", "relu", "leaky_relu"):
        assert sig(getattr(activations, name)) == "(x)"
        assert sig(getattr(activations, "derivative_" + name)) == "(y)"
    assert sig(losses.mse) == sig(losses.derivative_mse) == "(pred, target)"
    assert sig(network.Network) == "(sizes=(2, 4, 4, 1), activation='sigmoid', optimizer=None, seed=0)"
    assert sig(network.Network.forward) == "(self, x)"
    assert sig(network.Network.backward) == "(self, y)"
    assert sig(network.Network.update) == "(self, grads)"
    assert sig(optimizers.SGD) == "(lr=0.1)"
    assert sig(optimizers.Momentum) == "(lr=0.1, beta=0.9)"
    assert sig(optimizers.AdaGrad) == "(lr=0.1, eps=1e-08)"
    assert sig(optimizers.Adam) == "(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08)"
    for cls in (optimizers.SGD, optimizers.Momentum, optimizers.AdaGrad, optimizers.Adam):
        assert sig(cls.step) == "(self, params, grads)"
    assert sig(train.train) == "(net, x, y, epochs)"
    assert sig(train.predict) == "(net, x)"
    assert sig(train.accuracy) == "(net, x, y)"
    assert sig(train.main) == "(argv=None)"


@pytest.mark.parametrize("pkg", [reference, student], ids=["reference", "student"])
def test_config_shape(pkg):
    from importlib import import_module

    hp = import_module(f"{pkg.__name__}.config").HYPERPARAMETERS
    assert set(hp) == {"linear", "xor"}
    for cfg in hp.values():
        assert set(cfg) == {"hidden", "activation", "optimizer", "lr", "epochs"}
        assert len(cfg["hidden"]) == 2 and all(1 <= int(h) <= 16 for h in cfg["hidden"])
        assert cfg["activation"] in ("sigmoid", "identity", "tanh", "relu", "leaky_relu")
        assert cfg["optimizer"] in ("sgd", "momentum", "adagrad", "adam")
        assert cfg["lr"] > 0 and isinstance(cfg["epochs"], int) and cfg["epochs"] > 0


def test_student_data_is_the_reference_data():
    root = Path(__file__).resolve().parents[2]
    assert (root / "student/data.py").read_text() == (root / "reference/data.py").read_text()


def _example_args(fn, owner=None):
    """Plausible arguments by parameter name, so every stub can be called."""
    x = np.array([[0.2, 0.7], [0.9, 0.1]])
    by_name = {
        "x": x,
        "y": np.array([[1], [0]]),
        "pred": np.array([[0.6], [0.3]]),
        "target": np.array([[1.0], [0.0]]),
        "net": None,
        "epochs": 1,
        "params": {"W1": np.ones((2, 2))},
        "grads": {"W1": np.ones((2, 2))},
        "dout": np.ones((1, 2, 3)),
    }
    args = []
    for p in inspect.signature(fn).parameters.values():
        if p.name == "self":
            args.append(object.__new__(owner))  # __init__ may itself be a stub
        elif p.default is inspect.Parameter.empty:
            args.append(by_name[p.name])
    return args


def graded_callables():
    """Every public function and method of student/ that is not PROVIDED."""
    out = []
    for modname in MODULES:
        for name, obj in public_api(_module(student, modname)).items():
            if inspect.isfunction(obj) and f"{modname}.{name}" not in PROVIDED:
                out.append((f"{modname}.{name}", obj, None))
            elif inspect.isclass(obj):
                for m, f in public_methods(obj).items():
                    if m == "__init__" and obj.__name__ != "Network":
                        continue  # optimizers' constructors only store hyperparameters
                    out.append((f"{modname}.{name}.{m}", f, obj))
    return out


GRADED = graded_callables()


def test_graded_list_is_complete():
    names = {n for n, _, _ in GRADED}
    expected = {f"activations.{a}" for a in ("sigmoid", "identity", "tanh", "relu", "leaky_relu")}
    expected |= {f"activations.derivative_{a}" for a in ("sigmoid", "identity", "tanh", "relu", "leaky_relu")}
    expected |= {"losses.mse", "losses.derivative_mse", "train.train", "train.predict", "train.accuracy"}
    expected |= {f"network.Network.{m}" for m in ("__init__", "forward", "backward", "update")}
    expected |= {f"optimizers.{c}.step" for c in ("SGD", "Momentum", "AdaGrad", "Adam")}
    expected |= {"conv.Conv1D.forward", "conv.Conv1D.backward"}  # the convolution extra; __init__ is provided
    assert names == expected


@pytest.mark.parametrize("qualname,fn,owner", GRADED, ids=[n for n, _, _ in GRADED])
def test_student_stub_raises_todo(qualname, fn, owner):
    with pytest.raises(NotImplementedError, match="TODO") as info:
        fn(*_example_args(fn, owner))
    assert len(str(info.value)) > len("TODO: ") + 15, "the hint should say what to write"


def test_student_skeleton_constructs_what_is_not_graded():
    from student import data, optimizers, train

    for cls in (optimizers.SGD, optimizers.Momentum, optimizers.AdaGrad, optimizers.Adam):
        assert cls().lr > 0
    x, _ = data.generate_xor_easy()
    assert x.shape == (21, 2)
    with pytest.raises(NotImplementedError, match="TODO"):
        train.build_network("xor")  # reaches the Network stub


@pytest.mark.parametrize("pkg", [reference, student], ids=["reference", "student"])
def test_docstrings_everywhere(pkg):
    for modname in MODULES:
        mod = _module(pkg, modname)
        assert mod.__doc__, modname
        for name, obj in public_api(mod).items():
            if inspect.isfunction(obj) or inspect.isclass(obj):
                assert obj.__doc__, f"{modname}.{name}"
