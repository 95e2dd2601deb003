from .libc_io import _ct, _libc, raw_read, raw_write  # tests/attacks/_shared/libc_io.py
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
