"""The probe server: imports the submission as package ``student`` and answers the parent's probes.

It trusts nothing the submission returns and computes no score: the parent validates every reply
and scores it. Standard library and numpy only (loaded by path, see main.py).
"""

import importlib
import json
import os
import sys
import time
import traceback

MODULES = ("data", "activations", "losses", "optimizers", "network", "train", "config", "conv")  # conv: extra
ACTIVATION_NAMES = frozenset({"sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"})


class CountingDict(dict):
    """The parameters given to the submission's network during backward: a dict that counts reads."""

    reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return dict.__getitem__(self, key)


OPTIMIZER_CLASSES = {"sgd": "SGD", "momentum": "Momentum", "adagrad": "AdaGrad", "adam": "Adam"}


class Child:
    """The probe server."""

    def __init__(self, config):
        self.config = config
        self.student_root = os.path.join(config["workdir"], "student")
        self.modules, self.imports = {}, {}
        self.review = []  # what a TA should look at (no score effect): numerical backward, code run at import
        self.writer = None  # the capped stdout/stderr (main.py)

    # --- traceback trimming -------------------------------------------------
    def student_traceback(self, exc):
        """Format exc keeping only frames in the student's own files."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if self.is_student_file(f.filename)]
        lines = []
        for frame in frames:
            rel = os.path.relpath(frame.filename, self.student_root)
            lines.append(f'  File "{rel}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        if isinstance(exc, SyntaxError) and exc.filename:
            # format_exception_only would show the sandbox's absolute path
            rel = os.path.relpath(exc.filename, self.student_root)
            lines.append(f'  File "{rel}", line {exc.lineno}')
            if exc.text:
                lines.append(f"    {exc.text.strip()}")
            lines.append(f"{type(exc).__name__}: {exc.msg}")
        else:
            lines.append("".join(traceback.format_exception_only(type(exc), exc)).strip())
        return "\n".join(lines).replace(self.student_root + os.sep, "")

    def is_student_file(self, filename):
        return os.path.abspath(filename).startswith(self.student_root + os.sep)

    def dispatch(self):
        """{op: handler} for every probe, bound to this server's methods as they are now."""
        return {name[3:]: getattr(self, name) for name in dir(type(self)) if name.startswith("op_")}

    # --- imports ------------------------------------------------------------
    def import_all(self):
        """Import every contract module, recording ok / not_attempted / missing / error."""
        for name in MODULES:
            started = time.perf_counter()
            try:
                self.modules[name] = importlib.import_module(f"student.{name}")
                status: dict[str, object] = {"status": "ok"}
            except NotImplementedError as exc:
                status = {"status": "not_attempted", "message": str(exc)}
            except ModuleNotFoundError as exc:
                missing = exc.name == f"student.{name}"
                status = {
                    "status": "missing" if missing else "error",
                    "message": str(exc),
                    "traceback": "" if missing else self.student_traceback(exc),
                }
            except SystemExit as exc:
                status = {
                    "status": "error",
                    "message": f"exit({exc.code}) called while importing",
                    "traceback": self.student_traceback(exc),
                }
            except BaseException as exc:  # noqa: BLE001 (SyntaxError, KeyboardInterrupt, MemoryError...)
                status = {
                    "status": "error",
                    "message": f"{type(exc).__name__}: {exc}",
                    "traceback": self.student_traceback(exc),
                }
            status["seconds"] = round(time.perf_counter() - started, 4)
            self.imports[name] = status
        if self.writer is not None and (self.writer.kept or self.writer.dropped):
            self.review.append(
                "importing your modules ran code (it printed output): put training, plots and "
                'experiments under `if __name__ == "__main__":` or in main()'
            )

    def module(self, name):
        if name not in self.modules:
            info = self.imports.get(name, {})
            raise ImportError(f"module {name}.py did not import: {info.get('message', 'missing')}")
        return self.modules[name]

    # --- probes -------------------------------------------------------------
    def op_hello(self, request, arrays):
        import numpy

        return {
            "imports": self.imports,
            "python": sys.version.split()[0],
            "numpy": numpy.__version__,
            "confinement": getattr(self, "confinement", []),
        }, {}

    def op_call(self, request, arrays):
        """Call module.func(*args) where args name arrays or are JSON scalars."""
        func = getattr(self.module(request["module"]), request["func"])
        args = [arrays[a[1:]] if isinstance(a, str) and a.startswith("@") else a for a in request["args"]]
        result = func(*args)
        return {"type": type(result).__name__}, {"out": _as_array(result)}

    def op_config(self, request, arrays):
        hyper = self.module("config").HYPERPARAMETERS
        return {"config": json.loads(json.dumps(hyper, default=_jsonable))}, {}

    def new_network(self, request, optimizer=None):
        network = self.module("network")
        return network.Network(
            sizes=tuple(request["sizes"]),
            activation=request.get("activation", "sigmoid"),
            optimizer=optimizer,
            seed=request.get("seed", 0),
        )

    def op_init_shapes(self, request, arrays):
        """Shapes of the parameters a new Network(sizes) creates."""
        net = self.new_network(request)
        return {"init_shapes": {k: list(_as_array(v).shape) for k, v in dict(net.params).items()}}, {}

    def op_forward(self, request, arrays):
        """Forward x through the network for each of K parameter sets stacked on axis 0."""
        net = self.new_network(request)
        shapes = {k: list(_as_array(v).shape) for k, v in dict(net.params).items()}
        keys = [k for k in arrays if k != "x"]
        outputs = []
        for i in range(request["count"]):
            net.params = {k: arrays[k][i].copy() for k in keys}
            outputs.append(_as_array(net.forward(arrays["x"].copy())))
        return {"init_shapes": shapes}, {f"out{i}": o for i, o in enumerate(outputs)}

    def op_backward(self, request, arrays):
        """forward, backward twice, forward again and backward: the parent compares all three.
        Each backward is watched (counted calls and reads, see _watched_backward): a backward that
        evaluates the network many times is computed numerically, which a TA should see."""
        net = self.new_network(request)
        x, y = arrays.pop("x"), arrays.pop("y")
        net.params = CountingDict({k: v.copy() for k, v in arrays.items()})
        replies, watched = {}, []
        net.forward(x.copy())
        for label in ("first", "second"):
            grads, counts = self._watched_backward(net, y)
            replies.update(_prefixed(label, grads))
            watched.append(counts)
        net.forward(x.copy())
        grads, counts = self._watched_backward(net, y)
        replies.update(_prefixed("after_forward", grads))
        watched.append(counts)
        self._note_numerical_backward(watched, len(arrays), len(request["sizes"]) - 1)
        return {}, replies

    def _watched_backward(self, net, y):
        """net.backward(y), counting the calls of the submission's forward and activation functions
        and the reads of net.params it makes."""
        counts = {"forward": 0, "activation": 0, "reads": 0}
        root = self.student_root + os.sep

        def profile(frame, event, arg):
            if event == "call":
                code = frame.f_code
                if code.co_filename.startswith(root):
                    if code.co_name == "forward":
                        counts["forward"] += 1
                    elif code.co_name in ACTIVATION_NAMES:
                        counts["activation"] += 1

        params = net.params
        start = params.reads if isinstance(params, CountingDict) else 0
        sys.setprofile(profile)
        try:
            grads = net.backward(y.copy())
        finally:
            sys.setprofile(None)
        counts["reads"] = (params.reads - start) if isinstance(params, CountingDict) else 0
        return grads, counts

    def _note_numerical_backward(self, watched, keys, layers):
        worst = {name: max(c[name] for c in watched) for name in ("forward", "activation", "reads")}
        if worst["forward"] >= 4 or worst["activation"] >= 10 * max(layers, 1) or worst["reads"] >= 10 * max(keys, 1):
            what = (
                f"{worst['forward']} forward calls"
                if worst["forward"] >= 4
                else f"{worst['activation']} activation calls"
                if worst["activation"] >= 10 * max(layers, 1)
                else f"{worst['reads']} reads of the parameters"
            )
            note = (
                f"backward seems computed numerically ({what} in one backward call): "
                "the lab asks for backpropagation; a TA should read network.py"
            )
            if note not in self.review and len(self.review) < 20:
                self.review.append(note)

    def op_update(self, request, arrays):
        """One net.update(grads) with the network's default optimizer, or optimizers.<optimizer>(lr) given to it."""
        optimizer = None
        if request.get("optimizer"):
            optimizer = getattr(self.module("optimizers"), request["optimizer"])(lr=request["lr"])
        net = self.new_network(request, optimizer=optimizer)
        params = {k[2:]: v.copy() for k, v in arrays.items() if k.startswith("p.")}
        grads = {k[2:]: v.copy() for k, v in arrays.items() if k.startswith("g.")}
        net.params = params
        net.update(grads)
        return {}, _prefixed("p", net.params)

    def op_optimizer(self, request, arrays):
        """`steps` calls of Optimizer(**kwargs).step(params, grads) with the same grads."""
        cls = getattr(self.module("optimizers"), request["name"])
        optimizer = cls(**request.get("kwargs", {}))
        params = {k[2:]: v.copy() for k, v in arrays.items() if k.startswith("p.")}
        grads = {k[2:]: v for k, v in arrays.items() if k.startswith("g.")}
        for _ in range(request["steps"]):
            optimizer.step(params, {k: v.copy() for k, v in grads.items()})
        return {}, _prefixed("p", params)

    def op_init_params(self, request, arrays):
        """The params of Network(sizes, seed=s) for each s of request["seeds"]."""
        replies = {}
        for i, seed in enumerate(request["seeds"]):
            replies.update(_prefixed(f"p{i}", dict(self.new_network({**request, "seed": seed}).params)))
        return {}, replies

    def op_predict(self, request, arrays):
        """net.forward(x), train.predict(net, x) and train.accuracy(net, x, y) for a net holding the given params."""
        train = self.module("train")
        net = self.new_network(request)
        net.params = {k[2:]: v.copy() for k, v in arrays.items() if k.startswith("p.")}
        out = _as_array(net.forward(arrays["x"].copy()))
        pred = train.predict(net, arrays["x"].copy())
        acc = train.accuracy(net, arrays["x"].copy(), arrays["y"].copy())
        return {"accuracy_type": type(acc).__name__}, {"out": out, "pred": _as_array(pred), "accuracy": _as_array(acc)}

    def op_conv(self, request, arrays):
        """Conv1D(in, out, k, seed): its params' shapes, then forward(x) and backward(dout) with the given W, b."""
        layer = self.module("conv").Conv1D(
            request["in_channels"], request["out_channels"], request["kernel_size"], seed=request.get("seed", 0)
        )
        shapes = {k: list(_as_array(v).shape) for k, v in dict(layer.params).items()}
        for key in ("W", "b"):  # in place when the shapes fit: a layer may keep its own references
            current = layer.params.get(key) if isinstance(layer.params, dict) else None
            if current is not None and hasattr(current, "shape") and tuple(current.shape) == arrays[key].shape:
                current[...] = arrays[key]
            else:
                layer.params[key] = arrays[key].copy()
        out = layer.forward(arrays["x"].copy())
        dx, grads = layer.backward(arrays["dout"].copy())
        return {"init_shapes": shapes}, {"out": _as_array(out), "dx": _as_array(dx), **_prefixed("g", grads)}

    def new_trainee(self, request):
        """A fresh network with the requested optimizer (SGD when none is named)."""
        name = OPTIMIZER_CLASSES.get(str(request.get("optimizer") or "sgd").lower(), request.get("optimizer"))
        optimizer = getattr(self.module("optimizers"), name)(lr=request["lr"])
        return self.new_network(request, optimizer=optimizer)

    def run_train(self, net, arrays, epochs):
        losses = self.module("train").train(net, arrays["x"].copy(), arrays["y"].copy(), epochs)
        if losses is None:
            raise TypeError("train() returned None: it must return the list of losses, one per epoch")
        return _as_array(losses).ravel()

    def op_train(self, request, arrays):
        """Train a fresh network with the (clamped) config and return params and losses."""
        net = self.new_trainee(request)
        started = time.perf_counter()
        losses = self.run_train(net, arrays, request["epochs"])
        seconds = time.perf_counter() - started
        return {"seconds": seconds}, {"losses": losses, **_prefixed("p", net.params)}

    def op_train_chunks(self, request, arrays):
        """Train in chunks of epochs, returning the params after each chunk (for accuracy curves)."""
        import numpy as np

        net = self.new_trainee(request)
        started = time.perf_counter()
        replies, losses = {}, []
        for i, epochs in enumerate(request["chunks"]):
            losses.append(self.run_train(net, arrays, epochs))
            replies.update(_prefixed(f"p{i}", net.params))
        seconds = time.perf_counter() - started
        return {"seconds": seconds}, {"losses": np.concatenate(losses), **replies}


