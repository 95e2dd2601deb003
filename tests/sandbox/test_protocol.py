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
    with pytest.raises(protocol.ProtocolError, match="not numeric"):
        protocol.decode_array(buffer.getvalue())


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
