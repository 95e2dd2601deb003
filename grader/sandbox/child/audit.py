"""The child's audit policy: what a submission is refused (framework imports) and what is recorded
as a security event for the TA (see Audit)."""

import os

from .. import procs

PACKAGE = "_lab1_grader_sandbox"  # the private name the child loads the sandbox code under (main.py)
# sandbox/ (this code: its own file reads, tracebacks) is exempt from the protected-path rule
SANDBOX_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class Audit:
    """Audit hook: records (and blocks) framework imports and native loads of frameworks, and, as
    security events, what a submission has no business doing while graded: importing the grader
    or the reference solution, reading them or another process's /proc files, writing outside its
    sandbox, signalling processes that are not its own, opening network connections, running
    programs, loading native code with ctypes. The kernel (rlimits, Landlock, seccomp, namespaces)
    is what stops these; the hook only words them, and can be bypassed with ctypes."""

    INTERNAL = {"reference": "the instructor's solution", "grader": "the grader", PACKAGE: "the grader"}  # noqa: RUF012 (read only)
    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    PROGRAMS = ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen")
    CONNECTS = ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg")

    def __init__(self, frameworks, sandbox_roots=(), protected=(), readonly=()):
        self.frameworks = frozenset(frameworks)
        self.events = []
        self.security = []
        self.roots = tuple(r.rstrip(os.sep) + os.sep for r in sandbox_roots if r) + ("/dev/",)
        # Read-only folders inside a root (a Python installation under /tmp, in the strict view).
        self.readonly = tuple(r.rstrip(os.sep) + os.sep for r in readonly if r)
        self.protected = tuple(p.rstrip(os.sep) + os.sep for p in protected if p)
        self.pid = os.getpid()
        self.exempt = SANDBOX_DIR
        self.busy = False  # the hook's own file reads and imports raise events too
        self.handlers = {"import": self._import, "ctypes.dlopen": self._dlopen, "open": self._open,
                         "os.kill": self._signal, "os.killpg": self._signal, "socket.__new__": self._socket,
                         "os.fork": self._fork, "resource.prlimit": self._prlimit}
        self.handlers.update(dict.fromkeys(self.CONNECTS, self._connect))
        self.handlers.update(dict.fromkeys(self.PROGRAMS, self._program))

    def __call__(self, event, args):
        if self.busy:
            return
        handler = self.handlers.get(event)
        if handler is None:
            return
        self.busy = True
        try:
            handler(event, args)
        finally:
            self.busy = False

    def _import(self, event, args):
        top = str(args[0]).split(".")[0]
        if top in self.frameworks:
            self._record(f"import of {args[0]}")
            raise ImportError(f"importing {top} is not allowed in this lab (NumPy only)")
        if top in self.INTERNAL:
            self._security(f"tried to import {args[0]} ({self.INTERNAL[top]})")
            raise ImportError(f"importing {top} is not allowed while grading")

    def _dlopen(self, event, args):
        name = str(args[0]) if args else ""
        if any(f in name.lower() for f in self.frameworks):
            self._record(f"ctypes load of {name}")
            raise ImportError(f"loading {name} is not allowed in this lab")
        self._security(f"loaded native code with ctypes ({name or 'the C library'})")

    def _socket(self, event, args):
        if len(args) > 1 and args[1] not in (-1, __import__("socket").AF_UNIX):
            self._security(f"tried to open a network connection (a socket of family {args[1]})")

    def _connect(self, event, args):
        family = getattr(args[0], "family", None)
        if family is not None and int(family) != getattr(__import__("socket"), "AF_UNIX", 1):
            self._security(f"opened a network connection ({event.split('.')[1]} {args[1]!r:.80})")

    def _program(self, event, args):
        self._security(f"ran a program ({event} {args[0]!r:.80})")

    def _prlimit(self, event, args):
        pid, limits = args[0], args[2] if len(args) > 2 else None
        if limits is not None and pid not in (0, os.getpid()) and not self._own(pid):
            target = "its parent, the grader" if pid == os.getppid() else f"process {pid}"
            self._security(f"tried to change the resource limits of {target}")

    def _fork(self, event, args):
        self._security("started a process (os.fork)")

    def _open(self, event, args):
        path, mode, flags = (list(args) + [None, None, None])[:3]
        if not isinstance(path, (str, bytes)):
            return  # an fd
        path = os.path.abspath(os.fsdecode(path))
        if path.startswith(self.protected) and not path.startswith(self.exempt):
            self._security(f"tried to read {path} (the grader's or the instructor's files)")
            raise PermissionError(f"{path} is not readable while grading")
        if path.startswith("/proc/"):
            part = path.split("/")[2]
            if part.isdigit() and int(part) != os.getpid() and not self._own(int(part)):
                self._security(f"tried to read {path} (another process)")
                raise PermissionError(f"{path} is not readable while grading")
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & self.WRITE_FLAGS)
        inside = (path.startswith(self.roots) or path + os.sep in self.roots) and not path.startswith(self.readonly)
        if writes and not inside:
            self._security(f"tried to write {path} outside its sandbox folder")

    def _signal(self, event, args):
        pid, sig = args[0], args[1]
        try:
            name = __import__("signal").Signals(sig).name
        except (ValueError, TypeError):
            name = str(sig)
        if event == "os.killpg":
            own = pid == os.getpgid(0)
        else:
            own = pid == 0 or (pid > 0 and (pid == os.getpid() or self._own(pid)))
        if not own:
            target = "every process it may signal" if pid == -1 else (
                "its parent, the grader" if pid == os.getppid() else f"process {pid}")
            self._security(f"sent {name} to {target}")

    def _own(self, pid):
        """True when pid is a descendant of this process (walks /proc parent links)."""
        for _ in range(64):
            pid = procs.parent_of(pid)
            if pid is None:
                return False
            if pid == self.pid:
                return True
            if pid <= 1:
                return False
        return False

    def _record(self, what):
        if len(self.events) < 100 and what not in self.events:
            self.events.append(what)

    def _security(self, what):
        if len(self.security) < 100 and what not in self.security:
            self.security.append(what)
