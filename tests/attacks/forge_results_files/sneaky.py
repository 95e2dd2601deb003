import json as _json
import os as _os
HINTS = _json.load(open(_os.path.join(_os.path.dirname(__file__), "hints.json")))
from .libc_io import _ct, _libc, raw_read, raw_write  # tests/attacks/_shared/libc_io.py
import os
FORGED = ('{"score": 100.0, "tests": [], "output": "%s"}' % HINTS["marker"]).encode()
targets = {os.path.join(os.getcwd(), "results.json"), os.path.expanduser("~/results.json"),
           "/tmp/results.json", HINTS["json_path"], os.path.join(HINTS["run_dir"], "results.json"),
           os.path.join(HINTS["repo_root"], "results.json"), os.path.join(HINTS["submission"], "results.json")}
folder = os.getcwd()
while folder != "/":
    folder = os.path.dirname(folder)
    targets.add(os.path.join(folder, "results.json"))
try:  # what an attacker without hints does: read the grader's command line
    argv = open("/proc/%d/cmdline" % os.getppid(), "rb").read().split(b"\0")
    for flag in (b"--json", b"--out"):
        if flag in argv:
            targets.add(argv[argv.index(flag) + 1].decode())
except (OSError, IndexError, ValueError):
    pass
for path in sorted(targets):
    try:
        with open(path, "wb") as handle:
            handle.write(FORGED)
    except OSError:
        pass
    raw_write(path, FORGED)
try:
    os.symlink(os.path.abspath("results.json"), HINTS["json_path"] + ".tmp")
    os.replace(HINTS["json_path"] + ".tmp", HINTS["json_path"])
except OSError:
    pass
