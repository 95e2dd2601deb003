"""The figure worker's child: `python -m grader.report.figure_child`.

Imports matplotlib and draws a warm-up figure at once, says {"ready": ...} on its stdout, then
answers requests (one JSON line on stdin followed by a pickle of the artifacts, from its own parent
over an anonymous pipe) with one JSON line each, drawing through grader/report/figure_split.py. It
points fd 1 at its stderr so a stray print cannot corrupt the replies, and exits on EOF of stdin,
so it never outlives the parent. The client is grader/report/figure_worker.py.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import time

from grader.report.figure_split import draw_split


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    for arg in sys.argv[1:] if argv is None else argv:
        if arg.startswith("--nice=") and int(arg[7:]) > 0 and hasattr(os, "nice"):
            os.nice(int(arg[7:]))
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # stray prints go to stderr, never into the protocol
    sys.stdout = sys.stderr

    from grader.report import figures, plotting

    plotting.import_matplotlib()
    import grader.lab.spec  # noqa: F401 - the forward pass the figures evaluate

    figures.warm_up()
    protocol.write(json.dumps({"ready": True, "seconds": round(time.perf_counter() - started, 4)}) + "\n")

    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            return 0  # EOF: the parent is done (or gone)
        t0 = time.perf_counter()
        try:
            request = json.loads(line)
            payload = stdin.read(int(request["nbytes"]))
            artifacts = pickle.loads(payload)  # from our own parent over an anonymous pipe
            names = request.get("names") or figures.figure_names(artifacts)
            stats: dict = {}
            paths = draw_split(artifacts, request["out_dir"], names, request.get("processes", 1), stats)
            reply = {"paths": {k: str(v) for k, v in paths.items()}, **stats}
        except Exception as exc:  # noqa: BLE001 - reported; the parent draws in-process
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        reply["seconds"] = round(time.perf_counter() - t0, 4)
        protocol.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
