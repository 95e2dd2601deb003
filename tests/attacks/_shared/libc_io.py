"""libc file reads and writes for the attacks: no Python audit event (the audit hook cannot see them).

Copied into an attack's submission by the harness when its ATTACK.toml says
`shared = ["libc_io.py"]`; the attack imports it as `from .libc_io import ...`.
"""
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
