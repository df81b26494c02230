"""Messages from a session host to Blender's main thread.

Every message is a small frozen dataclass of plain values, so it can cross a thread through a
``queue.SimpleQueue`` or a process boundary as JSON plus raw preview bytes (see :func:`to_wire`).
All job messages carry the host's ``job_id`` and the caller's ``shot_key``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .states import ErrorClass, SessionStatus


@dataclass(frozen=True)
class Message:
    kind: ClassVar[str] = "message"


@dataclass(frozen=True)
class Queued(Message):
    """The host accepted a request; ``position`` is 0 for the next job to run."""

    kind: ClassVar[str] = "queued"
    job_id: str
    shot_key: str
    position: int = 0


@dataclass(frozen=True)
class Started(Message):
    """WanGP accepted the job (``attempt`` 0 is the primary model, 1+ are fallbacks)."""

    kind: ClassVar[str] = "started"
    job_id: str
    shot_key: str
    model_type: str
    attempt: int = 0
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress(Message):
    kind: ClassVar[str] = "progress"
    job_id: str
    shot_key: str
    phase: str
    status: str = ""
    percent: int = 0
    current_step: int | None = None
    total_steps: int | None = None


@dataclass(frozen=True)
class Preview(Message):
    """A live preview: ``pixels`` is a flat float32 RGBA array, rows bottom-up (Blender's order)."""

    kind: ClassVar[str] = "preview"
    job_id: str
    shot_key: str
    width: int
    height: int
    pixels: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class Log(Message):
    """Lines WanGP printed (``source`` is ``stdout``, ``stderr``, ``status`` or ``info``)."""

    kind: ClassVar[str] = "log"
    job_id: str
    shot_key: str
    source: str
    text: str


@dataclass(frozen=True)
class TakeReady(Message):
    """A finished clip, already moved into the take folder with its sidecar JSON beside it."""

    kind: ClassVar[str] = "take_ready"
    job_id: str
    shot_key: str
    filepath: str
    sidecar_path: str
    model_type: str
    seed: int
    fps: float
    frame_count: int
    width: int
    height: int
    has_audio: bool = False
    used_fallback: bool = False
    primary_error: str = ""
    settings_hash: str = ""
    duration_s: float = 0.0
    #: the clip this take was post-processed from ("" for a generated take)
    parent_take: str = ""


@dataclass(frozen=True)
class Failed(Message):
    kind: ClassVar[str] = "failed"
    job_id: str
    shot_key: str
    stage: str
    message: str
    #: checked here (a name outside :class:`ErrorClass` raises): the panel picks the failure's fix from it
    error_class: ErrorClass
    hint: str = ""
    log_tail: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "error_class", ErrorClass(self.error_class))


@dataclass(frozen=True)
class Cancelled(Message):
    kind: ClassVar[str] = "cancelled"
    job_id: str
    shot_key: str
    reason: str = ""


@dataclass(frozen=True)
class SessionState(Message):
    """The session's life: ``stopped`` -> ``starting`` -> ``ready`` (or ``failed``) -> ``closing`` -> ``stopped``.

    ``models`` is the video-model catalog as plain records (see :mod:`wangp_backend.catalog`), sent when
    the session becomes ready or the catalog is refreshed; ``hint`` says what the user can do on failure.
    """

    kind: ClassVar[str] = "session_state"
    state: SessionStatus
    message: str = ""
    hint: str = ""
    wangp_version: str = ""
    models: tuple[dict[str, Any], ...] = ()
    #: the git commit of a WanGP checkout ("" otherwise)
    wangp_commit: str = ""
    vram_gb: float = 0.0
    mode: str = "in_process"

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", SessionStatus(self.state))


ALL_MESSAGES: tuple[type[Message], ...] = (
    Queued, Started, Progress, Preview, Log, TakeReady, Failed, Cancelled, SessionState,
)
_BY_KIND = {cls.kind: cls for cls in ALL_MESSAGES}
TERMINAL_KINDS = frozenset({TakeReady.kind, Failed.kind, Cancelled.kind})


def to_wire(message: Message) -> tuple[dict[str, Any], bytes]:
    """Split a message into a JSON-able header and raw bytes (the preview pixels, else empty)."""
    header: dict[str, Any] = {"kind": message.kind}
    payload = b""
    for f in dataclasses.fields(message):
        value = getattr(message, f.name)
        if isinstance(value, np.ndarray):
            payload = np.ascontiguousarray(value, dtype=np.float32).tobytes()
            continue
        header[f.name] = list(value) if isinstance(value, tuple) else value
    return header, payload


def from_wire(header: dict[str, Any], payload: bytes = b"") -> Message:
    """Inverse of :func:`to_wire`."""
    cls = _BY_KIND[header["kind"]]
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name == "pixels":
            kwargs["pixels"] = np.frombuffer(payload, dtype=np.float32).copy()
        elif f.name in header:
            value = header[f.name]
            kwargs[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)
