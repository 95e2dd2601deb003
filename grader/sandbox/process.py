"""The parent's side of the sandbox: spawn the child, send probes, enforce time limits."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from grader.sandbox import portable, procs, strict, verdicts, watch
from grader.sandbox.errors import ChildDied, MachineOverloaded, MalformedReply, ProbeError, ProbeTimeout
from grader.sandbox.limits import ChildLimits, child_environment, rlimit_setter

CHILD_MAIN = Path(__file__).with_name("child") / "main.py"
SKIPPED_NAMES = {"__pycache__", ".git", "__MACOSX", ".ipynb_checkpoints", ".venv", "venv"}
MAX_COPY_FILES = 2000
MAX_COPY_BYTES = 50 << 20
SANDBOX_PREFIX = "lab1-grader-"  # + the grader's pid + "-": see procs.remove_orphan_folders
_LIVE_CHILDREN: set[int] = set()  # pids of every Sandbox's live child in this process (kill_tree spares them)


class SubmissionTooLarge(ProbeError):
    """The submission folder is too big to copy into a sandbox."""


def copy_submission(source: Path, target: Path) -> None:
    """Copy a submission without symlinks, caches or VCS folders, within size caps."""
    files = total = 0
    for folder, dirs, names in os.walk(source, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_NAMES and not os.path.islink(os.path.join(folder, d)))
        destination = target / os.path.relpath(folder, source)
        destination.mkdir(parents=True, exist_ok=True)
        for name in sorted(names):
            path = os.path.join(folder, name)
            if os.path.islink(path) or not os.path.isfile(path) or name.endswith(".pyc"):
                continue
            files += 1
            total += os.path.getsize(path)
            if files > MAX_COPY_FILES or total > MAX_COPY_BYTES:
                raise SubmissionTooLarge(
                    f"the submission has more than {MAX_COPY_FILES} files or {MAX_COPY_BYTES >> 20} MB: "
                    "remove data sets, virtual environments and outputs from it"
                )
            shutil.copyfile(path, destination / name)


TIERS = ("default", "strict", "portable")


class Sandbox:
    """One sandboxed child per submission, restarted after a crash or a stop.

    Every probe has a budget of the child's CPU time (its whole process tree, watched through psutil,
    grader/sandbox/watch.py) and a generous wall-clock backstop: a verdict does not depend on the
    machine's load. A backstop hit while the child still computes is retried once in a fresh child;
    twice is MachineOverloaded ("regrade"), never the student's fault. The CPU of every probe and
    restart adds up to the submission's total budget (limits.cpu_seconds)."""

    def __init__(
        self, submission: Path, limits: ChildLimits, frameworks=(), max_restarts: int = 4, tier: str = "default"
    ):
        if tier not in TIERS:
            raise ValueError(f"unknown sandbox tier {tier!r}: use one of {', '.join(TIERS)}")
        self.submission = Path(submission).resolve()
        self.tier = tier  # "default", "strict" (Linux namespaces) or "portable" (cross-platform parts only)
        self.tier_note = ""  # why the strict tier fell back to default
        if tier == "strict":
            available, why = strict.available()
            if not available:
                self.tier, self.tier_note = "default", f"strict sandbox not available here: {why}"
        if self.tier != "portable":
            strict.guard_grader()  # Linux: subreaper (catches setsid daemons), not dumpable (hides /proc/<grader>)
        self.limits = limits
        self.frameworks = tuple(frameworks)
        self.max_restarts = max_restarts
        self._lock = threading.RLock()
        self._proc: subprocess.Popen | None = None
        self._watch: watch.TreeWatch | None = None
        self._talker: threading.Thread | None = None
        # The folder names its owner: a grader killed before close() leaves a folder the next
        # sandbox (or the batch's supervisor) removes once that pid is gone.
        procs.remove_orphan_folders(tempfile.gettempdir(), SANDBOX_PREFIX, is_alive=watch.pid_exists)
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{SANDBOX_PREFIX}{os.getpid()}-"))
        self.workdir = self.tmp / "work"
        self.home = self.tmp / "home"
        self.audit_events: list[str] = []
        self.security_events: list[str] = []  # what the child's audit hook saw it attempt (words, for TAs)
        self.review_notes: list[str] = []  # what a TA should look at, at no cost (numerical backward...)
        self.restarts = 0
        self.dead_reason = ""  # set when the submission cannot even start: no more restarts
        self._dead_error: type[ProbeError] = ChildDied
        self.hello: dict | None = None
        self.cpu_spent = 0.0  # CPU seconds of every child of this submission so far
        self.overload_stops = 0  # wall-clock backstop hits while the child computed (each one retried)
        self._peak = verdicts.Peak()  # the probe nearest its CPU budget, for near_limits
        try:  # every path out of here leaves no folder behind (size cap, Ctrl-C, a failed start)
            self.home.mkdir()
            copy_submission(self.submission, self.workdir / "student")
            self._spawn()
        except BaseException:
            self.close()
            raise

    # --- lifecycle -----------------------------------------------------------
    def _spawn(self) -> None:
        """Start a child; it imports the submission while the parent goes on."""
        root = os.path.realpath(self.tmp)
        config: dict[str, Any] = {
            "workdir": str(self.workdir),
            "frameworks": list(self.frameworks),
            "output_chars": self.limits.output_kb * 1024,
            "sandbox_roots": sorted({str(self.tmp), root} | ({"/tmp"} if self.tier == "strict" else set())),
            "protected": strict.hidden_paths(),
            "framework_dirs": strict.framework_dirs(self.frameworks),  # unreadable: Landlock, strict view
        }
        command = [sys.executable, "-I", str(CHILD_MAIN)]
        env = child_environment(self.home)
        env[procs.MARKER] = self.tmp.name
        self._log_path = self.tmp / f"child-{self.restarts}.log"
        self._log = open(self._log_path, "wb")
        if self.tier == "portable":
            config["confine"] = {}
            self._proc, self._req_write, self._rep_read = portable.spawn(
                command, config, cwd=str(self.workdir), env=env, log=self._log
            )
        else:
            self._proc = self._spawn_posix(command, config, root, env)
        _LIVE_CHILDREN.add(self._proc.pid)
        self._watch = watch.start(self._proc.pid)
        self.hello = None

    def _spawn_posix(self, command: list[str], config: dict, root: str, env: dict[str, str]) -> subprocess.Popen:
        """The default and strict tiers: pipes passed by number, rlimits and kernel guards in preexec_fn."""
        req_read, self._req_write = os.pipe()
        self._rep_read, rep_write = os.pipe()
        config.update(fd_in=req_read, fd_out=rep_write)
        unreadable = config["protected"] + config["framework_dirs"]
        config["confine"] = strict.confine_policy([root], view=self.tier == "strict", hidden=unreadable)
        if self.tier == "strict":
            area_mb = max(32, 4 * self.limits.file_size_mb)  # the child's whole writable space, in RAM
            config["view"] = strict.view_plan(root, os.path.realpath(self.workdir), area_mb, unreadable)
            command = strict.wrapper() + command
        proc = subprocess.Popen(
            command + [json.dumps(config)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            env=env,
            pass_fds=(req_read, rep_write),
            start_new_session=True,  # its own process group, killed as a whole
            # Between fork and exec, so that rlimits, no_new_privs and dropped capabilities bind the
            # child alone; its buffers are built before the fork and it makes only syscalls.
            preexec_fn=strict.child_preexec(rlimit_setter(self.limits), drop_caps=self.tier == "default"),  # noqa: PLW1509
        )
        os.close(req_read)
        os.close(rep_write)
        return proc

    def _kill(self) -> None:
        """Kill the child's whole process tree and release its pipes."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if self.tier != "portable":
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            # killpg misses what left the group (setsid daemons): kill the whole tree, and orphans the
            # subreaper grader inherited; the strict tier's PID namespace dies with its first process anyway.
            procs.kill_tree(proc.pid, protected=_LIVE_CHILDREN, marker=self.tmp.name)
        if self._watch is not None:
            self._watch.kill()  # every tier: the tree, and every process seen in it before
        proc.wait()
        _LIVE_CHILDREN.discard(proc.pid)
        talker, self._talker = self._talker, None
        if talker is not None:
            talker.join(5)
        # A thread still blocked on the pipes (a process outside the tree holds them) keeps them: closing
        # an fd under a blocked reader could hand its number to another file.
        if talker is None or not talker.is_alive():
            if self.tier == "portable":
                portable.close_pipes(proc)
            else:
                for fd in (self._req_write, self._rep_read):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
        self._log.close()

    def close(self) -> None:
        """Kill the child and delete the sandbox's files."""
        with self._lock:
            self._kill()
            if self.tier != "portable":
                procs.kill_tree(None, protected=_LIVE_CHILDREN, marker=self.tmp.name)  # orphans of earlier children
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- requests ------------------------------------------------------------
    def imports(self) -> dict:
        """The import status of every contract module (waits for the child to start)."""
        with self._lock:
            self._ensure_started()
            assert self.hello is not None
            imports: dict = self.hello["imports"]
            return imports

    def versions(self) -> dict:
        """Python and NumPy versions seen by the child."""
        with self._lock:
            self._ensure_started()
            assert self.hello is not None
            return {"python": self.hello["python"], "numpy": self.hello["numpy"]}

    def request(self, op: str, arrays=None, *, timeout: float, what: str, **fields):
        """Send one probe with a budget of `timeout` CPU seconds; return (header, arrays) or raise a ProbeError."""
        with self._lock:
            self._ensure_started()
            return self._exchange_retrying({"op": op, **fields}, arrays, timeout, what)

    def _ensure_started(self) -> None:
        if self.dead_reason:
            raise self._dead_error(self.dead_reason)
        if self._proc is None:
            if self.restarts >= self.max_restarts:
                self.dead_reason = "the grader stopped restarting your code after it crashed or hung repeatedly"
                raise ChildDied(self.dead_reason)
            self.restarts += 1
            self._spawn()
        if self.hello is None:
            what = "importing your modules"
            try:
                header, _ = self._exchange_retrying({"op": "hello"}, None, self.limits.startup_seconds, what)
            except ProbeTimeout as exc:
                self.dead_reason = (
                    f"{exc.reason}; code at module level runs on import: put experiments under "
                    '`if __name__ == "__main__":`'
                )
                raise ProbeTimeout(self.dead_reason) from None
            except ProbeError as exc:
                self.dead_reason = exc.reason
                if isinstance(exc, MachineOverloaded):
                    self._dead_error = MachineOverloaded  # every later probe: regrade, not the student's fault
                raise
            self.hello = header

    def _exchange_retrying(self, request: dict, arrays, cpu: float, what: str):
        """_exchange, once more in a fresh child when the wall-clock backstop stopped a computing child."""
        try:
            return self._exchange(request, arrays, cpu, what)
        except verdicts.WallStop:
            self.overload_stops += 1
        self.max_restarts += 1  # the machine's fault: the retry's restart is free
        if request["op"] == "hello":
            self.restarts += 1
            self._spawn()
        else:
            self._ensure_started()
        try:
            return self._exchange(request, arrays, cpu, what)
        except verdicts.WallStop as stop:
            self.overload_stops += 1
            raise verdicts.overloaded(stop, cpu, what) from None

    def _exchange(self, request: dict, arrays, cpu: float, what: str):
        from grader.sandbox import protocol  # numpy: imported after the child is on its way

        total = float(self.limits.cpu_seconds)
        remaining = total - self.cpu_spent
        if remaining <= 0:
            raise ProbeTimeout(self._out_of_cpu())
        budget = self._budget(min(cpu, remaining), cpu)
        message = protocol.encode(request, arrays)
        done, box = threading.Event(), dict[str, Any]()
        req_fd, rep_fd, cap = self._req_write, self._rep_read, self.limits.reply_mb << 20

        def talk() -> None:  # blocking reads and writes: the same on every OS, and no select() on pipes
            try:
                protocol.write_message(req_fd, message)
                box["reply"] = protocol.read_message(rep_fd, None, cap)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                box["error"] = exc
            finally:
                done.set()

        self._talker = threading.Thread(target=talk, name="sandbox-exchange", daemon=True)
        self._talker.start()
        since_spawn = request.get("op") == "hello"  # the import's CPU counts from the child's start
        verdict, usage = watch.wait_for(done, self._watch, budget, spent_before=0.0 if since_spawn else None)
        self.cpu_spent += usage.cpu_seconds
        if verdict is not None:
            self._kill()
            if verdict == "cpu" and budget.cpu_seconds < cpu:  # the submission's total ran out, not the probe's
                raise ProbeTimeout(f"{what} was stopped: {self._out_of_cpu()}")
            raise verdicts.stopped(verdict, usage, budget, cpu, what, self.limits)
        self._talker.join()
        self._talker = None
        error = box.get("error")
        if isinstance(error, protocol.Closed):
            raise ChildDied(self._death_reason(what)) from None
        if isinstance(error, protocol.ProtocolError):
            self._kill()
            if "cap" not in str(error):  # the probe server never sends these: code wrote to its pipe
                verdicts.note_security(
                    self.security_events, [f"sent a reply that breaks the grader's protocol ({error})"]
                )
            raise MalformedReply(f"{what}: the reply broke the protocol ({error})") from None
        if isinstance(error, OSError):
            raise ChildDied(self._death_reason(what)) from None
        if error is not None:
            raise error
        self._peak.note(usage.cpu_seconds, cpu, what)
        header, replies = box["reply"]
        verdicts.note_audit(self.audit_events, header.get("audit"))
        verdicts.note_security(self.security_events, header.get("security"))
        verdicts.note_review(self.review_notes, header.get("review"))
        return verdicts.answer(header, what), replies

    def _budget(self, cpu: float, asked: float) -> watch.Budget:
        """CPU budget, backstop and (portable tier: no rlimits) the memory and output caps watched."""
        if self.tier != "portable":
            return watch.Budget(cpu, self.limits.backstop(asked))
        output_cap = max(16 * self.limits.output_kb * 1024, 8 << 20)  # what escapes the child's capture
        return watch.Budget(
            cpu,
            self.limits.backstop(asked),
            memory_bytes=self.limits.memory_mb << 20,
            output_path=str(self._log_path),
            output_bytes=output_cap,
        )

    def _out_of_cpu(self) -> str:
        """The submission's whole CPU budget is spent: every later probe fails with these words."""
        self.dead_reason, self._dead_error = verdicts.total_spent(self.limits), ProbeTimeout
        return self.dead_reason

    def near_limits(self) -> list[str]:
        """What came near its budget (more than limits.near_limit of it), in words for a TA."""
        return verdicts.near_limits(self._peak, self.cpu_spent, self.limits)

    @property
    def confinement(self) -> list[str]:
        """The layers the child ran under: kernel layers it applied (from its hello), or what the portable
        tier watches from the grader."""
        layers = (self.hello or {}).get("confinement", [])
        applied = [str(layer)[:100] for layer in layers] if isinstance(layers, list) else []
        return list(portable.CONFINEMENT) + applied if self.tier == "portable" else applied

    @property
    def unconfined(self) -> list[str]:
        """What this tier cannot confine (recorded in the results)."""
        return list(portable.GAPS) if self.tier == "portable" else []

    def _death_reason(self, what: str) -> str:
        """Explain why the child died, from its exit status and last words."""
        proc = self._proc
        try:
            code = proc.wait(timeout=5) if proc else None
        except subprocess.TimeoutExpired:
            code = None
        tail = ""
        try:
            tail = self._log_path.read_bytes()[-600:].decode("utf-8", "replace").strip()
        except OSError:
            pass
        self._kill()
        return verdicts.death_reason(code, tail, what, self.limits)
