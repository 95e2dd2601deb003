import json as _json
import os as _os
HINTS = _json.load(open(_os.path.join(_os.path.dirname(__file__), "hints.json")))
from .libc_io import _ct, _libc, raw_read, raw_write  # tests/attacks/_shared/libc_io.py
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
