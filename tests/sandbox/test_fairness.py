"""What the child tolerates from honest code and words for a TA: a module named like a framework that is
the student's, matplotlib's own helper programs, a plain sys.argv, code run at import, a numerical
backward, generated code of the standard library; and what it refuses (the grader's own packages)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np

from grader.sandbox import ChildLimits, Sandbox
from grader.scan.imports import FRAMEWORKS

LIMITS = ChildLimits(startup_seconds=20, probe_seconds=10, output_kb=4, memory_mb=512)
ROOT = Path(__file__).resolve().parents[2]


def _submission(root: Path, **modules: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, code in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(code))
    return root


def _call(box, func, module="activations", *args):
    arrays = {f"a{i}": np.asarray(a) for i, a in enumerate(args)}
    return box.request(
        "call", arrays, timeout=10, what=func, module=module, func=func, args=[f"@a{i}" for i in range(len(args))]
    )[1]["out"]


def test_a_module_of_the_submission_named_like_a_framework_is_the_students(tmp_path):
    sub = _submission(
        tmp_path / "sub",
        autograd="def twice(x):\n    return 2 * x\n",
        activations="import autograd\ndef sigmoid(x):\n    return autograd.twice(x)\n",
    )
    with Sandbox(sub, LIMITS, frameworks=sorted(FRAMEWORKS)) as box:
        assert box.imports()["activations"]["status"] == "ok"
        np.testing.assert_array_equal(_call(box, "sigmoid", "activations", np.ones(2)), 2.0)
        assert box.audit_events == [] and box.security_events == []


def test_a_framework_that_is_not_the_students_is_still_refused(tmp_path):
    sub = _submission(
        tmp_path / "sub",
        activations="""
        import importlib
        def sigmoid(x):
            try:
                importlib.import_module("tor" + "ch")
            except ImportError as exc:
                return x * 0 + (3 if "not allowed" in str(exc) else 4)
        """,
    )
    with Sandbox(sub, LIMITS, frameworks=sorted(FRAMEWORKS)) as box:
        np.testing.assert_array_equal(_call(box, "sigmoid", "activations", np.ones(2)), 3.0)
        assert box.audit_events == ["import of torch"]


def test_matplotlibs_font_helper_is_not_a_security_event_but_the_students_own_is(tmp_path):
    sub = _submission(
        tmp_path / "sub",
        activations="""
        import subprocess
        def identity(x):
            from matplotlib import font_manager
            font_manager._get_fontconfig_fonts.cache_clear()
            font_manager._get_fontconfig_fonts()
            return x
        def sigmoid(x):
            subprocess.run(["fc-list"], capture_output=True, check=False)
            return x
        """,
    )
    with Sandbox(sub, LIMITS, frameworks=sorted(FRAMEWORKS)) as box:
        _call(box, "identity", "activations", np.ones(2))
        assert box.security_events == []
        _call(box, "sigmoid", "activations", np.ones(2))
        assert len(box.security_events) == 1 and "ran a program" in box.security_events[0]


def test_the_submission_sees_a_plain_command_line_and_code_run_at_import_is_noted(tmp_path):
    sub = _submission(
        tmp_path / "sub",
        train="""
        import argparse, sys
        ARGV = list(sys.argv)
        def main(argv=None):
            args = argparse.ArgumentParser().parse_args(argv)
            print("epoch 1 loss : 0.25")
        main()
        def count(x):
            return x * 0 + len(ARGV)
        """,
    )
    with Sandbox(sub, LIMITS) as box:
        assert box.imports()["train"]["status"] == "ok"
        np.testing.assert_array_equal(_call(box, "count", "train", np.ones(1)), 1.0)
        assert any("importing your modules ran code" in note for note in box.review_notes)
        assert box.security_events == []


def test_importing_the_grader_or_the_reference_is_refused_and_flagged(tmp_path):
    sub = _submission(
        tmp_path / "sub",
        activations="""
        import importlib
        found = []
        for name in ("grader", "reference", "grader.lab.spec", "_lab1_grader_sandbox"):
            try:
                importlib.import_module(name)
                found.append(name)
            except ImportError:
                pass
        try:
            import grader.check  # noqa
            found.append("grader.check")
        except ImportError:
            pass
        def sigmoid(x):
            return x * 0 + len(found)
        """,
    )
    with Sandbox(sub, LIMITS) as box:
        np.testing.assert_array_equal(_call(box, "sigmoid", "activations", np.ones(1)), 0.0)
        events = " | ".join(box.security_events)
        assert "tried to import grader (the grader)" in events
        assert "tried to import reference (the instructor's solution)" in events


def test_generated_code_of_the_standard_library_is_not_flagged_but_exec_of_text_is(tmp_path):
    sub = _submission(
        tmp_path / "sub",
        activations="""
        import collections, dataclasses
        Pair = collections.namedtuple("Pair", "a b")
        @dataclasses.dataclass
        class Config:
            lr: float = 0.1
        def identity(x):
            return x * Config().lr * Pair(1, 2).b
        def sigmoid(x):
            scope = {}
            exec("def f(v):\\n    return v + 1", scope)
            return scope["f"](x)
        """,
    )
    with Sandbox(sub, LIMITS) as box:
        np.testing.assert_allclose(_call(box, "identity", "activations", np.ones(1)), 0.2)
        assert box.security_events == []
        np.testing.assert_array_equal(_call(box, "sigmoid", "activations", np.ones(1)), 2.0)
        assert any("ran code built at run time" in event for event in box.security_events)


NUMERICAL_BACKWARD = """
        def backward(self, y):
            x = self._x_for_numerical
            grads = {}
            for name, p in self.params.items():
                g = np.zeros_like(p)
                for index in np.ndindex(p.shape):
                    old = p[index]
                    p[index] = old + 1e-5
                    up = np.mean((self.forward(x) - y) ** 2)
                    p[index] = old - 1e-5
                    down = np.mean((self.forward(x) - y) ** 2)
                    p[index] = old
                    g[index] = (up - down) / 2e-5
                grads[name] = g
            self.forward(x)
            return grads
