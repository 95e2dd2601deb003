"""AST scan of a submission's imports against the allow-list (stdlib, allowed packages, own modules)."""

from __future__ import annotations

import ast
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from grader.scan.tamper import PROBE_SERVER, find_tampering

DEFAULT_ALLOWED = ("numpy", "matplotlib")
MAX_FILES = 500
MAX_FILE_BYTES = 2 * 1024 * 1024
SKIPPED_DIRS = frozenset({"__pycache__", "__MACOSX"})

# Top-level import names of deep-learning / autodiff frameworks: using one defeats the lab.
FRAMEWORKS = frozenset(
    {
        "torch", "torchvision", "tensorflow", "tf_keras", "keras", "jax", "jaxlib", "flax",
        "sklearn", "scikit_learn", "autograd", "mxnet", "paddle", "theano", "chainer", "cupy",
        "mlx", "tinygrad", "micrograd", "pytorch_lightning", "lightning", "onnxruntime", "caffe2",
    }
)  # fmt: skip

# Calls that import the module named by their first argument.
_DYNAMIC_IMPORTERS = frozenset({"__import__", "import_module"})


@dataclass(frozen=True)
class ImportViolation:
    """One import of a module outside the allow-list."""

    path: str  # relative to the submission root, POSIX separators
    line: int
    module: str  # as written, e.g. "torch.nn"
    framework: bool
    via: str = ""  # "__import__" / "import_module" for a dynamic import with a literal name

    @property
    def top_level(self) -> str:
        """The top-level package, e.g. "torch" for "torch.nn"."""
        return self.module.split(".")[0]


