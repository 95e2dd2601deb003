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
import time
from pathlib import Path

from grader.sandbox import procs, strict
from grader.sandbox.errors import (
    ChildDied,
    MalformedReply,
    NotAttempted,
    ProbeError,
    ProbeTimeout,
    SubmissionError,
)
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


class Sandbox:
    """One sandboxed child per submission, restarted after a crash or a timeout."""

    def __init__(self, submission: Path, limits: ChildLimits, frameworks=(), max_restarts: int = 4,
                 tier: str = "default"):
        self.submission = Path(submission).resolve()
        self.tier = tier  # "default" (portable) or "strict" (Linux namespaces; see grader/sandbox/strict/)
        self.tier_note = ""  # why the strict tier fell back to default
        if tier == "strict":
            available, why = strict.available()
            if not available:
                self.tier, self.tier_note = "default", f"strict sandbox not available here: {why}"
        strict.guard_grader()  # Linux: subreaper (catches setsid daemons), not dumpable (hides /proc/<grader>)
        self.limits = limits
        self.frameworks = tuple(frameworks)
        self.max_restarts = max_restarts
        self._lock = threading.RLock()
        self._proc: subprocess.Popen | None = None
        # The folder names its owner: a grader killed before close() leaves a folder the next
        # sandbox (or the batch's supervisor) removes once that pid is gone.
        procs.remove_orphan_folders(tempfile.gettempdir(), SANDBOX_PREFIX)
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{SANDBOX_PREFIX}{os.getpid()}-"))
        self.workdir = self.tmp / "work"
        self.home = self.tmp / "home"
        self.audit_events: list[str] = []
        self.security_events: list[str] = []  # what the child's audit hook saw it attempt (words, for TAs)
        self.restarts = 0
        self.dead_reason = ""  # set when the submission cannot even start: no more restarts
        self.hello: dict | None = None
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
        req_read, self._req_write = os.pipe()
        self._rep_read, rep_write = os.pipe()
        config = {
            "fd_in": req_read,
            "fd_out": rep_write,
            "workdir": str(self.workdir),
            "frameworks": list(self.frameworks),
            "output_chars": self.limits.output_kb * 1024,
        }
        root = os.path.realpath(self.tmp)
        config["sandbox_roots"] = sorted({str(self.tmp), root} | ({"/tmp"} if self.tier == "strict" else set()))
        config["protected"] = strict.hidden_paths()
        config["confine"] = strict.confine_policy([root], view=self.tier == "strict", hidden=config["protected"])
        command = [sys.executable, "-I", str(CHILD_MAIN)]
        if self.tier == "strict":
            area_mb = max(32, 4 * self.limits.file_size_mb)  # the child's whole writable space, in RAM
            config["view"] = strict.view_plan(root, os.path.realpath(self.workdir), area_mb, strict.hidden_paths())
            command = strict.wrapper() + command
        env = child_environment(self.home)
        env[procs.MARKER] = self.tmp.name
        self._log = open(self.tmp / f"child-{self.restarts}.log", "wb")
        self._proc = subprocess.Popen(
            command + [json.dumps(config)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            env=env,
            pass_fds=(req_read, rep_write),
            start_new_session=True,  # its own process group, killed as a whole
            preexec_fn=strict.child_preexec(rlimit_setter(self.limits), drop_caps=self.tier == "default"),
        )
        _LIVE_CHILDREN.add(self._proc.pid)
        os.close(req_read)
        os.close(rep_write)
        self.hello = None

    def _kill(self) -> None:
        """Kill the child's whole process group and release its pipes."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        # killpg misses what left the group (setsid daemons): kill the whole tree, and orphans the
        # subreaper grader inherited; the strict tier's PID namespace dies with its first process anyway.
        procs.kill_tree(proc.pid, protected=_LIVE_CHILDREN, marker=self.tmp.name)
        proc.wait()
        _LIVE_CHILDREN.discard(proc.pid)
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
            return self.hello["imports"]

    def versions(self) -> dict:
        """Python and NumPy versions seen by the child."""
        with self._lock:
            self._ensure_started()
            return {"python": self.hello["python"], "numpy": self.hello["numpy"]}

    def request(self, op: str, arrays=None, *, timeout: float, what: str, **fields):
        """Send one probe and return (header, arrays); raise a ProbeError on any failure."""
        with self._lock:
            self._ensure_started()
            return self._exchange({"op": op, **fields}, arrays, timeout, what)

    def _ensure_started(self) -> None:
        if self.dead_reason:
            raise ChildDied(self.dead_reason)
        if self._proc is None:
            if self.restarts >= self.max_restarts:
                self.dead_reason = "the grader stopped restarting your code after it crashed or hung repeatedly"
                raise ChildDied(self.dead_reason)
            self.restarts += 1
            self._spawn()
        if self.hello is None:
            try:
                header, _ = self._exchange({"op": "hello"}, None, self.limits.startup_seconds, "importing your modules")
            except ProbeTimeout:
                self.dead_reason = (
                    f"importing your modules did not finish within {self.limits.startup_seconds:g} s: code at "
                    "module level runs on import; put experiments under `if __name__ == \"__main__\":`"
                )
                raise ProbeTimeout(self.dead_reason) from None
            except ProbeError as exc:
                self.dead_reason = exc.reason
                raise
            self.hello = header

    def _exchange(self, request: dict, arrays, timeout: float, what: str):
        from grader.sandbox import protocol  # numpy: imported after the child is on its way

        deadline = time.monotonic() + timeout
        try:
            protocol.write_message(self._req_write, protocol.encode(request, arrays), deadline)
            header, replies = protocol.read_message(self._rep_read, deadline, self.limits.reply_mb << 20)
        except protocol.Timeout:
            self._kill()
            raise ProbeTimeout(
                f"{what} did not finish within {timeout:g} s and was stopped: "
                "look for an endless loop, a very slow per-sample loop or a blocking call"
            ) from None
        except protocol.Closed:
            raise ChildDied(self._death_reason(what)) from None
        except protocol.ProtocolError as exc:
            self._kill()
            if "cap" not in str(exc):  # the probe server never sends these: code wrote to its pipe
                self._note_security([f"sent a reply that breaks the grader's protocol ({exc})"])
            raise MalformedReply(f"{what}: the reply broke the protocol ({exc})") from None
        self._note_audit(header.get("audit"))
        self._note_security(header.get("security"))
        output = str(header.get("output", ""))
        if header.get("output_dropped"):
            output += f"\n[... {header['output_dropped']} more characters of output dropped]"
        if not header.get("ok"):
            kind = header.get("kind")
            cls = NotAttempted if kind == "not_attempted" else SubmissionError
            if kind == "malformed":
                cls = MalformedReply
            message = str(header.get("message", "unknown error"))
            reason = message if cls is NotAttempted else f"{what} raised {message}"
            if kind == "unsupported":  # values the wire format does not carry: this probe fails, the child lives
                reason = f"{what}: {message}"
            raise cls(reason, traceback=str(header.get("traceback", "")), output=output)
        header["output"] = output
        return header, replies

    def _note_audit(self, events) -> None:
        for event in events or []:
            if isinstance(event, str) and event not in self.audit_events and len(self.audit_events) < 100:
                self.audit_events.append(event[:200])

    def _note_security(self, events) -> None:
        for event in events or []:
            if isinstance(event, str) and event not in self.security_events and len(self.security_events) < 100:
                self.security_events.append(event[:300])

    @property
    def confinement(self) -> list[str]:
        """The kernel layers the child applied (namespaces, Landlock, seccomp), from its hello."""
        layers = (self.hello or {}).get("confinement", [])
        return [str(layer)[:100] for layer in layers] if isinstance(layers, list) else []

    def _death_reason(self, what: str) -> str:
        """Explain why the child died, from its exit status and last words."""
        proc = self._proc
        code = proc.wait(timeout=5) if proc else None
        tail = ""
        try:
            tail = (self.tmp / f"child-{self.restarts}.log").read_bytes()[-600:].decode("utf-8", "replace").strip()
        except OSError:
            pass
        self._kill()
        if code is not None and code < 0:
            sig = signal.Signals(-code).name
            cause = {
                "SIGXCPU": "it used more CPU time than allowed",
                "SIGKILL": "it was killed (often: it used more memory than allowed)",
                "SIGSEGV": "it crashed inside native code",
                "SIGXFSZ": "it wrote a file larger than allowed",
            }.get(sig, f"it received {sig}")
            reason = f"your code's process died during {what}: {cause}"
        elif code == 0:
            reason = f"your code ended the process during {what} (exit status 0): remove exit() and os._exit() calls"
        else:
            reason = f"your code's process exited with status {code} during {what}"
        if "MemoryError" in tail or "Cannot allocate memory" in tail:
            reason += f"; it ran out of the {self.limits.memory_mb} MB memory limit"
        return reason + (f" (last output: {tail[-200:]})" if tail else "")
