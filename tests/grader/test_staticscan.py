"""Tests of grader.scan.imports: forbidden, dynamic and own-module imports of a submission."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from grader.scan import imports as staticscan
from grader.scan.imports import FRAMEWORKS, ImportViolation, scan_imports


def make(root: Path, files: dict[str, str]) -> Path:
    """Write a submission tree and return its root."""
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root


def modules(report) -> list[tuple[str, int, str, bool]]:
    """(path, line, module, framework) of each violation."""
    return [(v.path, v.line, v.module, v.framework) for v in report.violations]


def test_torch_import_found_with_line(tmp_path):
    root = make(tmp_path, {"network.py": "import numpy as np\n\nimport torch\n"})
    report = scan_imports(root)
    assert modules(report) == [("network.py", 3, "torch", True)]
    assert report.has_framework and report.frameworks == ["torch"] and not report.ok
    assert report.describe() == ["network.py:3 imports torch (a deep-learning framework; not allowed in this lab)"]


def test_from_import_and_alias(tmp_path):
    root = make(tmp_path, {"a.py": "from torch import nn\n", "b.py": "import tensorflow as tf\n"})
    assert modules(scan_imports(root)) == [("a.py", 1, "torch", True), ("b.py", 1, "tensorflow", True)]


def test_submodule_import_keeps_dotted_name(tmp_path):
    report = scan_imports(make(tmp_path, {"a.py": "import torch.nn.functional as F\n"}))
    assert report.violations[0].module == "torch.nn.functional"
    assert report.violations[0].top_level == "torch"


def test_dunder_import_literal(tmp_path):
    report = scan_imports(make(tmp_path, {"a.py": "x = 1\nj = __import__('jax')\n"}))
    assert report.violations == [ImportViolation("a.py", 2, "jax", True, "__import__")]
    assert "a.py:2 imports jax with __import__()" in report.describe()[0]


def test_importlib_import_module_literal(tmp_path):
    src = "import importlib\nfrom importlib import import_module\nimportlib.import_module('sklearn')\nimport_module('keras.layers')\n"
    report = scan_imports(make(tmp_path, {"a.py": src}))
    assert modules(report) == [("a.py", 3, "sklearn", True), ("a.py", 4, "keras.layers", True)]


def test_computed_import_is_noted_not_a_violation(tmp_path):
    src = "import importlib\nname = 'to' + 'rch'\nm = importlib.import_module(name)\nn = __import__(name + 'x')\n"
    report = scan_imports(make(tmp_path, {"a.py": src}))
    assert report.ok
    assert report.dynamic_imports == [
        ("a.py", 3, "importlib.import_module(name)"),
        ("a.py", 4, "__import__(name + 'x')"),
    ]
    assert any("computed" in line for line in report.describe())


def test_stdlib_and_allowed_imports_pass(tmp_path):
    src = """\
        from __future__ import annotations
        import os, sys, math, json, argparse
        from collections import defaultdict
        import numpy as np
        from numpy.linalg import norm
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        """
    report = scan_imports(make(tmp_path, {"train.py": src}))
    assert report.ok and report.describe() == [] and report.files_scanned == 1


def test_non_framework_third_party_is_a_violation(tmp_path):
    report = scan_imports(make(tmp_path, {"a.py": "import scipy.special\n"}))
    assert modules(report) == [("a.py", 1, "scipy.special", False)]
    assert not report.has_framework
    assert "only numpy, matplotlib and the standard library are allowed" in report.describe()[0]


def test_allowed_is_configurable(tmp_path):
    root = make(tmp_path, {"a.py": "import scipy\nimport numpy\n"})
    assert modules(scan_imports(root, allowed=("scipy",))) == [("a.py", 2, "numpy", False)]


def test_own_modules_allowed(tmp_path):
    root = tmp_path / "student"
    make(
        root,
        {
            "__init__.py": "",
            "network.py": "from .activations import sigmoid\nfrom . import losses\n",
            "activations.py": "import numpy as np\n",
            "losses.py": "",
            "train.py": "import network\nfrom .network import Network\nfrom student.network import Network\n"
            "import importlib\nimportlib.import_module('.network', package='student')\n",
            "tools/helper.py": "import util\nimport network\nfrom tools import util\n",
            "tools/util.py": "",
        },
    )
    report = scan_imports(root)
    assert report.ok, report.describe()
    assert report.files_scanned == 7


def test_package_folder_inside_root_allowed(tmp_path):
    root = make(tmp_path, {"main.py": "from student.network import Network\n", "student/network.py": ""})
    assert scan_imports(root).ok


def test_root_named_like_framework_does_not_exempt_it(tmp_path):
    root = make(tmp_path / "torch", {"a.py": "import torch\n"})
    assert modules(scan_imports(root)) == [("a.py", 1, "torch", True)]


def test_own_module_named_like_framework_is_allowed_with_note(tmp_path):
    root = make(tmp_path, {"autograd.py": "import math\n", "net.py": "import autograd\n"})
    report = scan_imports(root)
    assert report.ok
    assert report.notes == ["autograd.py is a module of the submission itself named like a framework (autograd)"]


def test_syntax_error_reported_not_raised(tmp_path):
    root = make(tmp_path, {"bad.py": "import numpy\ndef f(:\n", "good.py": "import torch\n"})
    report = scan_imports(root)
    assert [(p, line) for p, line, _ in report.syntax_errors] == [("bad.py", 2)]
    assert modules(report) == [("good.py", 1, "torch", True)]
    assert any(line.startswith("bad.py:2 cannot be parsed") for line in report.describe())


def test_null_bytes_reported(tmp_path):
    (tmp_path / "a.py").write_bytes(b"import os\x00\n")
    assert [p for p, _, _ in scan_imports(tmp_path).syntax_errors] == ["a.py"]


def test_skipped_folders_and_nested_files(tmp_path):
    root = make(
        tmp_path,
        {
            "__pycache__/x.py": "import torch\n",
            ".venv/lib/y.py": "import torch\n",
            "__MACOSX/._z.py": "import torch\n",
            ".hidden.py": "import torch\n",
            "deep/er/w.py": "import jax\n",
        },
    )
    assert modules(scan_imports(root)) == [("deep/er/w.py", 1, "jax", True)]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_outside_root_not_followed(tmp_path):
    outside = make(tmp_path / "outside", {"evil.py": "import torch\n", "pkg/m.py": "import jax\n"})
    root = make(tmp_path / "sub", {"ok.py": "import numpy\n"})
    (root / "link.py").symlink_to(outside / "evil.py")
    (root / "pkgdir").symlink_to(outside / "pkg", target_is_directory=True)
    report = scan_imports(root)
    assert report.ok and report.files_scanned == 1
    assert report.notes == ["link.py: skipped (a link to a file outside the submission)"]


def test_big_file_skipped_with_note(tmp_path, monkeypatch):
    monkeypatch.setattr(staticscan, "MAX_FILE_BYTES", 100)
    root = make(tmp_path, {"big.py": "import torch\n" + "#" * 200 + "\n", "small.py": "import os\n"})
    report = scan_imports(root)
    assert report.ok and report.files_scanned == 1
    assert report.notes[0].startswith("big.py: skipped (")


def test_file_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(staticscan, "MAX_FILES", 3)
    root = make(tmp_path, {f"m{i}.py": "import os\n" for i in range(5)})
    report = scan_imports(root)
    assert report.files_scanned == 3
    assert "only the first 3" in report.notes[0]


def test_frameworks_list_is_the_contract():
    assert {"torch", "tensorflow", "jax", "sklearn", "micrograd", "tinygrad"} <= FRAMEWORKS