def _jsonable(value):
    """Turn tuples-of-numpy-scalars and the like into JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _as_array(value):
    import numpy as np

    if isinstance(value, np.ndarray):
        return np.array(value)  # drops subclasses: the parent gets plain data
    return np.array(value, dtype=float)


def _prefixed(prefix, mapping):
    if not isinstance(mapping, dict):
        raise TypeError(f"expected a dict of arrays, got {type(mapping).__name__}")
    return {f"{prefix}.{k}": _as_array(v) for k, v in mapping.items()}


def serve(child, protocol, fd_in, fd_out, out_writer, handlers):
    """Answer requests until the parent closes the pipe; `handlers` is child.dispatch(), taken
    before the submission was imported."""
    while True:
        try:
            request, arrays = protocol.read_message(fd_in)
        except protocol.Closed:
            return
        handler = handlers.get(str(request.get("op")))
        started = time.perf_counter()
        try:
            if handler is None:
                raise TypeError(f"unknown request {request.get('op')!r}")
            header, replies = handler(request, arrays)
            header = {"ok": True, **header}
        except NotImplementedError as exc:
            header, replies = (
                {
                    "ok": False,
                    "kind": "not_attempted",
                    "message": str(exc) or "NotImplementedError",
                    "traceback": child.student_traceback(exc),
                },
                {},
            )
        except SystemExit as exc:
            header, replies = (
                {
                    "ok": False,
                    "kind": "error",
                    "message": f"your code called exit({exc.code})",
                    "traceback": child.student_traceback(exc),
                },
                {},
            )
        except BaseException as exc:  # noqa: BLE001 (anything the student's code raises is a reply)
            header, replies = (
                {
                    "ok": False,
                    "kind": "error",
                    "message": f"{type(exc).__name__}: {exc}"[:2000],
                    "traceback": child.student_traceback(exc)[-8000:],
                },
                {},
            )
        text, dropped = out_writer.take()
        text = text.replace(child.student_root + os.sep, "")  # warnings name files as students see them
        header.update(
            output=text,
            output_dropped=dropped,
            seconds_in_child=time.perf_counter() - started,
            audit=child.audit.events,
            security=child.audit.security,
            review=child.review,
        )
        try:
            message = protocol.encode(header, replies)
        except protocol.UnsupportedArray as exc:  # the student's values: an error of this probe only
            message = protocol.encode(
                {
                    "ok": False,
                    "kind": "unsupported",
                    "message": f"your code returned {exc}",
                    "output": header.get("output", ""),
                    "audit": child.audit.events,
                    "security": child.audit.security,
                }
            )
        except (ValueError, TypeError) as exc:
            message = protocol.encode(
                {
                    "ok": False,
                    "kind": "malformed",
                    "message": f"reply not encodable: {exc}",
                    "audit": child.audit.events,
                    "security": child.audit.security,
                }
            )
        protocol.write_message(fd_out, message)
