"""student/ is generated from reference/ by its solution markers, and holds no solution."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.release.skeleton import (
    MarkerError,
    skeleton_differences,
    skeleton_files,
    solution_lines,
    strip_solutions,
    write_skeleton,
)
from tests.release.installs import ROOT
from tests.support.fixtures import materialize

REFERENCE, STUDENT = ROOT / "reference", ROOT / "student"
# Code a TODO message must never contain: it states the task, not the formula or the code.
FORMULA = re.compile(
    "|".join(
        [
            r"@",
            r"\breturn\s+(np\.|float\(|self\.|[a-z_]+\s*[-+*/@(]|\(|\d)",
            r"\(1 -",
            r"1 - y",
            r"exp\(-",
            r"\+=",
            r"-=",
            r"\.T\b",
            r"/ pred\.size",
            r"np\.(mean|sum|where|maximum|tanh)",
            r"\.sum\(",
            r"\* \(",
            r"\by \*",
        ]
    )
)


def test_committed_student_is_what_the_generator_makes():
    assert skeleton_differences(REFERENCE, STUDENT) == [], "run python -m grader.release.skeleton"


def test_student_holds_no_line_of_a_solution_block():
    for path in sorted(REFERENCE.glob("*.py")):
        source = path.read_text()
        solution = solution_lines(source)
        outside = re.sub(r"### BEGIN SOLUTION\n.*?### END SOLUTION\n", "", source, flags=re.S)
        provided = {line.strip().lstrip("#").strip() for line in outside.splitlines()}  # main(), starters
        student = {line.strip() for line in (STUDENT / path.name).read_text().splitlines()}
        leaked = [line for line in solution if re.search(r"\w", line) and line not in provided and line in student]
        assert not leaked, f"{path.name}: {leaked}"
        assert "BEGIN SOLUTION" not in (STUDENT / path.name).read_text()


def _todo_messages() -> list[tuple[str, str]]:
    found = []
    for name, text in skeleton_files(REFERENCE).items():
        for match in re.finditer(r"raise NotImplementedError\(\s*((?:(?:\"[^\"]*\"|'[^']*')\s*)+)\)", text):
            message = "".join(eval(piece) for piece in re.findall(r"\"[^\"]*\"|'[^']*'", match.group(1)))  # noqa: S307
            found.append((name, message))
    return found


def test_todo_messages_state_the_task_never_the_formula():
    messages = _todo_messages()
    assert len(messages) >= 20
    for name, message in messages:
        assert message.startswith("TODO"), (name, message)
        assert not FORMULA.search(message), f"{name}: {message}"
    by_text = " ".join(m for _, m in messages)
    assert "OUTPUT" in by_text and "MEAN over all" in by_text  # the contract's conventions are said


def test_stub_replaces_the_block_at_the_markers_indentation():
    source = (
        'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    ### TODO: double x;\n    ### keep its shape\n'
        "    return 2 * x\n    ### END SOLUTION\n\n\nKEEP = 1\n"
    )
    assert strip_solutions(source) == (
        'def f(x):\n    """Doc."""\n    raise NotImplementedError("TODO: double x; keep its shape")\n\n\nKEEP = 1\n'
    )


def test_starter_block_replaces_the_solution_uncommented():
    source = "### BEGIN SOLUTION\n### TODO: tune\nLR = 0.05\n### END SOLUTION\n### BEGIN STARTER\n# LR = 1.0\n#\n### END STARTER\n"
    assert strip_solutions(source) == "LR = 1.0\n\n"


def test_long_todo_is_wrapped_into_valid_string_pieces():
    task = "say " + "word " * 60 + 'with "quotes" inside'
    text = strip_solutions(f"def f():\n    ### BEGIN SOLUTION\n    ### TODO: {task}\n    pass\n    ### END SOLUTION\n")
    assert all(len(line) <= 100 for line in text.splitlines())
    namespace: dict = {}
    exec(text, namespace)  # noqa: S102
    with pytest.raises(NotImplementedError) as info:
        namespace["f"]()
    assert str(info.value) == f"TODO: {task}"


@pytest.mark.parametrize(
    "source,problem",
    [
        ("### BEGIN SOLUTION\n### TODO: x\nx = 1\n", "no '### END SOLUTION'"),
        ("x = 1\n### END SOLUTION\n", "without a '### BEGIN SOLUTION'"),
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "opens with a '### TODO: <task>'"),
        ("### BEGIN SOLUTION\n### TODO: x\n### BEGIN SOLUTION\n### END SOLUTION\n", "before '### END SOLUTION'"),
        (
            "### BEGIN SOLUTION\n### TODO: x\nX = 1\n### END SOLUTION\n### BEGIN STARTER\nX = 2\n### END STARTER\n",
            "starter lines are comments",
        ),
        ("def f():\n### BEGIN SOLUTION\n### TODO: x\n    pass\n### END SOLUTION\n", "does not parse"),
    ],
)
def test_malformed_markers_are_errors_with_file_and_line(source, problem):
    with pytest.raises(MarkerError, match=re.escape(problem)) as info:
        strip_solutions(source, "ref/m.py")
    assert str(info.value).startswith("ref/m.py:")


def test_any_reference_module_with_markers_is_handled(tmp_path):
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "conv.py").write_text(
        '"""Conv."""\n\n\nclass Conv1D:\n    def forward(self, x):\n'
        "        ### BEGIN SOLUTION\n        ### TODO: the convolution\n"
        "        return x\n        ### END SOLUTION\n"
    )
    (reference / "notes.txt").write_text("kept\n")
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "stale.py").write_text("x = 1\n")
    write_skeleton(reference, tmp_path / "student")
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == ["conv.py", "notes.txt"]
    assert 'raise NotImplementedError("TODO: the convolution")' in (tmp_path / "student" / "conv.py").read_text()
    assert skeleton_differences(reference, tmp_path / "student") == []


def test_provided_modules_are_copied_unchanged():
    for name in ("data.py", "gradcheck.py"):
        assert (STUDENT / name).read_bytes() == (REFERENCE / name).read_bytes()


def _gradcheck(package: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    import shutil

    shutil.copytree(package, tmp_path / "student", ignore=shutil.ignore_patterns("__pycache__"))
    return subprocess.run(
        [sys.executable, "-m", "student.gradcheck"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_gradcheck_passes_the_reference(tmp_path):
    done = _gradcheck(REFERENCE, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("OK") == 6 and "all gradients match" in done.stdout


def test_gradcheck_names_the_parameters_whose_gradient_is_off(tmp_path):
    materialize("grad_bias_not_summed", tmp_path / "sub")
    done = _gradcheck(tmp_path / "sub", tmp_path / "run")
    assert done.returncode == 1, done.stdout + done.stderr
    wrong = {line.split(":")[0].strip() for line in done.stdout.splitlines() if "WRONG" in line}
    assert wrong and wrong <= {"b1", "b2", "b3"}, done.stdout


def test_gradcheck_says_what_is_not_written_yet(tmp_path):
    done = _gradcheck(STUDENT, tmp_path)
    assert done.returncode == 2 and "not written yet: TODO" in done.stdout and "Traceback" not in done.stderr


def test_skeleton_check_command_reports_drift(tmp_path):
    student = tmp_path / "student"
    write_skeleton(REFERENCE, student)
    (student / "losses.py").write_text("# edited\n")
    done = subprocess.run(
        [sys.executable, "-m", "grader.release.skeleton", str(REFERENCE), str(student), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "losses.py: differs" in done.stderr
