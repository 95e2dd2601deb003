"""Linux confinement of the sandboxed child: the ``strict`` tier, and the kernel guards both tiers share.

Parent side (the grader process):
    available() -> (bool, reason)     can this machine run the strict tier?
    wrapper()                         argv prefix: ``unshare`` with its own mount/net/pid/ipc/uts/cgroup namespaces
    view_plan(...)                    what the strict child sees of the file system (JSON, for child_main)
    confine_policy(...)               Landlock and seccomp settings for the child (JSON, for child_main)
    child_preexec(...)                preexec_fn: rlimits, no_new_privs, capabilities dropped (default tier, root)
    guard_grader()                    once per process: subreaper, not dumpable
    kill_tree(pid, protected)         kill the child and every descendant, setsid daemons included

Child side (``child_main.py`` loads this file by path before anything else, so it imports only the
standard library and never the ``grader`` package):
    enter_view(plan)                  strict: build a private root, pivot into it, drop to an unprivileged uid
    confine(policy)                   both tiers: no_new_privs, Landlock, seccomp; returns what was applied

Everything is best effort: a kernel without Landlock or seccomp, or a non-Linux system, runs the
child without that layer, and the child reports which layers it applied (``hello``).
"""

from __future__ import annotations

import os
import signal
import struct
import sys
import time

LINUX = sys.platform.startswith("linux")
NOBODY = 65534  # the unprivileged uid/gid of the strict child when the grader runs as root
MARKER = "LAB1_GRADER_SANDBOX"  # environment marker of sandbox processes (fallback of the NNP marker)

try:
    import ctypes

    _libc = ctypes.CDLL(None, use_errno=True) if LINUX else None
except (ImportError, OSError):  # pragma: no cover - no ctypes: no kernel guards
    ctypes = None
    _libc = None

# prctl options
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

# mount(2) flags
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME = 16384, 1 << 18, 1 << 21
MNT_DETACH = 2
# statvfs f_flag -> mount flag, to keep the locked flags of a mount when remounting it read-only
_STATVFS_TO_MS = ((1, MS_RDONLY), (2, MS_NOSUID), (4, MS_NODEV), (8, MS_NOEXEC), (1024, MS_NOATIME),
                  (2048, MS_NODIRATIME), (4096, MS_RELATIME))

# Syscall numbers that differ by architecture; Landlock's are the same everywhere.
_SYSCALLS = {
    "x86_64": {
        "arch": 0xC000003E, "seccomp": 317, "pivot_root": 155, "socket": 41, "connect": 42, "clone": 56,
        "forks": (57, 58),  # fork, vfork
        "denied": {
            "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "bpf": 321, "perf_event_open": 298,
            "userfaultfd": 323, "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272, "setns": 308,
            "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "kexec_load": 246,
            "kexec_file_load": 320, "init_module": 175, "finit_module": 313, "delete_module": 176,
            "open_by_handle_at": 304, "name_to_handle_at": 303, "swapon": 167, "swapoff": 168, "reboot": 169,
            "acct": 163, "quotactl": 179,
        },
    },
    "aarch64": {
        "arch": 0xC00000B7, "seccomp": 277, "pivot_root": 41, "socket": 198, "connect": 203, "clone": 220,
        "forks": (),
        "denied": {
            "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "bpf": 280, "perf_event_open": 241,
            "userfaultfd": 282, "add_key": 217, "request_key": 218, "keyctl": 219, "unshare": 97, "setns": 268,
            "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "kexec_load": 104,
            "kexec_file_load": 294, "init_module": 105, "finit_module": 273, "delete_module": 106,
            "open_by_handle_at": 265, "name_to_handle_at": 264, "swapon": 224, "swapoff": 225, "reboot": 142,
            "acct": 89, "quotactl": 60,
        },
    },
}
# Same numbers on every architecture: io_uring (its socket/connect ops bypass seccomp), new mount API.
_COMMON_DENIED = {"io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
                  "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
                  "mount_setattr": 442}
