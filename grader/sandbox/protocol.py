"""Wire format between the grader and its sandboxed child.

A message is ``u32 big-endian header length | JSON header | payloads``. The header's
``"arrays"`` lists ``{"name", "nbytes"}`` in payload order; each payload is one ``.npy``
file (written by np.save with ``allow_pickle=False``, read back by a strict parser that
accepts only plain numeric arrays), so a reply can never carry code.

This module is loaded by the child too (by file path, under a private name), so it uses
only the standard library and numpy.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import select
import struct
import time
from typing import Literal

import numpy as np

LENGTH = struct.Struct(">I")
MAX_HEADER_BYTES = 1 << 20
NUMERIC_KINDS = "biuf"  # bool, int, unsigned, float: never object, string or void
NPY_MAGIC = b"\x93NUMPY"
# What np.save writes for a plain array; anything else (structured dtypes, pickles) is refused.
NPY_HEADER = re.compile(
    r"\{'descr': '(?P<descr>[<>|=]?[biuf][1-8])', 'fortran_order': (?P<fortran>True|False), "
    r"'shape': \((?P<shape>(?:\d+, )*\d*,?)\), \} *\n?$"
)


class UnsupportedArray(ValueError):
    """An array the wire format does not carry (complex, long double, object, text): the sender's
    values, not the protocol, are at fault."""


def check_array(name: str, value: np.ndarray) -> None:
    """Raise UnsupportedArray unless value is a plain real number array decode_array accepts."""
    kind, size = value.dtype.kind, value.dtype.itemsize
    if (kind in NUMERIC_KINDS and size <= 8 and not value.dtype.fields) or kind == "O":
        return  # object arrays: np.save(allow_pickle=False) refuses them (a reply that is not data)
    what = {
        "c": "complex numbers",
        "O": "Python objects",
        "U": "text",
        "S": "bytes",
        "V": "records",
        "M": "dates",
        "m": "time spans",
    }.get(kind, f"{value.dtype} values")
    if kind == "f":
        what = f"extended-precision floats ({value.dtype})"
    raise UnsupportedArray(
        f"{name} holds {what} ({value.dtype}): the grader accepts real numbers; return float64 arrays"
    )


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
        value = np.asarray(value)
        check_array(name, value)
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        data = buffer.getvalue()
        payloads.append(data)
        listing.append({"name": name, "nbytes": len(data)})
    head = json.dumps({**header, "arrays": listing}, allow_nan=False).encode("utf-8")
    return LENGTH.pack(len(head)) + head + b"".join(payloads)


def decode_array(data: bytes) -> np.ndarray:
    """Load one .npy payload, refusing pickles and non-numeric dtypes.

    The header is matched by a strict pattern instead of np.load's ast.literal_eval: CPython 3.11
    keeps one AST recursion counter per interpreter, and parsing in the training-prefetch thread
    while pytest rewrites asserts in the main thread can fail with "AST constructor recursion depth
    mismatch" (seen in about one grading of 400).
    """
    if data[:6] != NPY_MAGIC or len(data) < 10:
        raise ProtocolError("unreadable array payload: not a .npy file")
    size_format = {1: "<H", 2: "<I", 3: "<I"}.get(data[6])
    if size_format is None:
        raise ProtocolError(f"unreadable array payload: .npy format version {data[6]}")
    start = 8 + struct.calcsize(size_format)
    (length,) = struct.unpack_from(size_format, data, 8)
    match = NPY_HEADER.match(data[start : start + length].decode("latin1"))
    if not match:
        raise ProtocolError("unreadable array payload: unexpected .npy header")
    dtype = np.dtype(match["descr"])
    if dtype.kind not in NUMERIC_KINDS:
        raise ProtocolError(f"array of dtype {dtype} is not numeric")
    shape = tuple(int(n) for n in match["shape"].split(",") if n.strip())
    count = math.prod(shape)
    body = memoryview(data)[start + length :]
    if len(body) != count * dtype.itemsize:
        raise ProtocolError(f"unreadable array payload: {len(body)} bytes for shape {shape} of {dtype}")
    order: Literal["C", "F"] = "F" if match["fortran"] == "True" else "C"
    array: np.ndarray = np.frombuffer(body, dtype=dtype, count=count).reshape(shape, order=order).copy(order="K")
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
        readable, writable, _ = select.select([] if for_write else [fd], [fd] if for_write else [], [], remaining)
        if readable or writable:
            return
