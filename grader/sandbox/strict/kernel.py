"""Kernel vocabulary of the confinement: mount flags, syscall numbers, Landlock rights, and the
checked call helper. Standard library only: the sandboxed child loads it by path (see
grader/sandbox/child/main.py)."""

from __future__ import annotations

import ctypes
import os
from typing import Any

NOBODY = 65534  # the unprivileged uid/gid of the strict child when the grader runs as root

# mount(2) flags
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME = 16384, 1 << 18, 1 << 21
MNT_DETACH = 2
# statvfs f_flag -> mount flag, to keep the locked flags of a mount when remounting it read-only
STATVFS_TO_MS = (
    (1, MS_RDONLY),
    (2, MS_NOSUID),
    (4, MS_NODEV),
    (8, MS_NOEXEC),
    (1024, MS_NOATIME),
    (2048, MS_NODIRATIME),
    (4096, MS_RELATIME),
)

# Syscall numbers that differ by architecture; Landlock's are the same everywhere.
SYSCALLS: dict[str, dict[str, Any]] = {
    "x86_64": {
        "arch": 0xC000003E,
        "seccomp": 317,
        "pivot_root": 155,
        "socket": 41,
        "connect": 42,
        "clone": 56,
        "forks": (57, 58),  # fork, vfork
        "denied": {
            "ptrace": 101,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "bpf": 321,
            "perf_event_open": 298,
            "userfaultfd": 323,
            "add_key": 248,
            "request_key": 249,
            "keyctl": 250,
            "unshare": 272,
            "setns": 308,
            "mount": 165,
            "umount2": 166,
            "pivot_root": 155,
            "chroot": 161,
            "kexec_load": 246,
            "kexec_file_load": 320,
            "init_module": 175,
            "finit_module": 313,
            "delete_module": 176,
            "open_by_handle_at": 304,
            "name_to_handle_at": 303,
            "swapon": 167,
            "swapoff": 168,
            "reboot": 169,
            "acct": 163,
            "quotactl": 179,
            "kcmp": 312,
            "pidfd_getfd": 438,
            "process_madvise": 440,
        },
        # (number, index of the pid argument): refused unless the pid is 0, this process or younger
        "pid_checked": {
            "kill": (62, 0),
            "tkill": (200, 0),
            "tgkill": (234, 0),
            "rt_sigqueueinfo": (129, 0),
            "rt_tgsigqueueinfo": (297, 0),
            "pidfd_open": (434, 0),
            "prlimit64": (302, 0),
            "setpriority": (141, 1),
            "sched_setparam": (142, 0),
            "sched_setscheduler": (144, 0),
            "sched_setaffinity": (203, 0),
            "sched_setattr": (314, 0),
            "migrate_pages": (256, 0),
            "move_pages": (279, 0),
            "ioprio_set": (251, 1),
        },
    },
    "aarch64": {
        "arch": 0xC00000B7,
        "seccomp": 277,
        "pivot_root": 41,
        "socket": 198,
        "connect": 203,
        "clone": 220,
        "forks": (),
        "denied": {
            "ptrace": 117,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "bpf": 280,
            "perf_event_open": 241,
            "userfaultfd": 282,
            "add_key": 217,
            "request_key": 218,
            "keyctl": 219,
            "unshare": 97,
            "setns": 268,
            "mount": 40,
            "umount2": 39,
            "pivot_root": 41,
            "chroot": 51,
            "kexec_load": 104,
            "kexec_file_load": 294,
            "init_module": 105,
            "finit_module": 273,
            "delete_module": 106,
            "open_by_handle_at": 265,
            "name_to_handle_at": 264,
            "swapon": 224,
            "swapoff": 225,
            "reboot": 142,
            "acct": 89,
            "quotactl": 60,
            "kcmp": 272,
            "pidfd_getfd": 438,
            "process_madvise": 440,
        },
        "pid_checked": {
            "kill": (129, 0),
            "tkill": (130, 0),
            "tgkill": (131, 0),
            "rt_sigqueueinfo": (138, 0),
            "rt_tgsigqueueinfo": (240, 0),
            "pidfd_open": (434, 0),
            "prlimit64": (261, 0),
            "setpriority": (140, 1),
            "sched_setparam": (118, 0),
            "sched_setscheduler": (119, 0),
            "sched_setaffinity": (122, 0),
            "sched_setattr": (274, 0),
            "migrate_pages": (238, 0),
            "move_pages": (239, 0),
            "ioprio_set": (30, 1),
        },
    },
}
# Syscalls whose first argument says "every process of a user" at this value (PRIO_USER, IOPRIO_WHO_USER).
USER_WIDE = {"setpriority": 2, "ioprio_set": 3}
# Same numbers on every architecture: io_uring (its socket/connect ops bypass seccomp), new mount API.
COMMON_DENIED = {
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
}
_MACHINE = os.uname().machine.lower() if hasattr(os, "uname") else ""
MACHINE = {"amd64": "x86_64", "arm64": "aarch64"}.get(_MACHINE, _MACHINE)
ARCH = SYSCALLS.get(MACHINE)

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


def check(result: int, what: str) -> int:
    """Raise ConfinementError (with errno's words) when a libc call returned a negative value."""
    if result < 0:
        errno = ctypes.get_errno()
        raise ConfinementError(errno, f"{what}: {os.strerror(errno)}")
    return result


def covered(path: str, roots: list[str]) -> bool:
    """True when path is one of roots or lies inside one."""
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)
