"""The child's audit policy: what a submission is refused (framework imports) and what is recorded
as a security event for the TA (see Audit)."""

import os
import sys
from types import MappingProxyType
from typing import Any

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

    INTERNAL = MappingProxyType(
        {"reference": "the instructor's solution", "grader": "the grader", PACKAGE: "the grader"}
    )
    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    PROGRAMS = ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen")
    CONNECTS = ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg")

    # Events that reach frames, the heap or tracing: refused when the submission's own code asks.
    INTROSPECTION = MappingProxyType(
        {
            "sys._getframe": "read interpreter frames (sys._getframe)",
            "sys._current_frames": "read interpreter frames (sys._current_frames)",
            "gc.get_objects": "walked the heap (gc.get_objects)",
            "gc.get_referrers": "walked the heap (gc.get_referrers)",
            "gc.get_referents": "walked the heap (gc.get_referents)",
            "sys.settrace": "installed a tracer (sys.settrace)",
            "sys.setprofile": "installed a profiler hook (sys.setprofile)",
        }
    )
    FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_code", "gi_code", "cr_code"})
    FUNCTION_ATTRIBUTES = frozenset({"__code__", "__defaults__", "__kwdefaults__", "__globals__", "__closure__"})
    CODE_RUNNERS = (
        "code.py",
        "codeop.py",
        "runpy.py",
        "timeit.py",
        "cProfile.py",
        "profile.py",
        "pdb.py",
        "bdb.py",
        "doctest.py",
        "trace.py",
    )

    def __init__(self, frameworks, sandbox_roots=(), protected=(), readonly=(), student_root="", framework_dirs=()):
        self.student_root = student_root.rstrip(os.sep) + os.sep if student_root else None
        # A module of the submission is the student's whatever its name (its own autograd.py).
        self.own_modules = frozenset(_own_modules(student_root)) if student_root else frozenset()
        self.frameworks = frozenset(frameworks) - self.own_modules
        self.framework_dirs = tuple(d.rstrip(os.sep) + os.sep for d in framework_dirs if d)
        # (finder, its find_spec function, its code): restored whenever it is tampered with
        self.guard: tuple[Any, Any, Any] | None = None
        self.events = []
        self.security = []
        self.roots = tuple(r.rstrip(os.sep) + os.sep for r in sandbox_roots if r) + ("/dev/",)
        # Read-only folders inside a root (a Python installation under /tmp, in the strict view).
        self.readonly = tuple(r.rstrip(os.sep) + os.sep for r in readonly if r)
        self.protected = tuple(p.rstrip(os.sep) + os.sep for p in protected if p)
        self.pid = os.getpid()
        self.exempt = SANDBOX_DIR
        self.busy = False  # the hook's own file reads and imports raise events too
        self.frame = None
        self.handlers = {
            "import": self._import,
            "ctypes.dlopen": self._dlopen,
            "open": self._open,
            "os.kill": self._signal,
            "os.killpg": self._signal,
            "socket.__new__": self._socket,
            "os.fork": self._fork,
            "resource.prlimit": self._prlimit,
        }
        self.handlers.update(dict.fromkeys(self.CONNECTS, self._connect))
        self.handlers.update(dict.fromkeys(self.PROGRAMS, self._program))
        self.handlers.update(dict.fromkeys(self.INTROSPECTION, self._introspection))
        self.handlers.update(
            {
                "compile": self._runtime_code,
                "exec": self._runtime_code,
                "marshal.loads": self._runtime_code,
                "code.__new__": self._runtime_code,
                "object.__getattr__": self._attribute,
                "object.__setattr__": self._attribute,
                "object.__delattr__": self._attribute,
            }
        )

    def protect_guard(self, finder):
        """Remember the import guard: the hook puts it back first on sys.meta_path, unchanged."""
        function = type(finder).__dict__["find_spec"]
        self.guard = (finder, function, function.__code__)

    def _check_guard(self):
        if self.guard is None:
            return
        finder, function, code = self.guard
        cls = type(finder)
        intact = function.__code__ is code and cls.__dict__.get("find_spec") is function
        if sys.meta_path and sys.meta_path[0] is finder and intact:
            return
        self._security("switched off the grader's import guard (sys.meta_path)")
        if not intact:
            type.__setattr__(cls, "find_spec", function)
            function.__code__ = code
        while finder in sys.meta_path:
            sys.meta_path.remove(finder)
        sys.meta_path.insert(0, finder)

    def _caller(self, up=0):
        """The file of the Python code that caused the event (`up` frames further out), or ''."""
        frame = self.frame
        for _ in range(up):
            frame = frame.f_back if frame is not None else None
        return frame.f_code.co_filename if frame is not None else ""

    def _from_student(self, up=0):
        """Whether the submission's code caused the event: a file of the submission, or code it built
        at run time ('<string>'; the import system's frozen modules aside)."""
        if not self.student_root:
            return False
        caller = self._caller(up)
        return caller.startswith(self.student_root) or (caller.startswith("<") and not caller.startswith("<frozen"))

    def _introspection(self, event, args):
        if self._from_student():
            self._security(self.INTROSPECTION[event])
            raise PermissionError(f"{event} is not available while grading")

    def _runtime_code(self, event, args):
        """exec/compile of text built at run time: no use in this lab, the way around the static scan."""
        self._check_guard()  # every new module is exec-ed: importlib.import_module included
        caller = self._caller()
        runner = caller.endswith(self.CODE_RUNNERS) and self._from_student(1)
        if self._from_student() or runner:
            self._security(f"ran code built at run time ({event})")

    def _attribute(self, event, args):
        target, name = args[0], str(args[1])
        if name in self.FUNCTION_ATTRIBUTES and self._is_grader_code(target):
            self._security(f"reached into the grader's code ({name})")
            raise PermissionError(f"{name} of the grader's functions is not available while grading")
        if name in self.FRAME_ATTRIBUTES and self._from_student():
            self._security(f"read interpreter frames ({name})")
            raise PermissionError(f"{name} is not available while grading")

    def _is_grader_code(self, target):
        code = getattr(target, "__code__", None) or getattr(getattr(target, "__func__", None), "__code__", None)
        filename = getattr(code, "co_filename", "") or ""
        return isinstance(filename, str) and filename.startswith(self.exempt)

    def __call__(self, event, args):
        if self.busy:
            return
        handler = self.handlers.get(event)
        if handler is None:
            return
        self.busy = True
        try:
            self.frame = sys._getframe(1)  # the code that caused the event
            handler(event, args)
        finally:
            self.frame = None
            self.busy = False

    def _import(self, event, args):
        self._check_guard()
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
        if self._matplotlib_helper(args[0]):
            return  # matplotlib's font cache runs fc-list: not the student's doing
        self._security(f"ran a program ({event} {args[0]!r:.80})")

    def _matplotlib_helper(self, program):
        name = os.path.basename(
            os.fsdecode(
                program
                if isinstance(program, (str, bytes))
                else (list(program) or [""])[0]
                if isinstance(program, (list, tuple))
                else ""
            )
        )
        if name != "fc-list":
            return False
        for up in range(20):
            caller = self._caller(up)
            if not caller:
                return False
            if f"{os.sep}matplotlib{os.sep}" in caller:
                return True
        return False

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
        if self.framework_dirs and path.startswith(self.framework_dirs):  # importlib.import_module, guard off
            self._check_guard()
            self._record(f"import of {path.rstrip(os.sep).split(os.sep)[-1]} (a file of a framework)")
            raise PermissionError(f"{path} belongs to a deep-learning framework: not allowed in this lab")
        if path.startswith(self.protected) and not path.startswith(self.exempt):
            self._security(f"tried to read {path} (the grader's or the instructor's files)")
            raise PermissionError(f"{path} is not readable while grading")
        if path.startswith("/proc/"):
            part = path.split("/")[2]
            if part.isdigit() and int(part) != os.getpid() and not self._own(int(part)):
                self._security(f"tried to read {path} (another process)")
                raise PermissionError(f"{path} is not readable while grading")
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & self.WRITE_FLAGS
        )
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
            target = (
                "every process it may signal"
                if pid == -1
                else ("its parent, the grader" if pid == os.getppid() else f"process {pid}")
            )
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


def _own_modules(student_root):
    """Top-level module names the submission provides (name.py files and folders)."""
    try:
        names = os.listdir(student_root)
    except OSError:
        return set()
    found = set()
    for name in names:
        path = os.path.join(student_root, name)
        if name.endswith(".py"):
            found.add(name[:-3])
        elif os.path.isdir(path) and name.isidentifier():
            found.add(name)
    return found