_MACHINE = os.uname().machine.lower() if hasattr(os, "uname") else ""
_MACHINE = {"amd64": "x86_64", "arm64": "aarch64"}.get(_MACHINE, _MACHINE)
_ARCH = _SYSCALLS.get(_MACHINE)

# Landlock (ABI 1: file system; 4: TCP; 6: scopes).
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LL_EXECUTE, LL_WRITE_FILE, LL_READ_FILE, LL_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
LL_REFER, LL_TRUNCATE = 1 << 13, 1 << 14
LL_WRITES_V1 = sum(1 << bit for bit in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12))  # write, remove, make_*
LL_FILE_RIGHTS = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE
LL_NET_BIND_TCP, LL_NET_CONNECT_TCP = 1, 2
LL_SCOPE_ABSTRACT_UNIX, LL_SCOPE_SIGNAL = 1, 2

# Device nodes the strict child gets, and may write (both tiers).
DEVICES = ("null", "zero", "full", "random", "urandom")
WRITABLE_DEVICES = ("/dev/null", "/dev/zero", "/dev/full")


class ConfinementError(OSError):
    """A kernel call of the confinement failed."""


def _check(result: int, what: str) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise ConfinementError(errno, f"{what}: {os.strerror(errno)}")
    return result


def _prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    return _libc.prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(arg4),
                       ctypes.c_ulong(arg5))


