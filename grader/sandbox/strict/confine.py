"""Child side, both tiers: no_new_privs, Landlock and seccomp, applied after numpy and before the
submission; and the seccomp program itself (tests read it).

Loaded by the sandboxed child (by path, see grader/sandbox/child/main.py): standard library only.
Best effort: a kernel without Landlock or seccomp runs the child without that layer, and the child
reports which layers it applied (``hello``).
"""

from __future__ import annotations

import ctypes
import os
import struct

from ..procs import LINUX, PR_SET_NO_NEW_PRIVS, libc, prctl
from .kernel import (
    ARCH,
    COMMON_DENIED,
    LL_EXECUTE,
    LL_FILE_RIGHTS,
    LL_NET_BIND_TCP,
    LL_NET_CONNECT_TCP,
    LL_READ_DIR,
    LL_READ_FILE,
    LL_REFER,
    LL_SCOPE_ABSTRACT_UNIX,
    LL_SCOPE_SIGNAL,
    LL_TRUNCATE,
    LL_WRITES_V1,
    MACHINE,
    SYS_LANDLOCK_ADD_RULE,
    SYS_LANDLOCK_CREATE_RULESET,
    SYS_LANDLOCK_RESTRICT_SELF,
    USER_WIDE,
    check,
    covered,
)

LIBC = libc()


def landlock_abi() -> int:
    """The Landlock ABI version of the kernel, 0 when it has none."""
    if not LINUX or LIBC is None:
        return 0
    abi = LIBC.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(abi), 0)


