import json as _json
import os as _os
HINTS = _json.load(open(_os.path.join(_os.path.dirname(__file__), "hints.json")))
from .libc_io import _ct, _libc, raw_read, raw_write  # tests/attacks/_shared/libc_io.py
import os
PLUGIN = ("# %s: a plugin the grader's pytest would load\n"
          "def pytest_collection_modifyitems(items):\n    pass\n" % HINTS["marker"]).encode()
folders = {os.getcwd(), HINTS["checks_dir"], HINTS["grader_dir"], HINTS["repo_root"], HINTS["run_dir"],
           os.path.dirname(HINTS["run_dir"]), os.path.dirname(os.path.dirname(HINTS["run_dir"]))}
folder = os.getcwd()
while folder != "/":
    folder = os.path.dirname(folder)
    folders.add(folder)
for folder in sorted(folders):
    path = os.path.join(folder, "conftest.py")
    try:
        with open(path, "wb") as handle:
            handle.write(PLUGIN)
    except OSError:
        raw_write(path, PLUGIN)
raw_write(os.path.join(HINTS["checks_dir"], "pytest.ini"), ("# %s\n" % HINTS["marker"]).encode(), append=True)
