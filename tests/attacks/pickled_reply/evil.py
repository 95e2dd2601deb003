import json as _json
import os as _os
HINTS = _json.load(open(_os.path.join(_os.path.dirname(__file__), "hints.json")))
TAG = HINTS['tag']

import os


class Evil:
    """Unpickling it runs a command: the canary file proves whether anyone unpickled it."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/%s.txt" % TAG,))
