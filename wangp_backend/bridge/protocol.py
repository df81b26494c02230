"""Frames on the pipes between Blender and the bridge child, and the plain-data form of what crosses them.

A frame is a 4-byte big-endian length and a JSON header, then a 4-byte big-endian length and raw
bytes. The raw part carries preview pixels (megabytes of float32) without turning them into JSON
text; it is empty for everything else. Nothing here imports numpy, so the child can read its first
command before WanGP's packages are on ``sys.path``.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from typing import Any, BinaryIO

from ..requests import JobRequest, SessionConfig

_LENGTH = struct.Struct(">I")
#: A header larger than this means the stream is corrupt (real headers are a few kilobytes).
MAX_HEADER_BYTES = 64 * 1024 * 1024
#: The largest payload accepted: an 8K RGBA float32 preview is 530 MB; anything bigger is corruption.
MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024

# Frame types, parent -> child.
SUBMIT = "submit"
CANCEL = "cancel"
CANCEL_ALL = "cancel_all"
REFRESH_MODELS = "refresh_models"
START = "start"
CLOSE = "close"
PING = "ping"
# Frame types, child -> parent.
MESSAGE = "message"
PONG = "pong"
CLOSED = "closed"


class ProtocolError(Exception):
    """The byte stream does not hold a valid frame: the other side is broken or not our child."""


def encode_frame(header: dict[str, Any], payload: bytes = b"") -> bytes:
    """The bytes of one frame, ready for a single ``write`` (for small frames: commands, pings)."""
    return frame_head(header, len(payload)) + payload


def frame_head(header: dict[str, Any], payload_size: int) -> bytes:
    """Everything of a frame before its payload."""
    # ``default=str``: settings may hold values JSON has no type for (paths); the wire carries their text.
    text = json.dumps(header, separators=(",", ":"), default=str).encode("utf-8")
    return b"".join((_LENGTH.pack(len(text)), text, _LENGTH.pack(payload_size)))


def write_frame(stream: BinaryIO, header: dict[str, Any], payload: bytes | memoryview = b"") -> None:
    """Write one frame (the caller flushes). The payload is not joined to the head: a preview's
    megabytes go from their own buffer to the pipe without another copy."""
    stream.write(frame_head(header, len(payload)))
    if len(payload):
        stream.write(payload)


def read_frame(stream: BinaryIO) -> tuple[dict[str, Any], bytes] | None:
    """The next frame, or ``None`` at a clean end of stream (the other side closed it between frames)."""
    head = _read_up_to(stream, _LENGTH.size)
    if not head:
        return None
    (size,) = _LENGTH.unpack(_complete(head, _LENGTH.size))
    if size > MAX_HEADER_BYTES:
        raise ProtocolError(f"frame header of {size} bytes is too large")
    try:
        header = json.loads(_complete(_read_up_to(stream, size), size))
    except ValueError as exc:
        raise ProtocolError(f"frame header is not JSON: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(header.get("type"), str):
        raise ProtocolError("frame header has no type")
    (size,) = _LENGTH.unpack(_complete(_read_up_to(stream, _LENGTH.size), _LENGTH.size))
    if size > MAX_PAYLOAD_BYTES:
        raise ProtocolError(f"frame payload of {size} bytes is too large")
    return header, _complete(_read_up_to(stream, size), size) if size else b""


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    """``size`` bytes, or fewer if the stream ends first (a raw pipe may return less per read)."""
    chunks = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _complete(data: bytes, size: int) -> bytes:
    if len(data) != size:
        raise ProtocolError(f"stream ended inside a frame ({len(data)} of {size} bytes read)")
    return data


def request_to_wire(request: JobRequest) -> dict[str, Any]:
    return dataclasses.asdict(request)


def request_from_wire(data: dict[str, Any]) -> JobRequest:
    return JobRequest(
        shot_key=data["shot_key"],
        settings=dict(data["settings"]),
        take_dir=data["take_dir"],
        take_name=data["take_name"],
        fallbacks=tuple(data.get("fallbacks", ())),
        sidecar_extra=dict(data.get("sidecar_extra", {})),
        operation=str(data.get("operation", "generate")),
        play_fps=float(data.get("play_fps", 0.0)),
    )


def config_to_wire(config: SessionConfig) -> dict[str, Any]:
    return dataclasses.asdict(config)


def config_from_wire(data: dict[str, Any]) -> SessionConfig:
    return SessionConfig(
        wangp_root=data["wangp_root"],
        site_packages=data.get("site_packages", ""),
        cli_args=tuple(data.get("cli_args", ())),
        output_dir=data.get("output_dir", ""),
        offline=bool(data.get("offline", False)),
    )