# =========================================================================== parent side

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
    if _libc is None:
        return False, "ctypes cannot load the C library"
    if unshare_path() is None:
        return False, "util-linux `unshare` is not installed"
    try:
        done = subprocess.run(wrapper() + ["/bin/sh", "-c", "exit 0"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=10)
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


def _covered(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _package_dir(name: str) -> str | None:
    """The folder of an importable top-level package, without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(list(spec.submodule_search_locations)[0])


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
        if os.path.isdir(real) and not _covered(real, real_ro) and not _covered(real, [area]):
            real_ro = [r for r in real_ro if not _covered(r, [real])] + [real]
    # The interpreter may be reached through symlinks (a venv's bin/python -> pyenv): keep them.
    for path in (sys.executable, os.path.join(sys.prefix, "bin", "python3")):
        if os.path.islink(path) and not _covered(os.path.realpath(os.path.dirname(path)), real_ro):
            real_ro.append(os.path.realpath(os.path.dirname(path)))
    hide = []
    for path in hidden:
        if path and os.path.isdir(path):
            real = os.path.realpath(path)
            if _covered(real, real_ro):
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
        here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # grader/
        _HIDDEN = [p for p in (here, _package_dir("reference"), _package_dir("student")) if p]
    return list(_HIDDEN)


# /etc entries a Python child may read (never /etc as a whole: shadow, keys, tokens).
ETC_READABLE = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd", "group",
                "nsswitch.conf", "host.conf", "hosts", "gai.conf", "fonts", "matplotlibrc", "mime.types",
                "os-release", "debian_version", "alternatives", "locale.alias", "locale.conf")
SYSTEM_READABLE = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/opt", "/nix/store", "/gnu/store",
                   "/snap", "/proc", "/sys", "/dev")


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
    return {"writable": rw, "readable": readable, "hidden": [os.path.realpath(p) for p in hidden],
            "devices": list(WRITABLE_DEVICES), "landlock": True, "seccomp": True,
            "processes": not view}  # strict: no fork (RLIMIT_AS/CPU are per process; NPROC spares root)


def child_preexec(rlimits, drop_caps: bool):
    """preexec_fn of the child: rlimits, no_new_privs (never gains privileges through exec; also the
    mark by which kill_tree recognises sandbox processes), and for a root grader in the default tier
    every capability dropped, so the child cannot raise its rlimits, trace, or read others' files."""
    if not LINUX or _libc is None:
        return rlimits
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective/permitted/inheritable, two 32-bit words: all zero

    def apply() -> None:
        if rlimits is not None:
            rlimits()
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        if drop_caps and os.geteuid() == 0:
            for cap in range(64):
                _prctl(PR_CAPBSET_DROP, cap)
            _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
            _libc.capset(header, data)

    return apply


_GUARDED_PID = 0


def guard_grader() -> None:
    """Once per grader process (Linux): become a child subreaper, so that a submission's setsid
    daemons are re-parented to the grader (where kill_tree finds them) rather than to init; and
    make the grader not dumpable, so that no child without CAP_SYS_PTRACE can read its memory,
    environment (secret seed) or maps through /proc, nor attach to it."""
    global _GUARDED_PID
    if not LINUX or _libc is None or _GUARDED_PID == os.getpid():
        return
    _GUARDED_PID = os.getpid()
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_DUMPABLE, 0)


def _process_table() -> dict[int, int]:
    """{pid: ppid} of every visible process."""
    table = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                data = handle.read()
            table[int(name)] = int(data[data.rfind(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return table


def _no_new_privs(pid: int | str) -> bool | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"NoNewPrivs:"):
                    return line.split()[1] == b"1"
    except (OSError, IndexError):
        return None
    return None


def _marked(pid: int, marker: str) -> bool:
    """True for a process of a sandbox: it has no_new_privs (which the grader lacks), or failing that
    carries the sandbox's environment marker."""
    if _no_new_privs("self") is False and _no_new_privs(pid):
        return True
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return f"{MARKER}={marker}".encode() in handle.read().split(b"\0")
    except OSError:
        return False


def kill_tree(root: int | None, protected=(), marker: str = "", rounds: int = 50) -> int:
    """SIGKILL `root` and all its descendants, and every sandbox process re-parented to this
    (subreaper) grader that is not one of the `protected` pids (other live children); repeat until
    none is left, so a forking process cannot outrun it. Reaps the orphans it kills (never `root`,
    which its Popen reaps). Returns how many processes were killed."""
    if not LINUX:
        return 0
    me, killed, reaped = os.getpid(), set(), set()
    protected = set(protected) - {root}
    for _ in range(rounds):
        table = _process_table()
        children: dict[int, list[int]] = {}
        for pid, ppid in table.items():
            children.setdefault(ppid, []).append(pid)
        stack = [root] if root in table else []
        stack += [pid for pid in children.get(me, []) if pid not in protected and pid != root and pid not in reaped
                  and _marked(pid, marker)]
        found = set()
        while stack:
            pid = stack.pop()
            if pid in found or pid == me:
                continue
            found.add(pid)
            stack.extend(children.get(pid, []))
        found -= reaped
        alive = {pid for pid in found if _state(pid) not in ("Z", None)}
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        killed |= alive
        for pid in found - {root}:  # orphans re-parented to us: reap them
            if table.get(pid) == me and _reap(pid):
                reaped.add(pid)
        if not alive:
            break
        time.sleep(0.002)
    return len(killed)


def _state(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
        return data[data.rfind(b")") + 2:].split()[0].decode()
    except (OSError, IndexError):
        return None


def _reap(pid: int, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if done:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


# =========================================================================== child side


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = (lambda s: None if s is None else os.fsencode(s))
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {source or ''} on {target}")


def _bind_readonly(source: str, target: str) -> None:
    """Bind source at target, read-only, keeping the flags the source mount has (locked in a userns)."""
    _mount(source, target, None, MS_BIND)
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
    try:
        vfs = os.statvfs(source).f_flag
        flags |= sum(ms for st, ms in _STATVFS_TO_MS if vfs & st)
    except OSError:
        pass
    _mount(None, target, None, flags)


def _mkdirs(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def _copy_tree(source: str, target: str, uid, gid) -> None:
    import shutil

    for folder, dirs, names in os.walk(source):
        destination = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(destination, exist_ok=True)
        if uid is not None:
            os.chown(destination, uid, gid)
        for name in names:
            path = os.path.join(destination, name)
            shutil.copyfile(os.path.join(folder, name), path)
            if uid is not None:
                os.chown(path, uid, gid)


def enter_view(plan: dict) -> None:
    """Strict tier, in the child before numpy: private root of read-only binds, a size-limited
    writable tmpfs (copy of the work folder) and /tmp, minimal /dev, own /proc; pivot into it;
    then drop to an unprivileged uid (root grader) or drop every capability (user namespace),
    and re-arm the parent-death signal that a uid change clears."""
    root, area, uid, gid = plan["root"], plan["area"], plan.get("uid"), plan.get("gid")
    os.umask(0o022)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mkdirs(root)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m")
    # /tmp first: a Python installation under /tmp (a CI checkout's venv) is bound on top of it.
    owner = f",uid={uid},gid={gid}" if uid is not None else ""
    size = f"size={int(plan['area_mb'])}m"
    for path in ("/tmp", area):
        _mkdirs(root + path)
        _mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=0700,{size}{owner}")
    for path in plan["ro"]:
        target = root + path
        _mkdirs(target)
        _bind_readonly(path, target)
    for path, link in plan["links"].items():
        if not os.path.lexists(root + path):
            os.symlink(link, root + path)
    for path in plan["hide"]:
        _mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k,mode=0555")
    _copy_tree(plan["workdir"], root + plan["workdir"], uid, gid)
    for name in ("home",):
        os.makedirs(root + os.path.join(area, name), exist_ok=True)
        if uid is not None:
            os.chown(root + os.path.join(area, name), uid, gid)
    if uid is not None:
        os.chmod(root + "/tmp", 0o1777)
    # /dev: a few nodes bound from the host, and the usual links.
    _mkdirs(root + "/dev")
    _mount("tmpfs", root + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k")
    for name in DEVICES:
        node = f"/dev/{name}"
        if os.path.exists(node):
            open(root + node, "w").close()
            _mount(node, root + node, None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    _mkdirs(root + "/proc")
    try:  # our own PID namespace's /proc; in a nested container this may be refused: then no /proc
        _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except ConfinementError:
        pass
    # pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the view.
    os.chdir(root)
    _check(_libc.syscall(_ARCH["pivot_root"] if _ARCH else 155, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    if uid is not None:
        for cap in range(64):
            _prctl(PR_CAPBSET_DROP, cap)
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    else:
        drop_capabilities()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.chdir(plan["workdir"])


def drop_capabilities() -> None:
    """Empty the bounding, ambient, effective, permitted and inheritable capability sets."""
    for cap in range(64):
        _prctl(PR_CAPBSET_DROP, cap)
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.capset(header, data), "capset")


def landlock_abi() -> int:
    """The Landlock ABI version of the kernel, 0 when it has none."""
    if not LINUX or _libc is None:
        return 0
    abi = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(abi), 0)


def _allowed_trees(path: str, hidden: list[str], depth: int = 0) -> list[str]:
    """`path`, or when a hidden folder lies inside it, every entry of it that is not (recursively)."""
    real = os.path.realpath(path)
    if not os.path.exists(real) or _covered(real, hidden):
        return []
    if not any(_covered(h, [real]) for h in hidden) or depth > 8 or not os.path.isdir(real):
        return [real]
    try:
        names = sorted(os.listdir(real))
    except OSError:
        return []
    return [tree for name in names for tree in _allowed_trees(os.path.join(real, name), hidden, depth + 1)]


def _landlock(policy: dict) -> str:
    """Reads only in policy["readable"] minus policy["hidden"]; writes only under policy["writable"]
    (and to the devices); no TCP; no signals or abstract sockets outside the sandbox (as far as the
    kernel's Landlock ABI goes). Returns a description."""
    abi = landlock_abi()
    if abi < 1:
        return ""
    writable, devices, hidden = policy.get("writable", []), policy.get("devices", []), policy.get("hidden", [])
    reads = LL_READ_FILE | LL_READ_DIR | LL_EXECUTE
    fs = reads | LL_WRITES_V1 | (LL_REFER if abi >= 2 else 0) | (LL_TRUNCATE if abi >= 3 else 0)
    net = (LL_NET_BIND_TCP | LL_NET_CONNECT_TCP) if abi >= 4 else 0
    scoped = (LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL) if abi >= 6 else 0
    attr = struct.pack("QQQ", fs, net, scoped)[: 8 if abi < 4 else 16 if abi < 6 else 24]
    buffer = ctypes.create_string_buffer(attr, len(attr))
    ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)),
                                   ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        readable = [tree for path in policy.get("readable", []) for tree in _allowed_trees(path, hidden)]
        rules = [(p, fs) for p in writable] + [(d, fs & LL_FILE_RIGHTS) for d in devices]
        rules += [(p, reads if os.path.isdir(p) else reads & LL_FILE_RIGHTS) for p in readable]
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd), 12)
                _check(_libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, 1, rule, ctypes.c_uint32(0)),
                       f"landlock rule for {path}")
            finally:
                os.close(fd)
        _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    parts = ["reads", "writes"] + (["tcp"] if net else []) + (["signals"] if scoped else [])
    return f"landlock v{abi} ({', '.join(parts)})"


def seccomp_program(processes: bool = True) -> bytes | None:
    """A classic-BPF seccomp filter: non-native ABIs, tracing, namespaces, mounts, keyrings, io_uring,
    kernel modules and connect() fail with EPERM/EACCES; socket() only for AF_UNIX. Without
    `processes`, fork/vfork and clone without CLONE_THREAD fail too (threads still work; clone3,
    whose flags a filter cannot read, says ENOSYS so that libc falls back to clone). None when the
    architecture is not known here."""
    if _ARCH is None:
        return None
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, eperm, eacces, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 13, 0x00050000 | 38
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, _ARCH["arch"]), (ret, 0, 0, eperm), (ld, 0, 0, 0)]
    if _MACHINE == "x86_64":
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, eperm)]  # the x32 ABI
    for number in sorted(set(_ARCH["denied"].values()) | set(_COMMON_DENIED.values())):
        prog += [(jeq, 0, 1, number), (ret, 0, 0, eperm)]
    prog += [(jeq, 0, 1, _ARCH["connect"]), (ret, 0, 0, eacces)]
    if not processes:
        for number in _ARCH["forks"]:
            prog += [(jeq, 0, 1, number), (ret, 0, 0, eperm)]
        prog += [(jeq, 0, 1, 435), (ret, 0, 0, enosys)]  # clone3
        prog += [(jeq, 0, 4, _ARCH["clone"]), (ld, 0, 0, 16), (jset, 1, 0, 0x10000), (ret, 0, 0, eperm),
                 (ret, 0, 0, allow)]  # clone: CLONE_THREAD or refused
    prog += [(jeq, 0, 4, _ARCH["socket"]), (ld, 0, 0, 16), (jeq, 0, 1, 1), (ret, 0, 0, allow), (ret, 0, 0, eacces)]
    prog += [(ret, 0, 0, allow)]
    return b"".join(struct.pack("HBBI", *ins) for ins in prog)


