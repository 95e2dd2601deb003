import json as _json
import os as _os
HINTS = _json.load(open(_os.path.join(_os.path.dirname(__file__), "hints.json")))
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
import socket, struct
port, won = HINTS["port"], []
try:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(b"pwned")
        won.append("tcp")
except OSError:
    pass
try:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"pwned", ("127.0.0.1", port))
        won.append("udp")
except OSError:
    pass
fd = _libc.socket(2, 1, 0)
if fd >= 0:
    address = struct.pack("<HH4s8x", 2, socket.htons(port), bytes([127, 0, 0, 1]))
    if _libc.connect(fd, address, len(address)) == 0:
        _libc.write(fd, b"pwned", 5)
        won.append("libc tcp")
    _libc.close(fd)
if won:
    raise RuntimeError("ATTACK-SUCCEEDED: " + ", ".join(won))
