"""The student skeleton, generated from reference/ by its solution markers.

    python -m grader.release.skeleton [REFERENCE_DIR] [STUDENT_DIR] [--check]

Markers, in the manner of nbgrader (whose `### BEGIN SOLUTION` / `### END SOLUTION` regions become
`raise NotImplementedError()` at the indentation of the markers):

    def derivative_sigmoid(y):
        \"\"\"...\"\"\"
        ### BEGIN SOLUTION
        ### TODO: the sigmoid's derivative, from its OUTPUT y; same shape as y
        return ...
        ### END SOLUTION

becomes `raise NotImplementedError("TODO: the sigmoid's derivative, ...")`. The `### TODO:` lines
(or `### TODO (extra):`, continued by further `###` lines) open every solution block: each stub says what to do. A block
followed directly by `### BEGIN STARTER` ... `### END STARTER` is replaced instead by the starter's
lines, written as `# `-comments in the reference (so the reference runs unchanged): starting
values the student is meant to change, such as config.py's. Files without markers are provided
code, copied as they are.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_STARTER, END_STARTER = "### BEGIN STARTER", "### END STARTER"
TODO = re.compile(r"^###\s*(TODO\b[^:]*:.*)$")  # "### TODO: task" or "### TODO (extra): task"
MARKER = re.compile(r"^\s*###\s*(BEGIN|END)\s+(SOLUTION|STARTER)\b")
LINE_WIDTH = 100
SKIPPED = ("__pycache__", ".pyc")


class MarkerError(ValueError):
    """A malformed solution marker; str() is 'path:line: what is wrong'."""


@dataclass
class Block:
    """One solution block: where it starts and ends, its TODO text and its starter lines."""

    indent: str
    todo: str
    starter: list[str] | None


def _marker(line: str) -> str | None:
    """'BEGIN SOLUTION', 'END STARTER', ... for a marker line, else None."""
    match = MARKER.match(line)
    return f"{match.group(1)} {match.group(2)}" if match else None


def _todo_text(lines: list[str], where: str) -> tuple[str, int]:
    """The TODO text opening a solution block ("TODO: ..."), and how many lines it spans."""
    first = TODO.match(lines[0].strip()) if lines else None
    if first is None:
        raise MarkerError(f"{where}: a solution block opens with a '### TODO: <task>' line saying what to do")
    parts, used = [first.group(1).strip()], 1
    while used < len(lines) and lines[used].strip().startswith("###") and _marker(lines[used]) is None:
        parts.append(lines[used].strip().lstrip("#").strip())
        used += 1
    return " ".join(p for p in parts if p), used


def _uncomment(line: str, indent: str, where: str) -> str:
    """A starter line without its '# ' (the reference keeps starters as comments)."""
    body = line[len(indent) :] if line.startswith(indent) else line.lstrip()
    if body.rstrip() == "#":
        return ""
    if not body.startswith("# "):
        raise MarkerError(f"{where}: starter lines are comments ('# ' + the student's code) at the marker's indent")
    return indent + body[2:].rstrip()


def _raise_todo(indent: str, todo: str) -> list[str]:
    """`raise NotImplementedError("TODO: ...")`, wrapped into string pieces under LINE_WIDTH."""
    text = todo
    one_line = f"{indent}raise NotImplementedError({_quote(text)})"
    if len(one_line) <= LINE_WIDTH:
        return [one_line]
    pieces = textwrap.wrap(
        text, width=LINE_WIDTH - len(indent) - 8, break_long_words=False, break_on_hyphens=False, drop_whitespace=False
    )
    quoted = [f"{indent}    {_quote(piece)}" for piece in pieces]
    return [f"{indent}raise NotImplementedError("] + quoted[:-1] + [quoted[-1] + ")"]


def _quote(text: str) -> str:
    """A Python string literal, double-quoted unless the text holds a double quote."""
    return f'"{text}"' if '"' not in text and "\\" not in text else repr(text)


def strip_solutions(source: str, name: str = "<module>") -> str:
    """The student version of one reference module's source."""
    lines = source.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        kind = _marker(lines[i])
        where = f"{name}:{i + 1}"
        if kind is None:
            out.append(lines[i])
            i += 1
            continue
        if kind != "BEGIN SOLUTION":
            raise MarkerError(f"{where}: '{lines[i].strip()}' without a '{BEGIN}' before it")
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        end = _find(lines, i + 1, "END SOLUTION", where)
        todo, _ = _todo_text(lines[i + 1 : end], where)
        i = end + 1
        if i < len(lines) and _marker(lines[i]) == "BEGIN STARTER":
            starter_end = _find(lines, i + 1, "END STARTER", f"{name}:{i + 1}")
            out.extend(
                _uncomment(line, indent, f"{name}:{j + 1}")
                for j, line in enumerate(lines[i + 1 : starter_end], start=i + 1)
            )
            i = starter_end + 1
        else:
            out.extend(_raise_todo(indent, todo))
    text = "\n".join(out) + ("\n" if source.endswith("\n") else "")
    try:
        ast.parse(text, filename=name)
    except SyntaxError as exc:
        raise MarkerError(f"{name}:{exc.lineno}: the student version does not parse: {exc.msg}") from None
    return text


