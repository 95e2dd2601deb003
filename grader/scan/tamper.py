"""AST search for code that reaches into the process around it: the probe server, frames, the heap.

A submission runs in the same process as the child's probe server, so it can rewrite the server's
replies; no sandbox stops that. These constructs have no use in the lab, so finding one is a flag
for a TA to read the code (never a penalty by itself).
"""

from __future__ import annotations

import ast

# Attribute names that walk frames, the heap or the interpreter's hooks.
_INTROSPECTION = {
    "_getframe": "reads interpreter frames (sys._getframe)",
    "currentframe": "reads interpreter frames (inspect.currentframe)",
    "stack": None,  # only as inspect.stack, checked below
    "f_back": "walks interpreter frames (f_back)",
    "f_globals": "reads a frame's globals (f_globals)",
    "f_locals": "reads a frame's locals (f_locals)",
    "tb_frame": "reads interpreter frames (tb_frame)",
    "get_objects": "walks the heap (gc.get_objects)",
    "get_referrers": "walks the heap (gc.get_referrers)",
    "get_referents": "walks the heap (gc.get_referents)",
    "settrace": "installs a tracer (settrace)",
    "setprofile": "installs a profiler hook (setprofile)",
    "addaudithook": "installs an audit hook (sys.addaudithook)",
}
GRADER_PREFIX = "_lab1_grader"
PROBE_SERVER = "reaches the grader's probe server"  # no honest use: the rubric's tamper policy applies


def find_tampering(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for each construct that reaches into the probe server or the interpreter."""
    found = []
    for node in ast.walk(tree):
        what = _judge(node)
        if what:
            found.append((getattr(node, "lineno", 0), what))
    return sorted(set(found))


def _judge(node: ast.AST) -> str | None:
    if isinstance(node, ast.Subscript) and _is_modules(node.value) and _is_main(node.slice):
        return f"{PROBE_SERVER} (sys.modules['__main__'])"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and _is_modules(node.func.value)
        and node.args
        and _is_main(node.args[0])
    ):
        return f"{PROBE_SERVER} (sys.modules.get('__main__'))"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
        if "__main__" in names:
            return f"{PROBE_SERVER} (import __main__)"
    if isinstance(node, ast.Attribute):
        if node.attr.startswith(GRADER_PREFIX):
            return f"{PROBE_SERVER} ({node.attr})"
        if node.attr == "stack":
            return "reads interpreter frames (inspect.stack)" if _named(node.value, "inspect") else None
        return _INTROSPECTION.get(node.attr)
    if isinstance(node, ast.Name) and node.id.startswith(GRADER_PREFIX):
        return f"{PROBE_SERVER} ({node.id})"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(GRADER_PREFIX):
        return f"{PROBE_SERVER} ('{node.value[:40]}')"
    return None


def _is_modules(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "modules"


def _is_main(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == "__main__"


def _named(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