def _allowed_trees(path: str, hidden: list[str], depth: int = 0) -> list[str]:
    """`path`, or when a hidden folder lies inside it, every entry of it that is not (recursively)."""
    real = os.path.realpath(path)
    if not os.path.exists(real) or covered(real, hidden):
        return []
    if not any(covered(h, [real]) for h in hidden) or depth > 8 or not os.path.isdir(real):
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
    ruleset = check(
        LIBC.syscall(SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0)),
        "landlock_create_ruleset",
    )
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
                check(
                    LIBC.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, 1, rule, ctypes.c_uint32(0)),
                    f"landlock rule for {path}",
                )
            finally:
                os.close(fd)
        check(LIBC.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    parts = ["reads", "writes"] + (["tcp"] if net else []) + (["signals"] if scoped else [])
    return f"landlock v{abi} ({', '.join(parts)})"


LD, JEQ, JGT, JGE, JSET, RET = 0x20, 0x15, 0x25, 0x35, 0x45, 0x06
ALLOW, EPERM, EACCES, ENOSYS = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 13, 0x00050000 | 38


def _pid_checked(
    name: str, number: int, index: int, own: int, protected: tuple[int, ...] = ()
) -> list[tuple[int, int, int, int]]:
    """BPF block: syscall `number` passes when its pid argument (low 32 bits, what the kernel reads)
    is 0 (this process or group), or lies in [own, 2**32 - own]: this process, a younger one (its
    descendants and threads), or a group of younger ones. Older processes (the grader, its
    supervisors, the batch) and -1 (every process) are refused with EPERM. Pids wrap around
    (pid_max is often 32768), so a larger pid is not always younger: the `protected` pids (the
    child's ancestors: the grader, its worker, its supervisor) and their groups are refused by name."""
    block: list[tuple[int, int, int, int]] = []
    if name in USER_WIDE:  # "every process of this user": refused
        block += [(LD, 0, 0, 16), (JEQ, 0, 1, USER_WIDE[name]), (RET, 0, 0, EPERM)]
    names = [value for pid in protected for value in (pid, (1 << 32) - pid)]  # pid and its group, -pid
    count = len(names)
    block += [(LD, 0, 0, 16 + 8 * index), (JEQ, count + 3, 0, 0)]
    block += [(JEQ, count + 1 - i, 0, value) for i, value in enumerate(names)]  # jump to RET EPERM
    block += [(JGE, 0, 1, own), (JGT, 0, 1, (1 << 32) - own), (RET, 0, 0, EPERM), (RET, 0, 0, ALLOW)]
    return [(JEQ, 0, len(block), number), *block]


def ancestors(pid: int | None = None, limit: int = 32) -> tuple[int, ...]:
    """The parent, grandparent, ... of `pid` (default: this process) up to init, from /proc."""
    chain: list[int] = []
    current = os.getpid() if pid is None else pid
    while len(chain) < limit:
        try:
            with open(f"/proc/{current}/stat", "rb") as handle:
                parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
        if parent <= 1:
            break
        chain.append(parent)
        current = parent
    return tuple(chain)


def seccomp_program(processes: bool = True, own: int | None = None) -> bytes | None:
    """A classic-BPF seccomp filter: non-native ABIs, tracing, namespaces, mounts, keyrings, io_uring,
    kernel modules and connect() fail with EPERM/EACCES; socket() only for AF_UNIX; signals,
    resource limits, priorities and scheduling only for this process (pid `own`, default the caller)
    and younger ones, never for older ones such as the grader. Without `processes`, fork/vfork and
    clone without CLONE_THREAD fail too (threads still work; clone3, whose flags a filter cannot
    read, says ENOSYS so that libc falls back to clone). None when the architecture is not known."""
    if ARCH is None:
        return None
    own = max(1, os.getpid() if own is None else int(own))
    protected = ancestors(own)[:8]  # the nearest: the grader and what runs it (jumps are 8 bits)
    ld, jeq, jge, jset, ret = LD, JEQ, JGE, JSET, RET
    allow, eperm, eacces, enosys = ALLOW, EPERM, EACCES, ENOSYS
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, ARCH["arch"]), (ret, 0, 0, eperm), (ld, 0, 0, 0)]
    if MACHINE == "x86_64":
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, eperm)]  # the x32 ABI
    for number in sorted(set(ARCH["denied"].values()) | set(COMMON_DENIED.values())):
        prog += [(jeq, 0, 1, number), (ret, 0, 0, eperm)]
    for name, (number, index) in sorted(ARCH["pid_checked"].items()):
        prog += _pid_checked(name, number, index, own, protected)
    prog += [(jeq, 0, 1, ARCH["connect"]), (ret, 0, 0, eacces)]
    if not processes:
        for number in ARCH["forks"]:
            prog += [(jeq, 0, 1, number), (ret, 0, 0, eperm)]
        prog += [(jeq, 0, 1, 435), (ret, 0, 0, enosys)]  # clone3
        prog += [
            (jeq, 0, 4, ARCH["clone"]),
            (ld, 0, 0, 16),
            (jset, 1, 0, 0x10000),
            (ret, 0, 0, eperm),
            (ret, 0, 0, allow),
        ]  # clone: CLONE_THREAD or refused
    prog += [(jeq, 0, 4, ARCH["socket"]), (ld, 0, 0, 16), (jeq, 0, 1, 1), (ret, 0, 0, allow), (ret, 0, 0, eacces)]
    prog += [(ret, 0, 0, allow)]
    return b"".join(struct.pack("HBBI", *ins) for ins in prog)


def _seccomp(processes: bool) -> str:
    program = seccomp_program(processes)
    if program is None or ARCH is None:  # one implies the other
        return ""
    count = len(program) // 8
    filters = ctypes.create_string_buffer(program, len(program))
    fprog = struct.pack("HxxxxxxP", count, ctypes.addressof(filters))
    fprog_buffer = ctypes.create_string_buffer(fprog, len(fprog))
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, prog): every thread, or fail.
    result = LIBC.syscall(ARCH["seccomp"], 1, 1, fprog_buffer)
    if result != 0:
        check(prctl(22, 2, ctypes.addressof(fprog_buffer)), "seccomp")  # PR_SET_SECCOMP, FILTER
    return "seccomp" + ("" if processes else " (no new processes)")


def confine(policy: dict) -> list[str]:
    """Both tiers, in the child after numpy and before the submission: no_new_privs, Landlock and
    seccomp where the kernel has them. Returns the layers applied, or why one was not."""
    applied: list[str] = []
    if not LINUX or LIBC is None:
        return applied
    prctl(PR_SET_NO_NEW_PRIVS, 1)
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
