"""What the guide worker is asked to make, and what it answers: plain values that cross a process as JSON."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

#: Prefix of the worker's event lines on stdout (everything else there is Blender's own chatter).
EVENT_PREFIX = "MDGUIDE "

#: The 18 COCO keypoints of OpenPose, in OpenPose's order.
KEYPOINTS = (
    "nose", "neck", "r_shoulder", "r_elbow", "r_wrist", "l_shoulder", "l_elbow", "l_wrist",
    "r_hip", "r_knee", "r_ankle", "l_hip", "l_knee", "l_ankle", "r_eye", "l_eye", "r_ear", "l_ear",
)


@dataclass(frozen=True)
class KeyframeJob:
    """One still: the clip frame it is injected at and where the PNG goes."""

    clip_frame: int
    path: str


@dataclass(frozen=True)
class GuideJob:
    """One shot's guide. Sizes, rate and length are the model's (``GuideTarget``); the scene's clock is
    mapped onto them by time (clip frame ``i`` shows scene time ``frame_start + i * scene_fps / fps``).

    :param bone_maps: armature object name -> keypoint -> ``[bone, "head" | "tail"]``, already resolved
        on the main thread (presets or the user's map); armatures absent here are not drawn.
    :param control_path: the control mp4 to write ("" when the shot only has keyframes).
    """

    scene: str
    camera: str
    mode: str
    frame_start: int
    scene_fps: float
    width: int
    height: int
    fps: float
    frame_count: int
    control_path: str = ""
    keyframes: tuple[KeyframeJob, ...] = ()
    bone_maps: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    content_hash: str = ""
    #: the work folder for intermediate frames (removed by the worker when it is done)
    work_dir: str = ""
    #: the copy of the .blend to render (the ``bpy`` module opens it; a Blender binary gets it on its command line)
    blend: str = ""

    def scene_frame(self, clip_frame: int) -> float:
        """The scene frame (fractional) that clip frame ``clip_frame`` shows."""
        return self.frame_start + clip_frame * self.scene_fps / self.fps

    def to_json(self) -> str:
        return json.dumps({"kind": "guide", **asdict(self)})

    @classmethod
    def from_json(cls, text: str) -> GuideJob:
        data = json.loads(text)
        data.pop("kind", None)
        data["keyframes"] = tuple(KeyframeJob(**item) for item in data.get("keyframes", ()))
        return cls(**data)


@dataclass(frozen=True)
class AnimaticJob:
    """One shot's layout animatic: every scene frame of ``frame_start``-``frame_end`` through ``camera``
    (Workbench), at the scene's own rate, encoded to ``clip_path``.

    Each frame also leaves a small preview in ``work_dir`` (``preview_<n>.npy``: uint8 RGBA, rows
    bottom-up, long side at most ``preview_max_side``) that the add-on reads without ``bpy``.
    """

    scene: str
    camera: str
    frame_start: int
    frame_end: int
    width: int
    height: int
    fps: float
    clip_path: str
    work_dir: str
    preview_max_side: int = 512
    blend: str = ""

    def to_json(self) -> str:
        return json.dumps({"kind": "animatic", **asdict(self)})


class RenderError(Exception):
    """The scene cannot give this render; the message is one sentence for the shot."""


@dataclass(frozen=True)
class ClipFrameJob:
    """The last frame of a clip (the previous shot's take) as a PNG at the clip's own size, its colours unchanged:
    a continuation shot's start image. No .blend: the worker's own empty file holds the one movie strip."""

    clip: str
    path: str
    blend: str = ""

    def to_json(self) -> str:
        return json.dumps({"kind": "clip_frame", **asdict(self)})


def load_job(text: str) -> GuideJob | AnimaticJob | ClipFrameJob:
    """The job in a job file, of the kind it names (a file without a kind is a guide, as before)."""
    data = json.loads(text)
    kind = data.pop("kind", "guide")
    if kind == "animatic":
        return AnimaticJob(**data)
    if kind == "clip_frame":
        return ClipFrameJob(**data)
    return GuideJob.from_json(text)


def preview_path(work_dir: str, frame_index: int) -> str:
    """Where the worker leaves the preview of the clip's frame ``frame_index`` (from 1)."""
    return os.path.join(work_dir, f"preview_{frame_index:06d}.npy")


def event_line(kind: str, **values: object) -> str:
    """One event line: ``progress`` (done, total; the animatic adds ``phase``, ``frame`` and ``preview``),
    ``done`` (control_path, keyframes, blockout, ...; the animatic's clip_path, render_s, encode_s),
    ``failed`` (message)."""
    return EVENT_PREFIX + json.dumps({"kind": kind, **values})


def parse_event(line: str) -> dict | None:
    """The event in a line of the worker's stdout, or None for any other line."""
    if not line.startswith(EVENT_PREFIX):
        return None
    try:
        event = json.loads(line[len(EVENT_PREFIX):])
    except ValueError:
        return None
    return event if isinstance(event, dict) and "kind" in event else None
