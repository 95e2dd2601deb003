"""Draw the report's figures in a helper process started early, off the check's critical path.

Importing matplotlib costs ~0.4 s and drawing the seven figures ~0.3 s: about as much
as a whole check. `FigureWorker.start()` launches `python -m grader.report.figure_worker`
at once; the child imports matplotlib and draws warm-up figures while the parent is
still grading, then waits. When the artifacts are ready:

    worker = FigureWorker.start()          # as early as possible
    ...                                    # grade
    worker.submit(result.artifacts, out_dir)
    paths = worker.result(timeout=60)      # {name: Path}
    worker.close()                         # or use it as a context manager

The child (grader/report/figure_child.py) splits the drawing over `processes` processes
(default: 2, the cores of the grading machines, idle once grading is over) by forking itself
on Linux (grader/report/figure_split.py): matplotlib is imported once, and the forks start
warm. If the child dies, answers garbage or runs out of time,
the parent kills it and draws in-process: `result()` always returns the figures the
artifacts allow (see `fallbacks` for why it had to).

Protocol (our own trusted data, never the student's process): a request is one JSON
line on the child's stdin (out_dir, names, processes, nbytes) followed by nbytes of
pickle (the artifacts the figures need, hidden points left out) over that anonymous
pipe; the reply is one JSON line on the child's stdout, whose fd 1 the child then points
at its stderr so a stray print can't corrupt it. The child's first line is {"ready": ...}, once its
imports are done. The child exits on EOF of its stdin, so it never outlives the parent. The parent reads the
child's lines in a thread (no select() on pipes): the same on Linux, macOS and Windows.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding grader/


def default_processes() -> int:
    """Drawing processes: the cores, at most 2 (seven small figures don't split further)."""
    return max(1, min(2, os.cpu_count() or 1))


class WorkerError(RuntimeError):
    """The child failed to answer (died, timed out, or sent something unexpected)."""


def worker_env() -> dict[str, str]:
    """The child's environment: a lasting MPLCONFIGDIR, Agg, one BLAS thread, grader importable."""
    from grader.report.plotting import mpl_config_dir

    env = dict(os.environ)
    env.setdefault("MPLCONFIGDIR", str(mpl_config_dir()))
    env["MPLBACKEND"] = "Agg"
    env.pop("MATPLOTLIBRC", None)
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"  # no threads: fork-safe
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


class FigureWorker:
    """Figures drawn by a helper process started early; falls back to drawing in-process."""

    def __init__(self, proc: subprocess.Popen | None, processes: int, stderr_file=None):
        self.proc = proc
        self.processes = processes
        self._stderr = stderr_file
        self._lines: queue.Queue[bytes] = queue.Queue()  # the child's stdout, line by line (b"" at EOF)
        if proc is not None and proc.stdout is not None:
            threading.Thread(
                target=_read_lines, args=(proc.stdout, self._lines), daemon=True, name="figure-worker-reader"
            ).start()
        self._pending: tuple[dict, Path, list[str], bool] | None = None
        self.ready_info: dict[str, Any] | None = None  # {"ready": true, "seconds": import + warm-up}
        self.fallbacks: list[str] = []  # why figures were drawn in-process
        self.timings: dict[str, Any] = {}  # seconds, and the children's shares of the drawing
        self._writer: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    @classmethod
    def start(cls, processes: int | None = None, python: str | None = None, nice: int = 0) -> FigureWorker:
        """Launch the child now (it imports matplotlib at once); never raises.

        processes: drawing processes (default: the cores, at most 2); nice: added to the
        child's niceness, so its import yields the CPU to the grading it overlaps.
        """
        processes = default_processes() if processes is None else max(1, int(processes))
        stderr_file = tempfile.TemporaryFile()
        proc = None
        try:
            env = worker_env()
            cwd = env["MPLCONFIGDIR"] if os.path.isdir(env["MPLCONFIGDIR"]) else tempfile.gettempdir()
            proc = subprocess.Popen(
                [python or sys.executable, "-m", "grader.report.figure_child", f"--nice={int(nice)}"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr_file,
                env=env,
                cwd=cwd,  # not the caller's folder: a ./matplotlibrc there must not apply
                start_new_session=os.name == "posix",  # Ctrl-C in the terminal reaches the parent only
            )
        except Exception as exc:  # noqa: BLE001 - no worker only means drawing in-process
            log.warning("figure worker not started (%s): figures will be drawn in-process", exc)
        return cls(proc, processes, stderr_file)

    def __enter__(self) -> FigureWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the child (an idle one has nothing to lose); idempotent."""
        self._kill_child()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _kill_child(self) -> None:
        """Kill the child and any fork of it (its own process group), reap it, close the pipes.

        Killing comes first: closing stdin while the writer thread is blocked on a full
        pipe would wait for that thread forever (a stopped child never reads).
        """
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.returncode is None:  # not reaped yet, so its pid (= its group id) is still ours
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # no waiting for matplotlib's teardown (and its forks)
            except (ProcessLookupError, PermissionError, AttributeError):  # AttributeError: Windows
                proc.kill()
        proc.wait()
        if self._writer is not None:
            self._writer.join(timeout=5.0)  # the reader is gone: its write fails at once
            self._writer = None
        try:  # stdout is closed by its reader thread at EOF (closing it under a blocked read would wait)
            if proc.stdin is not None:
                proc.stdin.close()
        except (OSError, ValueError):
            pass

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout: float = 30.0) -> bool:
        """Block until the child has imported matplotlib (benchmarks and tests)."""
        if self.ready_info is not None:
            return True
        try:
            message = self._read_message(time.perf_counter() + timeout)
        except WorkerError:
            return False
        if "ready" in message:
            self.ready_info = message
            return True
        return False

    # --- work ----------------------------------------------------------------------------

    def submit(self, artifacts: dict[str, Any], out_dir: str | Path) -> None:
        """Hand the artifacts over; returns at once. Figures go to out_dir/<name>.png."""
        from grader.report.figures import figure_names

        if self._pending is not None:
            raise RuntimeError("submit() called twice without result()")
        out_dir = Path(out_dir).resolve()
        out_dir.mkdir(parents=True, exist_ok=True)
        names = figure_names(artifacts)
        self.timings = {"submitted": time.perf_counter()}
        sent = False
        if names and self.alive:
            try:
                payload = pickle.dumps(figure_payload(artifacts, names), protocol=pickle.HIGHEST_PROTOCOL)
                header = {"out_dir": str(out_dir), "names": names, "processes": self.processes, "nbytes": len(payload)}
                data = (json.dumps(header) + "\n").encode() + payload
                # A writer thread: a payload over the pipe's 64 KiB would block until the
                # child, maybe still importing matplotlib, reads it; submit() must not wait.
                stdin = self.proc.stdin if self.proc is not None else None  # alive: there is a proc
                self._writer = threading.Thread(target=self._write, args=(stdin, data), daemon=True)
                self._writer.start()
                sent = True
            except Exception as exc:  # noqa: BLE001 - drawn in-process
                self._fail(f"submit failed: {exc}")
        elif names:
            self.fallbacks.append("no live worker" if self.proc is None else self._exit_text())
        self._pending = (artifacts, out_dir, names, sent)

    def result(self, timeout: float = 60.0) -> dict[str, Path]:
        """{name: PNG path} of every figure the artifacts allow, in drawing order."""
        if self._pending is None:
            raise RuntimeError("result() without submit()")
        artifacts, out_dir, names, sent = self._pending
        self._pending = None
        paths: dict[str, Path] = {}
        if sent:
            try:
                deadline = time.perf_counter() + timeout
                reply = self._reply(deadline)
                got = reply.get("paths")
                if not isinstance(got, dict):
                    raise WorkerError(f"reply without paths: {str(reply)[:300]}")
                for name, path in got.items():
                    path = Path(path)
                    if name in names and path.parent == out_dir and path.is_file():
                        paths[name] = path
                self.timings["child_draw"] = float(reply.get("seconds", 0.0))
                self.timings["shares"] = reply.get("shares")
            except WorkerError as exc:
                self._fail(str(exc))
        missing = [n for n in names if n not in paths]
        if missing and (not sent or self.proc is None):  # the worker failed: draw here
            from grader.report.figures import render_figures

            paths.update(render_figures(artifacts, out_dir, missing))
        self.timings["result"] = time.perf_counter()
        return {name: paths[name] for name in names if name in paths}

    # --- internals -----------------------------------------------------------------------

    @staticmethod
    def _write(stream, data: bytes) -> None:
        try:
            stream.write(data)
            stream.flush()
        except (OSError, ValueError):  # the child died or was killed: result() notices
            pass

    def _fail(self, reason: str) -> None:
        self.fallbacks.append(reason)
        log.warning("figure worker failed (%s): drawing the figures in-process", reason)
        self._kill_child()

    def _exit_text(self) -> str:
        code = self.proc.poll() if self.proc is not None else None
        return f"worker exited with status {code}: {self.stderr_tail()}"

    def stderr_tail(self, limit: int = 2000) -> str:
        try:
            self._stderr.seek(0)
            text: str = self._stderr.read().decode("utf-8", "replace")
            return text[-limit:].strip()
        except (OSError, ValueError, AttributeError):
            return ""

    def _read_message(self, deadline: float) -> dict:
        """The next JSON line of the child, waiting until deadline (perf_counter)."""
        if self.proc is None or self.proc.stdout is None:
            raise WorkerError("no worker")
        left = deadline - time.perf_counter()
        try:
            line = self._lines.get(timeout=max(left, 0.0)) if left > 0 else self._lines.get_nowait()
        except queue.Empty:
            raise WorkerError("timed out") from None
        if not line:
            self.proc.wait()
            raise WorkerError(self._exit_text())
        try:
            message = json.loads(line)
        except ValueError as exc:
            raise WorkerError(f"sent a malformed line: {line[:200]!r}") from exc
        if not isinstance(message, dict):
            raise WorkerError(f"sent {type(message).__name__}, expected an object")
        return message

    def _reply(self, deadline: float) -> dict:
        """The reply to the request, after the ready line if that is still queued."""
        while True:
            message = self._read_message(deadline)
            if "ready" in message:
                self.ready_info = message
                continue
            if "error" in message:
                raise WorkerError(f"worker error: {message['error']}")
            return message


def figure_payload(artifacts: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """What the figures need of the artifacts: the data sets they draw, without hidden points."""
    from grader.report.figures import figure_dataset

    wanted = {figure_dataset(n) for n in names}
    train = (artifacts or {}).get("train") or {}
    payload: dict[str, Any] = {
        "train": {
            dataset: {k: v for k, v in entry.items() if k not in ("hidden_x", "hidden_y")}
            for dataset, entry in train.items()
            if dataset in wanted and isinstance(entry, dict)
        }
    }
    if "gradcheck" in names:
        payload["gradcheck"] = artifacts.get("gradcheck")
    return payload


def draw_figures(
    artifacts: dict[str, Any], out_dir: str | Path, *, worker: FigureWorker | None = None, timeout: float = 60.0
) -> dict[str, Path]:
    """Figures through the worker when one is given, else in-process."""
    if worker is None:
        from grader.report.figures import render_figures

        return render_figures(artifacts, out_dir)
    worker.submit(artifacts, out_dir)
    return worker.result(timeout)


def _read_lines(stream, lines: queue.Queue) -> None:
    """Forward the child's stdout line by line; b"" once it is closed."""
    try:
        for line in iter(stream.readline, b""):
            lines.put(line)
    except (OSError, ValueError):
        pass
    finally:
        lines.put(b"")
        try:
            stream.close()
        except (OSError, ValueError):
            pass
