import json as _json
import os as _os
HINTS = _json.load(open(_os.path.join(_os.path.dirname(__file__), "hints.json")))
from .libc_io import _ct, _libc, raw_read, raw_write  # tests/attacks/_shared/libc_io.py
import importlib
import os
source = None
for attempt in (lambda: __import__("reference.network"), lambda: importlib.import_module("refer" + "ence.network")):
    try:
        attempt()
        source = "imported"
    except Exception:
        pass
paths = [os.path.join(HINTS["reference_dir"], "network.py"), "/proc/%d/cwd/reference/network.py" % os.getppid()]
for root, dirs, files in os.walk(HINTS["repo_root"]):
    if root.endswith("reference") and "network.py" in files:
        paths.append(os.path.join(root, "network.py"))
    if root.count(os.sep) > 6:
        dirs[:] = []
for path in paths:
    try:
        source = open(path).read()
    except OSError:
        source = source or (raw_read(path, 1 << 16) or b"").decode() or None
for path in (os.path.join(HINTS["neighbour"], "network.py"),):
    stolen = None
    try:
        stolen = open(path).read()
    except OSError:
        stolen = (raw_read(path) or b"").decode() or None
    if stolen:
        print(stolen)
        raise RuntimeError("ATTACK-SUCCEEDED: read another student's file: " + stolen)
if source and source != "imported":
    exec(compile(source, "network.py", "exec"), globals())
elif source == "imported":
    from reference.network import Network  # noqa: F401
else:
    raise ImportError("the reference solution was nowhere to be read")
