"""The child's import guard: no framework, no grader package, no editable install of the grader."""

import sys

from .audit import Audit


class ImportGuard:
    """First finder on sys.meta_path: refuses frameworks and the grader's own packages. The audit
    hook's "import" event only fires for the import statement and __import__; importlib.import_module
    goes through the meta path alone."""

    def __init__(self, audit):
        self.audit = audit

    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in self.audit.frameworks:
            self.audit._record(f"import of {name}")
            raise ImportError(f"importing {top} is not allowed in this lab (NumPy only)")
        if top in Audit.INTERNAL:
            self.audit._security(f"tried to import {name} ({Audit.INTERNAL[top]})")
            raise ImportError(f"importing {top} is not allowed while grading")
        return None


def forget_editable_installs():
    """Drop the import hooks of editable installs (``pip install -e .`` of the grader maps ``grader``,
    ``reference`` and ``student`` to the repository): the submission may import the standard library,
    site-packages and its own files, never the grader's, nor fall back to the skeleton's modules."""
    editable = lambda obj: "__editable__" in (getattr(obj, "__module__", "") or "")  # noqa: E731
    sys.meta_path[:] = [f for f in sys.meta_path if not editable(f) and not editable(type(f))]
    sys.path_hooks[:] = [h for h in sys.path_hooks if not editable(h) and not editable(getattr(h, "__self__", None))]
    sys.path[:] = [p for p in sys.path if not str(p).startswith("__editable__")]
    sys.path_importer_cache.clear()