"""


def test_a_numerical_backward_is_noted_for_review_and_backpropagation_is_not(tmp_path):
    def backward_probe(sub: Path) -> list[str]:
        rng = np.random.default_rng(0)
        sizes = [2, 4, 4, 1]
        arrays = {"x": rng.random((5, 2)), "y": rng.random((5, 1))}
        for k in range(1, 4):
            arrays[f"W{k}"] = rng.normal(size=(sizes[k - 1], sizes[k]))
            arrays[f"b{k}"] = rng.normal(size=sizes[k])
        with Sandbox(sub, LIMITS) as box:
            box.request("backward", arrays, timeout=20, what="backward", sizes=sizes, activation="sigmoid", seed=0)
            return list(box.review_notes)

    honest = tmp_path / "honest"
    shutil.copytree(ROOT / "reference", honest, ignore=shutil.ignore_patterns("__pycache__"))
    assert backward_probe(honest) == []
    numerical = tmp_path / "numerical"
    shutil.copytree(ROOT / "reference", numerical, ignore=shutil.ignore_patterns("__pycache__"))
    text = (numerical / "network.py").read_text()
    start = text.index("    def backward(self, y):")
    end = text.index("    def update(self, grads):")
    text = text[:start] + textwrap.indent(textwrap.dedent(NUMERICAL_BACKWARD), "    ") + "\n" + text[end:]
    text = text.replace(
        "    def forward(self, x):\n", "    def forward(self, x):\n        self._x_for_numerical = x\n", 1
    )
    (numerical / "network.py").write_text(text)
    notes = backward_probe(numerical)
    assert len(notes) == 1 and "backward seems computed numerically" in notes[0], notes