def _find(lines: list[str], start: int, kind: str, where: str) -> int:
    """Index of the closing marker `kind`; MarkerError for a nested or missing one."""
    for j in range(start, len(lines)):
        found = _marker(lines[j])
        if found == kind:
            return j
        if found is not None:
            raise MarkerError(f"{where}: '{lines[j].strip()}' (line {j + 1}) before '### {kind}'")
    raise MarkerError(f"{where}: no '### {kind}' after this marker")


def solution_lines(source: str) -> list[str]:
    """The stripped code lines inside solution blocks (not comments, not blank)."""
    found, inside = [], False
    for line in source.splitlines():
        kind = _marker(line)
        if kind in ("BEGIN SOLUTION", "END SOLUTION"):
            inside = kind == "BEGIN SOLUTION"
        elif inside and line.strip() and not line.strip().startswith("#"):
            found.append(line.strip())
    return found


def reference_files(reference_dir: Path) -> list[Path]:
    """The files of the reference package that the skeleton carries, sorted."""
    return sorted(
        p
        for p in Path(reference_dir).rglob("*")
        if p.is_file() and not any(s in p.parts[-1] or s in p.parts for s in SKIPPED)
    )


def skeleton_files(reference_dir: Path) -> dict[str, str]:
    """Relative path -> text of every file of the student package."""
    reference_dir = Path(reference_dir)
    files = {}
    for path in reference_files(reference_dir):
        relative = path.relative_to(reference_dir).as_posix()
        text = path.read_text(encoding="utf-8")
        files[relative] = strip_solutions(text, f"{reference_dir.name}/{relative}") if path.suffix == ".py" else text
    return files


def write_skeleton(reference_dir: Path, student_dir: Path) -> list[Path]:
    """Write the student package into student_dir (files of it that the reference lacks are removed)."""
    files = skeleton_files(reference_dir)
    student_dir = Path(student_dir)
    for stale in reference_files(student_dir) if student_dir.is_dir() else []:
        if stale.relative_to(student_dir).as_posix() not in files:
            stale.unlink()
    written = []
    for relative, text in files.items():
        target = student_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def skeleton_differences(reference_dir: Path, student_dir: Path) -> list[str]:
    """Files of student_dir that are not what the generator makes (empty: they are equal)."""
    files = skeleton_files(reference_dir)
    present = {p.relative_to(student_dir).as_posix(): p for p in reference_files(student_dir)}
    problems = [f"{name}: missing" for name in sorted(set(files) - set(present))]
    problems += [f"{name}: not made from the reference" for name in sorted(set(present) - set(files))]
    problems += [
        f"{name}: differs"
        for name in sorted(set(files) & set(present))
        if present[name].read_text(encoding="utf-8") != files[name]
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    """Regenerate STUDENT_DIR (default student/) from REFERENCE_DIR (default reference/); --check compares."""
    args = sys.argv[1:] if argv is None else list(argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    reference_dir = Path(paths[0] if paths else "reference")
    student_dir = Path(paths[1] if len(paths) > 1 else "student")
    try:
        if check:
            problems = skeleton_differences(reference_dir, student_dir)
            for problem in problems:
                print(f"{student_dir}/{problem}; run python -m grader.release.skeleton", file=sys.stderr)
            return 1 if problems else 0
        write_skeleton(reference_dir, student_dir)
    except MarkerError as exc:
        print(f"grade: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {student_dir}/ from {reference_dir}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
