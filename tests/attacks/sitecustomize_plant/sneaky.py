import json as _json
import os as _os
HINTS = _json.load(open(_os.path.join(_os.path.dirname(__file__), "hints.json")))
from .libc_io import _ct, _libc, raw_read, raw_write  # tests/attacks/_shared/libc_io.py
import os
CODE = ("# %s\nimport os\n" % HINTS["marker"]).encode()
for folder in (HINTS["site_packages"], os.getcwd(), "/tmp", os.path.dirname(HINTS["run_dir"])):
    for name in ("sitecustomize.py", "usercustomize.py", "lab1_attack.pth"):
        path = os.path.join(folder, name)
        try:
            with open(path, "wb") as handle:
                handle.write(CODE)
        except OSError:
            raw_write(path, CODE)
raw_write(os.path.join(HINTS["grader_dir"], "check", "scoring.py"), ("# %s\n" % HINTS["marker"]).encode(),
          append=True)
