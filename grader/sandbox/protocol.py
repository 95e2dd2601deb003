"""Wire format between the grader and its sandboxed child.

A message is ``u32 big-endian header length | JSON header | payloads``. The header's
``"arrays"`` lists ``{"name", "nbytes"}`` in payload order; each payload is one ``.npy``
file, loaded with ``allow_pickle=False`` so a reply can never carry code.

This module is loaded by the child too (by file path, under a private name), so it uses
only the standard library and numpy.
"""

from __future__ import annotations

import io
import json
import os
import select
import struct
import time

import numpy as np

LENGTH = struct.Struct(">I")
MAX_HEADER_BYTES = 1 << 20
NUMERIC_KINDS = "biuf"  # bool, int, unsigned, float: never object, string or void


class ProtocolError(Exception):
    """A message that breaks the wire format, is too large or arrives too late."""


class Timeout(ProtocolError):
    """The peer did not answer within its time limit."""


class Closed(ProtocolError):
    """The peer closed its end of the pipe (it exited or died)."""


def encode(header: dict, arrays: dict[str, np.ndarray] | None = None) -> bytes:
    """Serialize a header and named arrays into one message."""
    payloads, listing = [], []
    for name, value in (arrays or {}).items():
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(value), allow_pickle=False)
        data = buffer.getvalue()
        payloads.append(data)
        listing.append({"name": name, "nbytes": len(data)})
    head = json.dumps({**header, "arrays": listing}, allow_nan=False).encode("utf-8")
    return LENGTH.pack(len(head)) + head + b"".join(payloads)


def decode_array(data: bytes) -> np.ndarray:
    """Load one .npy payload, refusing pickles and non-numeric dtypes."""
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:  # np.load raises ValueError, OSError, EOFError...
        raise ProtocolError(f"unreadable array payload: {exc}") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in NUMERIC_KINDS:
        raise ProtocolError(f"array of dtype {getattr(array, 'dtype', '?')} is not numeric")
    return array


def write_message(fd: int, message: bytes, deadline: float | None = None) -> None:
    """Write a whole message to fd, giving up at deadline (time.monotonic())."""
    view = memoryview(message)
    while view:
        _wait(fd, deadline, for_write=True)
        try:
            written = os.write(fd, view[: 1 << 16])
        except BrokenPipeError:
            raise Closed("the other end closed the pipe") from None
        view = view[written:]


def read_message(
    fd: int, deadline: float | None = None, max_bytes: int = 64 << 20
) -> tuple[dict, dict[str, np.ndarray]]:
    """Read one message from fd; enforce the deadline and a cap on its total size."""
    (length,) = LENGTH.unpack(_read_exact(fd, LENGTH.size, deadline))
    if length > MAX_HEADER_BYTES:
        raise ProtocolError(f"header of {length} bytes exceeds {MAX_HEADER_BYTES}")
    try:
        header = json.loads(_read_exact(fd, length, deadline))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"header is not JSON: {exc}") from None
    listing = header.pop("arrays", []) if isinstance(header, dict) else None
    if not isinstance(header, dict) or not isinstance(listing, list):
        raise ProtocolError("header is not a JSON object with an 'arrays' list")
    total = 0
    arrays: dict[str, np.ndarray] = {}
    for entry in listing:
        name, nbytes = _entry(entry)
        total += nbytes
        if total > max_bytes:
            raise ProtocolError(f"reply larger than the {max_bytes >> 20} MB cap")
        arrays[name] = decode_array(_read_exact(fd, nbytes, deadline))
    return header, arrays


def _entry(entry: object) -> tuple[str, int]:
    """Validate one {"name", "nbytes"} listing entry."""
    if not isinstance(entry, dict):
        raise ProtocolError("array listing entry is not an object")
    name, nbytes = entry.get("name"), entry.get("nbytes")
    if not isinstance(name, str) or not isinstance(nbytes, int) or nbytes < 0:
        raise ProtocolError("array listing entry needs a string name and a size")
    return name, nbytes


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    """Read exactly size bytes or raise Closed/Timeout."""
    chunks, remaining = [], size
    while remaining:
        _wait(fd, deadline, for_write=False)
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise Closed("the other end closed the pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _wait(fd: int, deadline: float | None, for_write: bool) -> None:
    """Block until fd is ready or the deadline passes."""
    if deadline is None:
        return
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout("no answer within the time limit")
        readable, writable, _ = select.select(
            [] if for_write else [fd], [fd] if for_write else [], [], remaining
        )
        if readable or writable:
            return