@dataclass
class ScanReport:
    """What the scan found; `describe()` words it for students."""

    violations: list[ImportViolation] = field(default_factory=list)
    syntax_errors: list[tuple[str, int, str]] = field(default_factory=list)
    # Imports whose module name is computed at run time: suspicious, not forbidden.
    dynamic_imports: list[tuple[str, int, str]] = field(default_factory=list)
    # Code that reaches into the probe server, frames or the heap (grader/scan/tamper.py).
    tampering: list[tuple[str, int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # skipped files and the like
    files_scanned: int = 0
    allowed: tuple[str, ...] = DEFAULT_ALLOWED

    @property
    def frameworks(self) -> list[str]:
        """Sorted top-level names of the frameworks imported."""
        return sorted({v.top_level for v in self.violations if v.framework})

    @property
    def has_framework(self) -> bool:
        """True when any deep-learning framework is imported."""
        return any(v.framework for v in self.violations)

    @property
    def ok(self) -> bool:
        """True when no import is outside the allow-list."""
        return not self.violations

    def describe(self) -> list[str]:
        """One student-readable line per finding, by file and line, then the notes."""
        found = [(v.path, v.line, self._describe_violation(v)) for v in self.violations]
        found += [
            (
                path,
                line,
                f"{path}:{line} imports a module whose name is computed ({expr}); it cannot be checked statically",
            )
            for path, line, expr in self.dynamic_imports
        ]
        found += [
            (path, line, f"{path}:{line} cannot be parsed ({msg}); its imports were not checked")
            for path, line, msg in self.syntax_errors
        ]
        return [text for _, _, text in sorted(found)] + list(self.notes)

    def review(self) -> list[str]:
        """Findings that cost nothing but that a TA should look at: computed imports and the notes."""
        computed = [
            f"{path}:{line} imports a module whose name is computed ({expr})"
            for path, line, expr in self.dynamic_imports
        ]
        tampering = [
            f"{path}:{line} {what}: a TA should read this code"
            for path, line, what in self.tampering
            if PROBE_SERVER not in what
        ]
        return tampering + computed + list(self.notes)

    def probe_server_tampering(self) -> list[str]:
        """Code that reaches into the grader's probe server: the rubric's tamper policy applies."""
        return [f"{path}:{line} {what}" for path, line, what in self.tampering if PROBE_SERVER in what]

    def _describe_violation(self, v: ImportViolation) -> str:
        """'network.py:3 imports torch (...)'."""
        how = f" with {v.via}()" if v.via else ""
        if v.framework:
            why = "a deep-learning framework; not allowed in this lab"
        else:
            why = f"only {', '.join(self.allowed)} and the standard library are allowed"
        return f"{v.path}:{v.line} imports {v.module}{how} ({why})"


def scan_imports(root: Path, allowed: tuple[str, ...] = DEFAULT_ALLOWED) -> ScanReport:
    """Scan every .py file under root (recursively) for imports outside the allow-list."""
    root = Path(root)
    report = ScanReport(allowed=tuple(allowed))
    files = _python_files(root, report)
    own = _own_names(root, files)
    for path in files:
        rel = _rel(path, root)
        # Importable own modules: the root's, and those beside the file when it runs as a script.
        names = own[""] | own[Path(rel).parent.as_posix() if "/" in rel else ""] | _root_name(root)
        _scan_file(path, rel, names, report)
    _note_framework_names(files, root, report)
    return report


def _note_framework_names(files: list[Path], root: Path, report: ScanReport) -> None:
    """A student's own autograd.py is legitimate work (graded on its results), but a TA may want to look."""
    for path in files:
        rel = _rel(path, root)
        parts = Path(rel).with_suffix("").parts
        named = next((part for part in parts if part in FRAMEWORKS), None)
        if named:
            report.notes.append(f"{rel} is a module of the submission itself named like a framework ({named})")


def _python_files(root: Path, report: ScanReport) -> list[Path]:
    """The .py files to scan, in sorted order, within the caps; notes what was skipped."""
    real_root = root.resolve()
    kept: list[Path] = []
    # os.walk does not descend into symlinked folders (followlinks=False).
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(n for n in names if n.endswith(".py") and not n.startswith(".")):
            path = Path(folder) / name
            if not (_inside(path, real_root, root, report) and _small(path, root, report)):
                continue
            if len(kept) == MAX_FILES:
                report.notes.append(f"more than {MAX_FILES} Python files: only the first {MAX_FILES} were scanned")
                return kept
            kept.append(path)
    return kept


def _rel(path: Path, root: Path) -> str:
    """Path relative to the root, with POSIX separators."""
    return path.relative_to(root).as_posix()


def _inside(path: Path, real_root: Path, root: Path, report: ScanReport) -> bool:
    """False (with a note) for a symlink that leads outside the submission."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):
        report.notes.append(f"{_rel(path, root)}: skipped (unresolvable link)")
        return False
    if real_root not in target.parents:
        report.notes.append(f"{_rel(path, root)}: skipped (a link to a file outside the submission)")
        return False
    return target.is_file()


def _small(path: Path, root: Path, report: ScanReport) -> bool:
    """False (with a note) for a file over MAX_FILE_BYTES."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        mb = MAX_FILE_BYTES // (1024 * 1024)
        report.notes.append(f"{_rel(path, root)}: skipped ({size / 1e6:.1f} MB, over the {mb} MB scan limit)")
        return False
    return True


def _own_names(root: Path, files: list[Path]) -> dict[str, frozenset[str]]:
    """For each folder ("" for the root), the module and package names it holds."""
    names: dict[str, set[str]] = {"": set()}
    for path in files:
        parts = Path(_rel(path, root)).parts
        for depth, part in enumerate(parts):
            folder = "/".join(parts[:depth])
            names.setdefault(folder, set()).add(part[:-3] if depth == len(parts) - 1 else part)
    return {folder: frozenset(found) for folder, found in names.items()}


def _root_name(root: Path) -> frozenset[str]:
    """The submission folder's own name, for `from student.network import ...`."""
    name = root.resolve().name
    # A folder named like a framework must not exempt that framework.
    return frozenset({name}) if name.isidentifier() and name not in FRAMEWORKS else frozenset()


def _scan_file(path: Path, rel: str, own: frozenset[str], report: ScanReport) -> None:
    """Scan one file; a file that does not parse is reported, never raised."""
    report.files_scanned += 1
    try:
        source = path.read_bytes()
        tree = ast.parse(source, filename=rel)
    except SyntaxError as exc:
        report.syntax_errors.append((rel, exc.lineno or 0, exc.msg))
        return
    except (ValueError, RecursionError, MemoryError, OSError) as exc:
        # ValueError: null bytes; RecursionError: absurdly nested code; OSError: vanished file.
        report.syntax_errors.append((rel, 0, f"{type(exc).__name__}: {exc}"))
        return
    for line, module, via in _imports(tree):
        _judge(report, rel, line, module, via, own)
    report.dynamic_imports.extend((rel, line, expr) for line, expr in _computed_imports(tree, source))
    report.tampering.extend((rel, line, what) for line, what in find_tampering(tree))


def _judge(report: ScanReport, rel: str, line: int, module: str, via: str, own: frozenset[str]) -> None:
    """Record `module` as a violation unless it is allowed."""
    if not module or module.startswith("."):  # relative imports stay inside the submission
        return
    top = module.split(".")[0]
    if top in own:  # a module of the submission named like a framework is noted by _note_framework_names
        return
    if top in sys.stdlib_module_names or top in report.allowed:
        return
    report.violations.append(ImportViolation(rel, line, module, top in FRAMEWORKS, via))


def _imports(tree: ast.AST) -> list[tuple[int, str, str]]:
    """(line, module, via) of every import statement and literal dynamic import, in source order."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module, ""))
        elif _is_dynamic_import(node) and (name := _literal_name(node)) is not None:
            found.append((node.lineno, name, _callee(node)))
    return sorted(found, key=lambda entry: entry[0])


def _computed_imports(tree: ast.AST, source: bytes) -> list[tuple[int, str]]:
    """(line, source text) of dynamic imports whose module name is not a string literal."""
    text = source.decode("utf-8", errors="replace")
    found = []
    for node in ast.walk(tree):
        if _is_dynamic_import(node) and _literal_name(node) is None:
            found.append((node.lineno, ast.get_source_segment(text, node) or ast.unparse(node)))
    return sorted(found)


def _callee(node: ast.Call) -> str:
    """Name of the called function: 'foo' for foo(...) and for x.foo(...)."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_dynamic_import(node: ast.AST) -> TypeGuard[ast.Call]:
    """A call of __import__ or (importlib.)import_module."""
    return isinstance(node, ast.Call) and _callee(node) in _DYNAMIC_IMPORTERS


def _literal_name(node: ast.Call) -> str | None:
    """The module name of a dynamic import when it is a string literal, else None."""
    arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    return None
