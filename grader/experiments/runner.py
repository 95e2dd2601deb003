"""Run the experiments' training runs in sandboxes, one worker thread per sandbox.

Each worker owns one Sandbox (one child process) and takes the next run from a shared
list; threads only wait on pipes, so N sandboxes keep N cores busy. Results are keyed by
the run, so the report does not depend on the number of workers or on which finished
first. A run that fails (crash, timeout, bad reply, exception in the student's code)
becomes a failed RunResult with its reason; the other runs go on.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from grader.check.probes import LabProbes
from grader.check.training import TrainJob, accuracy
from grader.experiments.plan import RunSpec, chunk_boundaries, chunk_sizes
from grader.lab import spec
from grader.sandbox import ChildDied, MalformedReply, NotAttempted, ProbeError, ProbeTimeout, SubmissionError


@dataclass
class RunResult:
    """What one training run gave, computed in the parent from the returned parameters."""

    run: RunSpec
    status: str  # "ok", "failed", "diverged" or "not_attempted"
    reason: str = ""  # why it failed, in words a student can act on
    error: str = ""  # "timeout", "crash", "error", "malformed", "diverged", "not_attempted"
    final_loss: float | None = None  # MSE of the final parameters on the training set (spec forward)
    accuracy: float | None = None  # training accuracy of the final parameters
    epochs_to_100: int | None = None  # first chunk boundary at 100% training accuracy; None: never
    seconds: float | None = None  # training time measured in the child
    boundaries: list[int] = field(default_factory=list)  # cumulative epochs at each chunk's end
    chunk_accuracy: list[float] = field(default_factory=list)
    losses: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)  # train()'s own losses
    warning: str = ""  # e.g. a loss history of the wrong length
    detail: str = ""  # the probe's own message, when reason rewords it
    traceback: str = ""  # the student's own frames, for a failure

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def error_kind(exc: ProbeError) -> str:
    """A short name for the kind of failure."""
    if isinstance(exc, NotAttempted):
        return "not_attempted"
    if isinstance(exc, ProbeTimeout):
        return "timeout"
    if isinstance(exc, ChildDied):
        return "crash"
    if isinstance(exc, MalformedReply):
        return "diverged" if "NaN or infinite" in exc.reason else "malformed"
    if isinstance(exc, SubmissionError):
        return "error"
    return "error"


DIVERGED = "the loss blew up to NaN or infinity: a smaller learning rate usually helps"


def failed_result(run: RunSpec, exc: ProbeError) -> RunResult:
    """A run without usable numbers; a divergence is a result of the experiment, not a failure of the code."""
    kind = error_kind(exc)
    status = {"not_attempted": "not_attempted", "diverged": "diverged"}.get(kind, "failed")
    return RunResult(
        run,
        status,
        reason=DIVERGED if kind == "diverged" else exc.reason,
        error=kind,
        detail=exc.reason,
        traceback=getattr(exc, "traceback", "") or "",
    )


def make_job(run: RunSpec, x: np.ndarray, y: np.ndarray) -> TrainJob:
    return TrainJob(
        dataset=run.dataset,
        seed=run.seed,
        hidden=run.hidden,
        activation=run.activation,
        optimizer=run.optimizer,
        lr=run.lr,
        epochs=run.epochs,
        x=x,
        y=y,
    )


def evaluate(run: RunSpec, x: np.ndarray, y: np.ndarray, reply: dict, boundaries: list[int]) -> RunResult:
    """Accuracy after each chunk and the final loss, from the returned parameters (trusted math)."""
    snapshots = reply["snapshots"]
    with np.errstate(all="ignore"):
        chunk_accuracy = [accuracy(params, x, y, run.activation) for params in snapshots]
        final = spec.forward(snapshots[-1], x, run.activation)
        final_loss = float(spec.mse(final, y))
    losses = np.asarray(reply["losses"], dtype=np.float64)
    result = RunResult(
        run,
        "ok",
        seconds=float(reply.get("seconds", 0.0)),
        boundaries=list(boundaries),
        chunk_accuracy=chunk_accuracy,
        losses=losses,
        accuracy=chunk_accuracy[-1],
    )
    if not np.isfinite(final_loss):
        result.status, result.error, result.reason = "diverged", "diverged", DIVERGED
        result.detail = "the final parameters give an infinite loss on the training set"
        return result
    result.final_loss = final_loss
    for epochs, acc in zip(boundaries, chunk_accuracy):
        if acc >= 1.0:
            result.epochs_to_100 = int(epochs)
            break
    if losses.size != run.epochs:
        result.warning = (
            f"train() returned {losses.size} losses for {run.epochs} epochs "
            f"(in {len(boundaries)} calls): return one loss per epoch"
        )
    return result


def train_one(probes: LabProbes, run: RunSpec, data: dict, timeout: float) -> RunResult:
    """One run through the sandbox; never raises a ProbeError."""
    x, y = data[run.dataset]
    boundaries = chunk_boundaries(run.epochs)
    try:
        reply = probes.train_chunks(make_job(run, x, y), chunk_sizes(boundaries), timeout=timeout)
    except ProbeError as exc:
        return failed_result(run, exc)
    return evaluate(run, x, y, reply, boundaries)


def estimated_cost(run: RunSpec) -> float:
    """Relative cost of a run: epochs times (multiply-adds of an epoch + a per-epoch overhead).

    Measured on the reference: ~0.5 ns a multiply-add and ~0.18 ms of Python per epoch.
    """
    n = {"linear": 100, "xor": 21}.get(run.dataset, 100)
    h1, h2 = run.hidden
    return run.epochs * (n * (2 * h1 + h1 * h2 + h2) + 360_000)


def schedule(runs: list[RunSpec], heavy: float = 3.0) -> list[RunSpec]:
    """Runs costing more than `heavy` times the median first (costliest first), then the rest in order."""
    if not runs:
        return []
    costs = sorted(estimated_cost(run) for run in runs)
    limit = heavy * costs[len(costs) // 2]
    first = sorted((run for run in runs if estimated_cost(run) > limit), key=estimated_cost, reverse=True)
    return first + [run for run in runs if estimated_cost(run) <= limit]


def abort_sandbox(box) -> None:
    """Kill a sandbox's child now, even while a worker thread waits on it (Ctrl-C).

    Sandbox.close() takes the sandbox's lock, which a worker holds while it waits for a
    reply; killing the process group makes that wait end at once, then close() works.
    """
    proc = getattr(box, "_proc", None)
    if proc is None or not hasattr(os, "killpg"):
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


class Workers:
    """Worker threads, one per sandbox, pulling runs from a shared list."""

    def __init__(self, boxes: list, make_box: Callable[[], object], limits, data: dict, timeout: float):
        self.boxes = boxes  # boxes[i] is worker i's sandbox (None: create it in the worker)
        self.make_box = make_box
        self.limits = limits
        self.data = data
        self.timeout = timeout
        self.stop = threading.Event()
        self.results: queue.Queue = queue.Queue()
        self._next = 0
        self._lock = threading.Lock()
        self._runs: list[RunSpec] = []
        self._threads: list[threading.Thread] = []

    def _take(self) -> tuple[int, RunSpec] | None:
        with self._lock:
            if self.stop.is_set() or self._next >= len(self._runs):
                return None
            index = self._next
            self._next += 1
            return index, self._runs[index]

    def _work(self, slot: int) -> None:
        box, box_error, served, restarts = self.boxes[slot], None, 0, None
        try:
            while (task := self._take()) is not None:
                index, run = task
                if box is None and box_error is None:
                    try:
                        box = self.boxes[slot] = self.make_box()
                    except ProbeError as exc:
                        box_error = exc
                if box_error is not None:
                    self.results.put((index, failed_result(run, box_error)))
                    continue
                if restarts != box.restarts:  # a fresh child: nothing left over from earlier runs
                    served, restarts = 0, box.restarts
                probes = LabProbes(box, self.limits)
                result = train_one(probes, run, self.data, self.timeout)
                if result.error == "crash" and served > 0 and not self.stop.is_set():
                    # The child had served other runs: its CPU-time budget or leftover state may
                    # be the cause. Retry once in a fresh child before blaming this run.
                    result = train_one(probes, run, self.data, self.timeout)
                served += 1
                if restarts != box.restarts:
                    served, restarts = 0, box.restarts
                self.results.put((index, result))
        except BaseException as exc:  # noqa: BLE001 - a grader bug must not hang the main thread
            self.results.put((None, exc))
        finally:
            self.results.put((None, None))  # this worker is done

    def run(self, runs: list[RunSpec], on_result: Callable[[int, RunResult], None]) -> dict[tuple, RunResult]:
        """Run every run; on_result(index, result) is called in the calling thread as each finishes.

        Runs go in plan order, so figures can be drawn while later experiments train, except
        that runs far costlier than the rest start first, so the workers finish together.
        Results are keyed by run: the order changes nothing in the report.
        """
        self._runs = schedule(runs)
        results: dict[tuple, RunResult] = {}
        workers = min(len(self.boxes), len(self._runs)) or 0
        self._threads = [
            threading.Thread(target=self._work, args=(slot,), name=f"experiments-{slot}", daemon=True)
            for slot in range(workers)
        ]
        for thread in self._threads:
            thread.start()
        finished = 0
        try:
            while finished < workers:
                try:
                    index, item = self.results.get(timeout=0.2)
                except queue.Empty:
                    continue
                if index is None:
                    if isinstance(item, BaseException):
                        raise item
                    finished += 1
                    continue
                results[self._runs[index].key] = item
                on_result(index, item)
        except BaseException:
            self.abort()
            raise
        for thread in self._threads:
            thread.join()
        return results

    def abort(self) -> None:
        """Stop taking runs and kill the children (Ctrl-C or a grader error)."""
        self.stop.set()
        for box in self.boxes:
            if box is not None:
                abort_sandbox(box)
        for thread in self._threads:
            thread.join(timeout=10)


class Progress:
    """A click progress bar on a terminal, a plain counter on stderr otherwise; or nothing."""

    def __init__(self, total: int, enabled: bool = True, stream=None):
        self.total, self.done, self.enabled = total, 0, enabled and total > 0
        self.stream = stream or sys.stderr
        self._bar = None
        if self.enabled and getattr(self.stream, "isatty", lambda: False)():
            import click

            self._bar = click.progressbar(
                length=total, label="experiments", file=self.stream, show_pos=True, item_show_func=lambda text: text
            )
            self._bar.__enter__()

    def update(self, label: str, result: RunResult) -> None:
        self.done += 1
        if not self.enabled:
            return
        status = "ok" if result.ok else result.error or result.status
        if self._bar is not None:
            self._bar.update(1, f"{label}: {status}")
        else:
            print(f"experiments: {self.done}/{self.total} {label}: {status}", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
