"""A take's guide beside it on the sequencer: the control video and the keyframe stills as muted strips on
"Guide" channels next to the take, so the director compares layout and result frame by frame.

The guide comes from the take's sidecar (``guide``: control video, keyframe files, fps), so any take
shows the guide that made it. The strip shows the renderer's scene-rate copy (``timeline.mp4``; the
control itself is at the model's rate, which would play too fast). Channels come from
:mod:`placement`: a strip is made past every other strip and moved onto the first channel free over
the shot's frames from the one under the take up, so a user's strip (or the take) is never covered.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import bpy

from .. import compat
from ..wangp_backend.review import read_sidecar
from . import placement

CHANNEL_NAME = "Guide"
TAG = "md_guide"
TIMELINE_VIDEO = "timeline.mp4"


def read_guide(sidecar_path: str) -> tuple[dict[str, Any], int]:
    """The take's guide record and the head frames to trim (a continued take), from its sidecar."""
    try:
        record = read_sidecar(bpy.path.abspath(sidecar_path))
    except (OSError, ValueError):
        return {}, 0
    guide = record.get("guide") if isinstance(record.get("guide"), dict) else {}
    try:
        trim = int(record.get("trim_head_frames") or 0)
    except (TypeError, ValueError):
        trim = 0
    return guide, max(0, trim)


def is_guide(strip: Any) -> bool:
    return bool(strip.get(TAG))


def replace(scene: bpy.types.Scene, editor: Any, shot: Any, key: str, take_strip: Any, guide: dict,
            tag: Callable[[Any], None], log: Callable[[str], None]) -> list[Any]:
    """Remove the shot's old guide strips and put the take's guide (if any) next to it."""
    for strip in [s for s in compat.strips(editor) if s.get("md_shot_key") == key and is_guide(s)]:
        compat.remove_strip(editor, strip)
    if not guide:
        return []
    start, out = shot.frame_start, shot.frame_end + 1
    first = max(1, take_strip.channel - 1)
    placed: list[Any] = []
    control = str(guide.get("control_video") or "")
    video = os.path.join(os.path.dirname(control), TIMELINE_VIDEO) if control else ""
    items: list[tuple[str, str, int]] = []
    if video and os.path.isfile(video):
        items.append(("movie", video, start))
    scene_fps = scene.render.fps / (scene.render.fps_base or 1.0)
    fps = float(guide.get("fps") or 0.0) or scene_fps
    for still in guide.get("keyframe_files") or ():
        path = str(still.get("path", ""))
        if os.path.isfile(path):
            items.append(("image", path, min(out - 1, start + round(int(still.get("frame", 0)) * scene_fps / fps))))
    name = shot.id_data.name
    for kind, path, frame in items:
        staging = placement.staging_frame(editor)
        if kind == "movie":
            strip = compat.new_movie(editor, f"{name} Guide", path, first, staging, fit="ORIGINAL")
            begin, end = start, out
        else:
            strip = compat.strips(editor).new_image(name=f"{name} Keyframe", filepath=path, channel=first,
                                                    frame_start=staging, fit_method="FIT")
            begin, end = frame, frame + 1
        strip.mute = True
        try:
            channel = placement.settle(editor, strip, begin, begin, end, first)
        except placement.NoFreeChannel as exc:
            compat.remove_strip(editor, strip)  # never a half-placed strip past the end of the edit
            log(f"{name}: the guide is not on the timeline: {exc}")
            continue
        tag(strip)
        strip[TAG] = True
        channels = getattr(editor, "channels", None)
        if channels is not None and channel < len(channels) and channels[channel].name != CHANNEL_NAME:
            channels[channel].name = CHANNEL_NAME
        placed.append(strip)
    return placed