def _seccomp(processes: bool) -> str:
    program = seccomp_program(processes)
    if program is None:
        return ""
    count = len(program) // 8
    filters = ctypes.create_string_buffer(program, len(program))
    fprog = struct.pack("HxxxxxxP", count, ctypes.addressof(filters))
    fprog_buffer = ctypes.create_string_buffer(fprog, len(fprog))
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, prog): every thread, or fail.
    result = _libc.syscall(_ARCH["seccomp"], 1, 1, fprog_buffer)
    if result != 0:
        _check(_prctl(22, 2, ctypes.addressof(fprog_buffer)), "seccomp")  # PR_SET_SECCOMP, FILTER
    return "seccomp" + ("" if processes else " (no new processes)")


def confine(policy: dict) -> list[str]:
    """Both tiers, in the child after numpy and before the submission: no_new_privs, Landlock and
    seccomp where the kernel has them. Returns the layers applied, or why one was not."""
    applied = []
    if not LINUX or _libc is None:
        return applied
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    if policy.get("landlock"):
        try:
            layer = _landlock(policy)
            if layer:
                applied.append(layer)
        except (OSError, ValueError) as exc:
            applied.append(f"landlock failed: {exc}")
    if policy.get("seccomp"):
        try:
            layer = _seccomp(policy.get("processes", True))
            if layer:
                applied.append(layer)
        except (OSError, ValueError) as exc:
            applied.append(f"seccomp failed: {exc}")
    return applied
