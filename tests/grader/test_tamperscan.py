"""The tamper scan flags code that reaches into the probe server, and nothing an honest lab uses."""

import ast
from pathlib import Path

import pytest

from grader.scan.imports import scan_imports
from grader.scan.tamper import find_tampering

ROOT = Path(__file__).resolve().parents[2]


def found(source: str) -> list[str]:
    return [what for _, what in find_tampering(ast.parse(source))]


@pytest.mark.parametrize(
    "source, words",
    [
        ("import sys\nmain = sys.modules['__main__']", "sys.modules['__main__']"),
        ("import sys\nmain = sys.modules.get('__main__')", "sys.modules.get('__main__')"),
        ("import __main__", "import __main__"),
        ("from __main__ import Child", "import __main__"),
        ("import sys\nx = sys.modules['_lab1_grader_protocol']", "_lab1_grader_protocol"),
        ("import sys\nf = sys._getframe(1)", "sys._getframe"),
        ("import inspect\nf = inspect.currentframe().f_back", "f_back"),
        ("import inspect\ns = inspect.stack()", "inspect.stack"),
        ("import gc\nobjs = gc.get_objects()", "gc.get_objects"),
        ("import sys\nsys.settrace(None)", "settrace"),
        ("import sys\nsys.addaudithook(print)", "sys.addaudithook"),
    ],
)
def test_tampering_found(source, words):
    assert any(words in what for what in found(source)), found(source)


@pytest.mark.parametrize(
    "source",
    [
        "if __name__ == '__main__':\n    main()",
        "import numpy as np\nx = np.stack([np.ones(2), np.zeros(2)])",
        "import sys\nprint(sys.modules.keys())",
        "history = []\nhistory.append(1.0)",
    ],
)
def test_honest_code_not_flagged(source):
    assert found(source) == []


@pytest.mark.parametrize("folder", ["reference", "student"])
def test_lab_folders_have_nothing_to_review(folder):
    assert scan_imports(ROOT / folder).review() == []


def test_probe_server_reach_is_tampering_and_introspection_is_for_review(tmp_path):
    (tmp_path / "network.py").write_text("import sys\n\nmain = sys.modules['__main__']\nf = sys._getframe()\n")
    report = scan_imports(tmp_path)
    assert report.probe_server_tampering() == [
        "network.py:3 reaches the grader's probe server (sys.modules['__main__'])"
    ]
    assert report.review() == ["network.py:4 reads interpreter frames (sys._getframe): a TA should read this code"]
