"""The pipe protocol: round trips, refusals (pickles, non-numeric, oversize), timeouts."""

import io
import json
import os
import threading
import time

import numpy as np
import pytest

from grader.sandbox import protocol


def roundtrip(message, max_bytes=64 << 20):
    """Write message from a thread (a pipe holds only 64 KiB) and read it back."""
    read, write = os.pipe()

    def writer():
        try:
            protocol.write_message(write, message, time.monotonic() + 2)
        except protocol.ProtocolError:
            pass  # the reader stopped early, as it should for refused messages
        finally:
            os.close(write)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        return protocol.read_message(read, time.monotonic() + 2, max_bytes)
    finally:
        os.close(read)
        thread.join()


def test_header_and_arrays_round_trip():
    header, arrays = roundtrip(protocol.encode({"op": "x", "n": 3}, {"a": np.arange(6.0).reshape(2, 3)}))
    assert header == {"op": "x", "n": 3}
    np.testing.assert_array_equal(arrays["a"], np.arange(6.0).reshape(2, 3))


def test_object_arrays_are_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_array(buffer.getvalue())


def test_string_arrays_are_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.array(["a", "b"]))
    with pytest.raises(protocol.ProtocolError, match=r"unexpected \.npy header"):
        protocol.decode_array(buffer.getvalue())


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "array",
    [
        np.array(1.5),
        np.arange(3),
        np.zeros((0, 4), dtype=np.uint8),
        np.array([True, False]),
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        np.arange(4, dtype=">i4"),
        np.ones((1, 2, 3, 4), np.float32),
    ],
    ids=["0d", "int", "empty", "bool", "fortran", "big-endian", "4d"],
)
def test_every_numeric_layout_decodes_to_an_equal_writable_array(array):
    decoded = protocol.decode_array(_npy(array))
    assert decoded.shape == array.shape and decoded.dtype == array.dtype
    np.testing.assert_array_equal(decoded, array)
    assert decoded.flags.writeable


@pytest.mark.parametrize(
    "payload",
    [_npy(np.zeros(3))[:-1], _npy(np.zeros(3)) + b"x", b"junk", _npy(np.zeros(3))[:8]],
    ids=["short", "long", "not-npy", "truncated-header"],
)
def test_payload_that_does_not_match_its_header_is_refused(payload):
    with pytest.raises(protocol.ProtocolError, match="unreadable array payload"):
        protocol.decode_array(payload)


def test_decoding_never_parses_python_syntax(monkeypatch):
    """np.load's ast.literal_eval races pytest's assertion rewriting on CPython 3.11 (one AST counter)."""
    import ast

    def refuse(*args, **kwargs):
        raise AssertionError("decode_array must not parse Python")

    monkeypatch.setattr(ast, "literal_eval", refuse)
    monkeypatch.setattr(ast, "parse", refuse)
    np.testing.assert_array_equal(protocol.decode_array(_npy(np.arange(5.0))), np.arange(5.0))


def test_oversized_reply_is_refused_before_reading_it():
    message = protocol.encode({}, {"big": np.zeros(200_000)})
    with pytest.raises(protocol.ProtocolError, match="cap"):
        roundtrip(message, max_bytes=1 << 20)


def test_garbage_header_is_a_protocol_error():
    head = b"not json"
    with pytest.raises(protocol.ProtocolError, match="JSON"):
        roundtrip(protocol.LENGTH.pack(len(head)) + head)


def test_huge_header_length_is_refused():
    with pytest.raises(protocol.ProtocolError, match="header"):
        roundtrip(protocol.LENGTH.pack(protocol.MAX_HEADER_BYTES + 1))


def test_truncated_message_means_closed():
    message = protocol.encode({"op": "x"}, {"a": np.ones(10)})
    with pytest.raises(protocol.Closed):
        roundtrip(message[:-5])


def test_silence_times_out():
    read, write = os.pipe()
    try:
        with pytest.raises(protocol.Timeout):
            protocol.read_message(read, time.monotonic() + 0.05)
    finally:
        os.close(read)
        os.close(write)


def test_listing_must_be_well_formed():
    head = json.dumps({"arrays": [{"name": 3, "nbytes": -1}]}).encode()
    with pytest.raises(protocol.ProtocolError, match="listing"):
        roundtrip(protocol.LENGTH.pack(len(head)) + head)
