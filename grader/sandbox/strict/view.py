"""Child side, strict tier: build the child's private view of the file system and pivot into it.

Loaded by the sandboxed child (by path, see grader/sandbox/child/main.py) before numpy: standard
library only.
"""

from __future__ import annotations

import ctypes
import os
import signal

from ..procs import (
    PR_CAP_AMBIENT,
    PR_CAP_AMBIENT_CLEAR_ALL,
    PR_CAPBSET_DROP,
    PR_SET_PDEATHSIG,
    libc,
    prctl,
)
from .kernel import (
    ARCH,
    DEVICES,
    MNT_DETACH,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    STATVFS_TO_MS,
    ConfinementError,
    check,
)

LIBC = libc()


def _mount(source, target, fstype, flags, data=None) -> None:
    def enc(s):
        return None if s is None else os.fsencode(s)

    check(
        LIBC.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
        f"mount {source or ''} on {target}",
    )


def _bind_readonly(source: str, target: str) -> None:
    """Bind source at target, read-only, keeping the flags the source mount has (locked in a userns)."""
    _mount(source, target, None, MS_BIND)
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
    try:
        vfs = os.statvfs(source).f_flag
        flags |= sum(ms for st, ms in STATVFS_TO_MS if vfs & st)
    except OSError:
        pass
    _mount(None, target, None, flags)


def _mkdirs(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def _copy_tree(source: str, target: str, uid, gid) -> None:
    import shutil

    for folder, _dirs, names in os.walk(source):
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
    root, area, uid = plan["root"], plan["area"], plan.get("uid")
    gid: int = plan["gid"] if uid is not None else -1  # a plan with a uid has its gid; unused without

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
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{root}/dev/{name}")
    _mkdirs(root + "/proc")
    try:  # our own PID namespace's /proc; in a nested container this may be refused: then no /proc
        _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except ConfinementError:
        pass
    # pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the view.
    os.chdir(root)
    check(LIBC.syscall(ARCH["pivot_root"] if ARCH else 155, b".", b"."), "pivot_root")
    check(LIBC.umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    if uid is not None:
        for cap in range(64):
            prctl(PR_CAPBSET_DROP, cap)
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    else:
        drop_capabilities()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.chdir(plan["workdir"])


def drop_capabilities() -> None:
    """Empty the bounding, ambient, effective, permitted and inheritable capability sets."""
    for cap in range(64):
        prctl(PR_CAPBSET_DROP, cap)
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    check(LIBC.capset(header, data), "capset")
