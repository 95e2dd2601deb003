"""Parent side of the confinement: can this machine run the strict tier, what the child will see and
may touch (plans sent to it as JSON), the child's preexec_fn, and the grader's own guard.

    available() -> (bool, reason)     can this machine run the strict tier?
    wrapper()                         argv prefix: ``unshare`` with its own mount/net/pid/ipc/uts/cgroup namespaces
    view_plan(...)                    what the strict child sees of the file system (for view.enter_view)
    confine_policy(...)               Landlock and seccomp settings for the child (for confine.confine)
    child_preexec(...)                preexec_fn: rlimits, no_new_privs, capabilities dropped (default tier, root)
    guard_grader()                    once per process: subreaper, not dumpable
"""

from __future__ import annotations

import ctypes
import os
import sys

from ..procs import (
    LINUX,
    PR_CAP_AMBIENT,
    PR_CAP_AMBIENT_CLEAR_ALL,
    PR_CAPBSET_DROP,
    PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE,
    PR_SET_NO_NEW_PRIVS,
    libc,
    prctl,
)
from .kernel import NOBODY, WRITABLE_DEVICES, covered

LIBC = libc()

_AVAILABLE: tuple[bool, str] | None = None


def unshare_path() -> str | None:
    """util-linux ``unshare``, which creates the namespaces of the strict tier."""
    import shutil

    return shutil.which("unshare", path=os.pathsep.join((os.environ.get("PATH", ""), "/usr/bin", "/bin")))


def as_root() -> bool:
    """True when the grader runs as root: the strict child then drops to uid NOBODY for real."""
    return LINUX and os.geteuid() == 0


def wrapper() -> list[str]:
    """The argv prefix that runs the child in new namespaces (see available())."""
    argv = [unshare_path() or "unshare"]
    if not as_root():
        # An unprivileged grader needs a user namespace to create the others; inside it the child is
        # "root" mapped to the grader's own uid, and drops every capability after building its view.
        argv += ["--user", "--map-root-user"]
    # --kill-child: when unshare dies (the grader kills it), its child, PID 1 of the new PID namespace,
    # gets SIGKILL, and with it every process of the namespace (setsid daemons included).
    return argv + ["--mount", "--net", "--pid", "--ipc", "--uts", "--cgroup", "--fork", "--kill-child", "--"]


def available() -> tuple[bool, str]:
    """Whether the strict tier works here, and why not; probed once per process (a few ms)."""
    global _AVAILABLE
    if _AVAILABLE is None:
        _AVAILABLE = _probe()
    return _AVAILABLE


def _probe() -> tuple[bool, str]:
    import subprocess

    if not LINUX:
        return False, f"the strict sandbox needs Linux namespaces; this is {sys.platform}"
    if LIBC is None:
        return False, "ctypes cannot load the C library"
    if unshare_path() is None:
        return False, "util-linux `unshare` is not installed"
    try:
        done = subprocess.run(
            wrapper() + ["/bin/sh", "-c", "exit 0"],
            check=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"`unshare` failed: {exc}"
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = detail[-1] if detail else f"exit status {done.returncode}"
        hint = "" if as_root() else " (unprivileged user namespaces may be disabled: run as root or enable them)"
        return False, f"cannot create namespaces: {why}{hint}"
    if as_root():
        return True, "mount, network, PID, IPC, UTS and cgroup namespaces; the child runs as uid nobody"
    return True, "user, mount, network, PID, IPC, UTS and cgroup namespaces"


def _package_dir(name: str) -> str | None:
    """The folder of an importable top-level package, without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(next(iter(spec.submodule_search_locations)))


def view_plan(area: str, workdir: str, area_mb: int, hidden=()) -> dict:
    """What the strict child sees: system folders and the Python installation read-only, a private
    writable tmpfs of area_mb MB at `area` (a copy of `workdir` in it) and at /tmp, a minimal /dev,
    its own /proc; nothing else. `hidden` folders (the grader, the reference solution, the rubric)
    are covered by an empty read-only tmpfs when they lie inside a visible folder."""
    system = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt/conda"]
    ro, links = [], {}
    for path in system:
        if os.path.islink(path):
            links[path] = os.readlink(path)
        elif os.path.isdir(path):
            ro.append(path)
    # What `python -I` imports from: the installation and its site-packages (never the grader's own
    # sys.path, which holds its working folder).
    python = [sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))]
    try:
        import site

        python += site.getsitepackages()
    except (AttributeError, ImportError):  # pragma: no cover - virtualenv's old site.py
        pass
    real_ro = [os.path.realpath(p) for p in ro]
    for path in python:
        real = os.path.realpath(path)
        if os.path.isdir(real) and not covered(real, real_ro) and not covered(real, [area]):
            real_ro = [r for r in real_ro if not covered(r, [real])] + [real]
    # The interpreter may be reached through symlinks (a venv's bin/python -> pyenv): keep them.
    for path in (sys.executable, os.path.join(sys.prefix, "bin", "python3")):
        if os.path.islink(path) and not covered(os.path.realpath(os.path.dirname(path)), real_ro):
            real_ro.append(os.path.realpath(os.path.dirname(path)))
    hide = []
    for path in hidden:
        if path and os.path.isdir(path):
            real = os.path.realpath(path)
            if covered(real, real_ro):
                hide.append(real)
    return {
        "root": os.path.join(area, "newroot"),
        "ro": sorted(set(real_ro)),
        "links": links,
        "hide": sorted(set(hide)),
        "area": area,
        "workdir": workdir,
        "area_mb": int(area_mb),
        "uid": NOBODY if as_root() else None,
        "gid": NOBODY if as_root() else None,
    }


_HIDDEN: list[str] | None = None


def hidden_paths() -> list[str]:
    """Folders a submission must not see: the grader package, the reference solution and the
    skeleton (wherever they are installed: an editable install maps them to the repository)."""
    global _HIDDEN
    if _HIDDEN is None:
        here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))  # grader/
        _HIDDEN = [p for p in (here, _package_dir("reference"), _package_dir("student")) if p]
    return list(_HIDDEN)


# /etc entries a Python child may read (never /etc as a whole: shadow, keys, tokens).
ETC_READABLE = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "timezone",
    "passwd",
    "group",
    "nsswitch.conf",
    "host.conf",
    "hosts",
    "gai.conf",
    "fonts",
    "matplotlibrc",
    "mime.types",
    "os-release",
    "debian_version",
    "alternatives",
    "locale.alias",
    "locale.conf",
)
# Never all of /opt (machines keep wheels and package indexes there): the Python installation, when
# it lives there, comes from python_roots().
SYSTEM_READABLE = (
    "/usr",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/bin",
    "/sbin",
    "/nix/store",
    "/gnu/store",
    "/snap",
    "/proc",
    "/sys",
    "/dev",
)


def python_roots() -> list[str]:
    """The folders the child's interpreter imports from: its installation and site-packages."""
    roots = [sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))]
    try:
        import site

        roots += site.getsitepackages()
    except (AttributeError, ImportError):  # pragma: no cover - virtualenv's old site.py
        pass
    return sorted({os.path.realpath(p) for p in roots if os.path.isdir(p)})


