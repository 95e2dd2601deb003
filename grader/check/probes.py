"""Typed probes of the submission contract over a Sandbox; every reply is validated here."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import numpy as np

from grader.sandbox import MalformedReply, NotAttempted, ProbeError, ProbeTimeout, Sandbox, SubmissionError
from grader.sandbox.limits import ChildLimits

MAX_PROBE_VALUES = 1 << 22  # no reply array the grader asks for is anywhere near this


def checked_array(value, what: str, shape: tuple | None = None, finite: bool = True) -> np.ndarray:
    """A finite float64 copy of a reply array, or MalformedReply saying what is wrong."""
    if not isinstance(value, np.ndarray):
        raise MalformedReply(f"{what} returned no array")
    if value.size > MAX_PROBE_VALUES:
        raise MalformedReply(f"{what} returned {value.size} values, far more than asked for")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise MalformedReply(f"{what} returned shape {tuple(value.shape)}, expected {tuple(shape)}")
    array = value.astype(np.float64)
    if finite and not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise MalformedReply(f"{what} returned {bad} NaN or infinite value(s)")
    return array


def _forward_outputs(replies: dict, count: int, shape: tuple, what: str, dtypes: list | None = None) -> list:
    """The `count` checked outputs out0.. of a forward reply; their dtype names into dtypes."""
    if dtypes is not None:
        dtypes.extend(str(getattr(replies.get(f"out{i}"), "dtype", "")) for i in range(count))
    return [checked_array(replies.get(f"out{i}"), what, shape) for i in range(count)]


def param_arrays(
    arrays: dict, prefix: str, expected: dict, what: str, strict_shapes: bool = True, finite: bool = True
) -> dict:
    """Extract `prefix.KEY` arrays as a params/grads dict with the expected keys."""
    found = {k[len(prefix) + 1 :]: v for k, v in arrays.items() if k.startswith(prefix + ".")}
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        raise MalformedReply(
            f"{what} returned keys {sorted(found)}; expected {sorted(expected)}"
            + (f" (missing {missing})" if missing else "")
        )
    return {
        k: checked_array(found[k], f"{what} [{k}]", expected[k] if strict_shapes else None, finite) for k in expected
    }


def _unfinished_extra(exc: NotAttempted, job) -> ProbeError:
    """Training reached a stub: blame config.py when it picked an extra that is not written."""
    frames = [line for line in exc.traceback.splitlines() if line.strip().startswith('File "')]
    last_file = frames[-1] if frames else ""
    if job.optimizer != "sgd" and "optimizers.py" in last_file:
        choice = f"optimizer {job.optimizer!r}"
    elif job.activation != "sigmoid" and "activations.py" in last_file:
        choice = f"activation {job.activation!r}"
    else:
        return exc
    return SubmissionError(
        f"config.py trains the {job.dataset} set with {choice}, which is not implemented yet ({exc.reason}): "
        "implement it or choose sgd / sigmoid in config.py",
        traceback=exc.traceback,
    )


class LabProbes:
    """What the checks may ask of a submission; one instance per graded submission."""

    def __init__(self, sandbox: Sandbox, limits: ChildLimits):
        self.sandbox = sandbox
        self.limits = limits
        self._training: dict[str, Future] = {}
        self._overrun: ProbeTimeout | None = None  # the training run that did not finish within its CPU budget
        self._lock = threading.Lock()

    # --- modules ---------------------------------------------------------------
    def require(self, module: str) -> None:
        """Raise NotAttempted or SubmissionError when module.py did not import."""
        status = self.sandbox.imports().get(module, {"status": "missing"})
        state = status.get("status")
        if state == "ok":
            return
        if state == "not_attempted":
            raise NotAttempted(f"{module}.py is not attempted yet ({status.get('message', '')})")
        if state == "missing":
            raise SubmissionError(f"{module}.py is missing from the submission")
        raise SubmissionError(
            f"{module}.py did not import: {status.get('message', '')}", traceback=status.get("traceback", "")
        )

    def _request(self, required: str, op: str, arrays=None, *, what: str, timeout=None, **fields):
        self.require(required)
        return self.sandbox.request(op, arrays, timeout=timeout or self.limits.probe_seconds, what=what, **fields)

    # --- functions -------------------------------------------------------------
    def call(self, module: str, func: str, *args, what: str | None = None, finite: bool = True) -> np.ndarray:
        """module.func(*args) where args are arrays; a float64 array (finite unless told otherwise)."""
        what = what or f"{module}.{func}"
        arrays = {f"a{i}": np.asarray(a) for i, a in enumerate(args)}
        _, replies = self._request(
            module, "call", arrays, what=what, module=module, func=func, args=[f"@a{i}" for i in range(len(args))]
        )
        return checked_array(replies.get("out"), what, finite=finite)

    def config(self) -> dict:
        """config.HYPERPARAMETERS as plain JSON data."""
        header, _ = self._request("config", "config", what="reading config.HYPERPARAMETERS")
        config = header.get("config")
        if not isinstance(config, dict):
            raise MalformedReply("config.HYPERPARAMETERS is not a dict")
        return config

    # --- network ---------------------------------------------------------------
    def forward_many(
        self, sizes, activation, param_sets: list[dict], x: np.ndarray, what: str, dtypes: list | None = None
    ):
        """Forward x with each parameter set; returns (outputs, shapes of the initial params).

        dtypes, when given, receives the dtype name of every reply before it is made float64.
        """
        stacked = {k: np.stack([p[k] for p in param_sets]) for k in param_sets[0]}
        header, replies = self._request(
            "network",
            "forward",
            {"x": x, **stacked},
            what=what,
            sizes=list(sizes),
            activation=activation,
            count=len(param_sets),
            seed=0,
        )
        return _forward_outputs(replies, len(param_sets), (x.shape[0], sizes[-1]), what, dtypes), {
            k: tuple(v) for k, v in header.get("init_shapes", {}).items()
        }

    def forward_in_fresh_child(self, sizes, activation, param_sets: list[dict], x: np.ndarray, what: str) -> list:
        """forward_many in a new child of the same submission (nothing it remembered survives)."""
        fresh = Sandbox(
            self.sandbox.submission, self.limits, frameworks=self.sandbox.frameworks, tier=self.sandbox.tier
        )
        try:
            stacked = {k: np.stack([p[k] for p in param_sets]) for k in param_sets[0]}
            _, replies = fresh.request(
                "forward",
                {"x": x, **stacked},
                timeout=self.limits.probe_seconds,
                what=what,
                sizes=list(sizes),
                activation=activation,
                count=len(param_sets),
                seed=0,
            )
            return _forward_outputs(replies, len(param_sets), (x.shape[0], sizes[-1]), what)
        finally:
            for mine, theirs in (
                (self.sandbox.security_events, fresh.security_events),
                (self.sandbox.audit_events, fresh.audit_events),
            ):
                mine.extend(e for e in theirs if e not in mine)  # what it tried there counts here too
            fresh.close()

    def init_shapes(self, sizes, what: str) -> dict[str, tuple]:
        """Shapes of the params of a new Network(sizes)."""
        header, _ = self._request("network", "init_shapes", what=what, sizes=list(sizes), seed=0)
        shapes = header.get("init_shapes")
        if not isinstance(shapes, dict):
            raise MalformedReply(f"{what}: params is not a dict")
        return {str(k): tuple(v) for k, v in shapes.items() if isinstance(v, list)}

    def backward(self, sizes, activation, params: dict, x, y, what: str, dtypes: list | None = None) -> dict[str, dict]:
        """Gradients from backward after forward, again without forward, and after a new forward.

        Shapes are not enforced here: a transposed gradient is a diagnosis, not a crash.
        dtypes, when given, receives the dtype name of every reply before it is made float64.
        """
        _, replies = self._request(
            "network",
            "backward",
            {"x": x, "y": y, **params},
            what=what,
            sizes=list(sizes),
            activation=activation,
            seed=0,
        )
        if dtypes is not None:
            dtypes.extend(str(v.dtype) for v in replies.values() if isinstance(v, np.ndarray))
        return {
            label: param_arrays(replies, label, params, what, strict_shapes=False)
            for label in ("first", "second", "after_forward")
        }

    def update(self, sizes, params: dict, grads: dict, what: str, optimizer: str = "", lr: float = 0.0) -> dict:
        """Parameters after one net.update(grads): the default optimizer, or optimizers.<optimizer>(lr=lr)
        passed to Network(optimizer=...). grads are sent in their own key order."""
        arrays = {**{f"p.{k}": v for k, v in params.items()}, **{f"g.{k}": v for k, v in grads.items()}}
        if optimizer:
            self.require("optimizers")
        _, replies = self._request(
            "network", "update", arrays, what=what, sizes=list(sizes), seed=0, optimizer=optimizer, lr=lr
        )
        return param_arrays(replies, "p", {k: v.shape for k, v in params.items()}, what)

    def init_params(self, sizes, seeds: list[int], what: str) -> list[dict]:
        """The params of Network(sizes, seed=s) for each seed, as float64 arrays of the contract's shapes."""
        from grader.lab.spec import param_shapes

        _, replies = self._request("network", "init_params", what=what, sizes=list(sizes), seeds=list(seeds))
        return [param_arrays(replies, f"p{i}", param_shapes(sizes), what) for i in range(len(seeds))]

    def predict(self, sizes, params: dict, x: np.ndarray, y: np.ndarray, what: str) -> dict:
        """For a net holding params: "out" forward(x), "pred" predict(net, x), "accuracy" accuracy(net, x, y)
        (float64 arrays) and "accuracy_type", the type name accuracy returned."""
        self.require("train")
        arrays = {"x": x, "y": y, **{f"p.{k}": v for k, v in params.items()}}
        header, replies = self._request("network", "predict", arrays, what=what, sizes=list(sizes), seed=0)
        return {
            "out": checked_array(replies.get("out"), f"{what}: net.forward(x)", (x.shape[0], sizes[-1])),
            "pred": checked_array(replies.get("pred"), f"{what}: predict(net, x)"),
            "accuracy": checked_array(replies.get("accuracy"), f"{what}: accuracy(net, x, y)"),
            "accuracy_type": str(header.get("accuracy_type", "")),
        }

    def conv(self, W: np.ndarray, b: np.ndarray, x: np.ndarray, dout: np.ndarray, what: str) -> dict:
        """Conv1D's init shapes ("shapes"), forward(x) ("out") and backward(dout) ("dx", "W", "b") with W, b set."""
        status = self.sandbox.imports().get("conv", {"status": "missing"})
        if status.get("status") == "missing":
            raise NotAttempted("conv.py is not there (the convolution extra is optional)")
        O, C, K = W.shape
        header, replies = self._request(
            "conv",
            "conv",
            {"W": W, "b": b, "x": x, "dout": dout},
            what=what,
            in_channels=C,
            out_channels=O,
            kernel_size=K,
            seed=0,
        )
        N, _, L = x.shape
        return {
            "shapes": {str(k): tuple(v) for k, v in header.get("init_shapes", {}).items() if isinstance(v, list)},
            "out": checked_array(replies.get("out"), f"{what}: forward(x)", (N, O, L - K + 1)),
            "dx": checked_array(replies.get("dx"), f"{what}: backward(dout)[0], dx", x.shape),
            **param_arrays(replies, "g", {"W": W.shape, "b": b.shape}, f"{what}: backward(dout)[1]"),
        }

    def optimizer_steps(self, name: str, kwargs: dict, params: dict, grads: dict, steps: int, what: str) -> dict:
        """Parameters after `steps` calls of optimizers.<name>(**kwargs).step(params, grads)."""
        arrays = {**{f"p.{k}": v for k, v in params.items()}, **{f"g.{k}": v for k, v in grads.items()}}
        _, replies = self._request("optimizers", "optimizer", arrays, what=what, name=name, kwargs=kwargs, steps=steps)
        return param_arrays(replies, "p", {k: v.shape for k, v in params.items()}, what)

    # --- training ----------------------------------------------------------------
    def train(self, job) -> dict:
        """Run one training job (see grader.check.training.TrainJob); cached, so checks share it."""
        with self._lock:
            future = self._training.get(job.key)
            if future is None:
                future = self._training[job.key] = Future()
                owner = True
            else:
                owner = False
        if owner:
            try:
                future.set_result(self._train_now(job))
            except ProbeError as exc:
                future.set_exception(exc)
        result: dict = future.result()
        return result

    def _train_now(self, job) -> dict:
        """One training run; NaN or infinite values are a result (training diverged), not a bad reply."""
        for module in ("optimizers", "train"):
            self.require(module)
        what = job.what
        if self._overrun is not None:  # an endless train() is answered within one CPU budget, not one per run
            raise ProbeTimeout(f"{what} was not run: {self._overrun.reason}; make train() finish there first")
        try:
            header, replies = self._request(
                "network",
                "train",
                {"x": job.x, "y": job.y},
                what=what,
                timeout=self.limits.train_seconds,
                sizes=list(job.sizes),
                activation=job.activation,
                optimizer=job.optimizer,
                lr=job.lr,
                epochs=job.epochs,
                seed=job.seed,
            )
        except NotAttempted as exc:
            raise _unfinished_extra(exc, job) from None
        except ProbeTimeout as exc:
            self._overrun = exc
            raise
        params = param_arrays(replies, "p", job.param_shapes, f"{what} (net.params after training)", finite=False)
        losses = checked_array(replies.get("losses"), f"{what} (the list train() returned)", finite=False).ravel()
        return {
            "params": params,
            "losses": losses,
            "seconds": float(header.get("seconds", 0.0)),
            "output": header.get("output", ""),
            "diverged": _divergence(params, losses),
        }

    def train_chunks(self, job, chunks: list[int], timeout: float | None = None) -> dict:
        """Train job's network in chunks of epochs; params after each chunk, all losses."""
        for module in ("optimizers", "train"):
            self.require(module)
        what = f"training on the {job.dataset} set ({job.optimizer}, {job.activation}, lr={job.lr:g})"
        if self._overrun is not None:  # train() already overran a CPU budget: no second wait for it
            raise ProbeTimeout(f"{what} was not run: {self._overrun.reason}; make train() finish there first")
        try:
            header, replies = self._request(
                "network",
                "train_chunks",
                {"x": job.x, "y": job.y},
                what=what,
                timeout=timeout or self.limits.train_seconds,
                sizes=list(job.sizes),
                activation=job.activation,
                optimizer=job.optimizer,
                lr=job.lr,
                chunks=list(chunks),
                seed=job.seed,
            )
        except ProbeTimeout as exc:
            self._overrun = exc
            raise
        snapshots = [param_arrays(replies, f"p{i}", job.param_shapes, what) for i in range(len(chunks))]
        losses = checked_array(replies.get("losses"), f"{what} (losses)").ravel()
        return {"snapshots": snapshots, "losses": losses, "seconds": float(header.get("seconds", 0.0))}

    def prefetch(self, jobs) -> threading.Thread:
        """Start training jobs in the background so the child trains while pytest loads."""

        def run():
            try:
                planned = jobs()
            except Exception:  # noqa: BLE001 - a missing config.py is reported by the checks, not by a thread
                return
            failed = set()
            for job in planned:
                if job.dataset in failed:
                    continue  # its check reports the first error: never spend another time limit on it
                try:
                    self.train(job)
                except ProbeError:
                    failed.add(job.dataset)
                except Exception:  # noqa: BLE001  - a bad config is reported by its check
                    return

        thread = threading.Thread(target=run, name="prefetch-training", daemon=True)
        thread.start()
        return thread


def _divergence(params: dict, losses: np.ndarray) -> str:
    """What went non-finite in a training run, in words, or '' when every value is finite."""
    bad = np.flatnonzero(~np.isfinite(losses))
    if bad.size:
        value = "NaN" if np.isnan(losses[bad[0]]) else "infinite"
        return f"the loss became {value} at epoch {int(bad[0]) + 1} of {losses.size}"
    broken = [key for key, value in params.items() if not np.all(np.isfinite(value))]
    if broken:
        return f"the parameters {', '.join(broken)} became NaN or infinite"
    return ""
