"""What the guide worker is asked to make, and what it answers: plain values that cross a process as JSON."""

from __future__ import annotations

import json
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
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> GuideJob:
        data = json.loads(text)
        data["keyframes"] = tuple(KeyframeJob(**item) for item in data.get("keyframes", ()))
        return cls(**data)


def event_line(kind: str, **values: object) -> str:
    """One event line: ``progress`` (done, total), ``done`` (control_path, keyframes, blockout, ...),
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