def confine_policy(writable: list[str], view: bool, hidden=()) -> dict:
    """Landlock and seccomp settings for confine(): reads only in the system folders, the Python
    installation and the sandbox, never in `hidden` ones (the grader, the reference solution);
    writes only under `writable` (and /tmp in the strict view, the child's own tmpfs)."""
    rw = list(writable) + (["/tmp"] if view else [])
    readable = list(SYSTEM_READABLE) + [os.path.join("/etc", name) for name in ETC_READABLE] + python_roots()
    return {
        "writable": rw,
        "readable": readable,
        "hidden": [os.path.realpath(p) for p in hidden],
        "devices": list(WRITABLE_DEVICES),
        "landlock": True,
        "seccomp": True,
        "processes": not view,
    }  # strict: no fork (RLIMIT_AS/CPU are per process; NPROC spares root)


def child_preexec(rlimits, drop_caps: bool):
    """preexec_fn of the child: rlimits, no_new_privs (never gains privileges through exec; also the
    mark by which kill_tree recognises sandbox processes), and for a root grader in the default tier
    every capability dropped, so the child cannot raise its rlimits, trace, or read others' files."""
    if not LINUX or LIBC is None:
        return rlimits
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective/permitted/inheritable, two 32-bit words: all zero

    def apply() -> None:
        if rlimits is not None:
            rlimits()
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        if drop_caps and os.geteuid() == 0:
            for cap in range(64):
                prctl(PR_CAPBSET_DROP, cap)
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
            LIBC.capset(header, data)

    return apply


_GUARDED_PID = 0


def guard_grader() -> None:
    """Once per grader process (Linux): become a child subreaper, so that a submission's setsid
    daemons are re-parented to the grader (where kill_tree finds them) rather than to init; and
    make the grader not dumpable, so that no child without CAP_SYS_PTRACE can read its memory,
    environment (secret seed) or maps through /proc, nor attach to it."""
    global _GUARDED_PID
    if not LINUX or LIBC is None or os.getpid() == _GUARDED_PID:
        return
    _GUARDED_PID = os.getpid()
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_DUMPABLE, 0)


_FRAMEWORK_DIRS: dict[tuple[str, ...], list[str]] = {}


def framework_dirs(names) -> list[str]:
    """Where the installed deep-learning frameworks among `names` live inside the Python installation
    (their package folders or module files), found without importing them: the child may not read
    them (Landlock, the strict view) and the audit hook refuses to open them."""
    import importlib.util

    key = tuple(sorted(names))
    if key not in _FRAMEWORK_DIRS:
        roots, found = python_roots(), []
        for name in key:
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                continue
            if spec is None:
                continue
            paths = list(spec.submodule_search_locations or []) or ([spec.origin] if spec.origin else [])
            for path in paths:
                real = os.path.realpath(path)
                if os.path.exists(real) and covered(real, roots) and real not in roots:
                    found.append(real)
        _FRAMEWORK_DIRS[key] = sorted(set(found))
    return list(_FRAMEWORK_DIRS[key])
