import importlib
import sys

guard = sys.meta_path[0]
finder = type(guard)
stolen = []
# 1. read the guard's state (its audit object would let the attack erase its own flags)
for read in (lambda: finder.__dict__["find_spec"].__kwdefaults__, lambda: finder.find_spec.__defaults__,
             lambda: finder.find_spec.__code__):
    try:
        stolen.append(read())
    except PermissionError:
        pass
for state in stolen:
    if isinstance(state, dict) and "_audit" in state:
        state["_audit"].frameworks = frozenset()
        state["_audit"].security.clear()
# 2. switch it off: replace its method, take it off sys.meta_path, then import under a computed name
finder.find_spec = lambda self, name, path=None, target=None: None
sys.meta_path.remove(guard)
try:
    importlib.import_module("micro" + "grad")
except ImportError:
    pass
import colorsys  # noqa: E402,F401  (a new import: the guard must be back by now)


def still_refuses():
    try:
        return finder.find_spec(guard, "reference") is not None
    except ImportError:
        return True


if stolen or sys.meta_path[0] is not guard or not still_refuses():
    raise RuntimeError(f"ATTACK-SUCCEEDED: the import guard stayed off or its state was read "
                       f"({len(stolen)} read, first {sys.meta_path[0] is guard}, refuses {still_refuses()})")
