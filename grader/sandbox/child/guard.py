"""The child's import guard: no framework, no grader package, no editable install of the grader."""

import sys

from .audit import Audit


class ImportGuard:
    """First finder on sys.meta_path: refuses frameworks and the grader's own packages. The audit
    hook's "import" event only fires for the import statement and __import__; importlib.import_module
    goes through the meta path alone.

    It holds no attribute: what it decides with is bound in the keyword defaults of find_spec,
    which the audit hook does not let the submission read or replace; the hook also puts the guard
    back first on sys.meta_path when it was removed or its method replaced (Audit.protect_guard).
    A framework name that is a module of the submission is the student's: it is imported from the
    submission, never from site-packages."""

    __slots__ = ()


def make_guard(audit, student_root):
    """An ImportGuard deciding with `audit`'s policy; student_root is where the submission's own
    top-level modules live (a flat `import autograd` of its autograd.py)."""
    from importlib.machinery import PathFinder

    def find_spec(
        self,
        name,
        path=None,
        target=None,
        *,
        _audit=audit,
        _internal=Audit.INTERNAL,
        _root=[student_root],  # noqa: B006 - never mutated
        _finder=PathFinder,
    ):
        top = name.split(".")[0]
        if top in _audit.own_modules and name == top and top not in _internal:
            return _finder.find_spec(name, _root)
        if top in _audit.frameworks:
            _audit._record(f"import of {name}")
            raise ImportError(f"importing {top} is not allowed in this lab (NumPy only)")
        if top in _internal:
            _audit._security(f"tried to import {name} ({_internal[top]})")
            raise ImportError(f"importing {top} is not allowed while grading")
        return None

    type.__setattr__(ImportGuard, "find_spec", find_spec)  # a class attribute of a slotted class
    guard = ImportGuard()
    audit.protect_guard(guard)
    return guard


def forget_editable_installs():
    """Drop the import hooks of editable installs (``pip install -e .`` of the grader maps ``grader``,
    ``reference`` and ``student`` to the repository): the submission may import the standard library,
    site-packages and its own files, never the grader's, nor fall back to the skeleton's modules."""
    editable = lambda obj: "__editable__" in (getattr(obj, "__module__", "") or "")  # noqa: E731
    sys.meta_path[:] = [f for f in sys.meta_path if not editable(f) and not editable(type(f))]
    sys.path_hooks[:] = [h for h in sys.path_hooks if not editable(h) and not editable(getattr(h, "__self__", None))]
    sys.path[:] = [p for p in sys.path if not str(p).startswith("__editable__")]
    sys.path_importer_cache.clear()
