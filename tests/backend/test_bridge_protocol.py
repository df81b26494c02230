"""The bridge's wire format: frames, and messages/requests/configs as plain data."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest

from wangp_backend.bridge import protocol
from wangp_backend.messages import Failed, Preview, SessionState, from_wire, to_wire
from wangp_backend.requests import JobRequest, SessionConfig


def test_frames_round_trip_in_order_and_end_cleanly() -> None:
    stream = io.BytesIO()
    protocol.write_frame(stream, {"type": "a", "n": 1})
    protocol.write_frame(stream, {"type": "b", "text": "é ✓"}, b"\x00\x01raw")
    stream.seek(0)
    assert protocol.read_frame(stream) == ({"type": "a", "n": 1}, b"")
    assert protocol.read_frame(stream) == ({"type": "b", "text": "é ✓"}, b"\x00\x01raw")
    assert protocol.read_frame(stream) is None


def test_frame_layout_is_length_prefixed_json_then_length_prefixed_bytes() -> None:
    data = protocol.encode_frame({"type": "ping"}, b"xyz")
    header = b'{"type":"ping"}'
    assert data == struct.pack(">I", len(header)) + header + struct.pack(">I", 3) + b"xyz"


class _Trickle(io.RawIOBase):
    """A pipe that returns one byte per read, as a raw pipe may."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 1) if size > 0 else 1)


def test_short_reads_are_reassembled() -> None:
    data = protocol.encode_frame({"type": "x", "k": [1, 2]}, b"payload")
    assert protocol.read_frame(_Trickle(data)) == ({"type": "x", "k": [1, 2]}, b"payload")


@pytest.mark.parametrize(
    "data, error",
    [
        (protocol.encode_frame({"type": "x"}, b"abc")[:-1], "ended inside a frame"),
        (protocol.encode_frame({"type": "x"})[:3], "ended inside a frame"),
        (struct.pack(">I", 5) + b"nojsn" + struct.pack(">I", 0), "not JSON"),
        (struct.pack(">I", 2) + b"[]" + struct.pack(">I", 0), "no type"),
        (struct.pack(">I", protocol.MAX_HEADER_BYTES + 1), "too large"),
        (struct.pack(">I", 2) + b'{"type":"x"}'[:0] + b"{}" + struct.pack(">I", 0), "no type"),
        (protocol.encode_frame({"type": "x"})[:-4] + struct.pack(">I", protocol.MAX_PAYLOAD_BYTES + 1), "too large"),
    ],
)
def test_corrupt_streams_raise_protocol_errors(data: bytes, error: str) -> None:
    with pytest.raises(protocol.ProtocolError, match=error):
        protocol.read_frame(io.BytesIO(data))


def test_a_preview_crosses_a_frame_with_its_pixels_intact() -> None:
    pixels = np.random.default_rng(1).random(4 * 3 * 4, dtype=np.float32)
    header, payload = to_wire(Preview("j", "s/1", width=4, height=3, pixels=pixels))
    stream = io.BytesIO(protocol.encode_frame({"type": protocol.MESSAGE, "message": header}, payload))
    frame_header, frame_payload = protocol.read_frame(stream)
    message = from_wire(frame_header["message"], frame_payload)
    assert isinstance(message, Preview) and (message.width, message.height) == (4, 3)
    assert message.pixels.dtype == np.float32
    np.testing.assert_array_equal(message.pixels, pixels)


def test_tuples_and_nested_records_survive_a_frame() -> None:
    failed = Failed("j", "s", stage="environment", message="m", error_class="environment", log_tail=("a", "b"))
    state = SessionState("ready", models=({"model_type": "t2v", "outputs": ["video"]},), mode="bridge")
    for message in (failed, state):
        header, payload = to_wire(message)
        stream = io.BytesIO(protocol.encode_frame({"type": protocol.MESSAGE, "message": header}, payload))
        frame_header, frame_payload = protocol.read_frame(stream)
        assert from_wire(frame_header["message"], frame_payload) == message


def test_requests_and_configs_round_trip_as_plain_data() -> None:
    request = JobRequest("scene/SH010", {"prompt": "a kite", "seed": 3, "nested": {"a": [1, 2]}}, "/takes", "SH010_t1",
                         fallbacks=("t2v_1.3B", "i2v"), sidecar_extra={"shot_name": "SH010"})
    config = SessionConfig("/wangp", "/env/lib/python3.10/site-packages", ("--profile", "4"), "/out", offline=True)
    stream = io.BytesIO(protocol.encode_frame({"type": protocol.SUBMIT, "request": protocol.request_to_wire(request),
                                               "config": protocol.config_to_wire(config)}))
    header, _ = protocol.read_frame(stream)
    assert protocol.request_from_wire(header["request"]) == request
    assert protocol.config_from_wire(header["config"]) == config


def test_values_json_has_no_type_for_cross_as_text(tmp_path) -> None:
    stream = io.BytesIO(protocol.encode_frame({"type": "x", "path": tmp_path}))
    assert protocol.read_frame(stream)[0]["path"] == str(tmp_path)
