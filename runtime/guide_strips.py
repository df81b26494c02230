"""A take's guide beside it on the sequencer: the control video and the keyframe stills as muted strips on
"Guide" channels next to the take, so the director compares layout and result frame by frame.

The guide comes from the take's sidecar (``guide``: control video, keyframe files, fps), so any take
shows the guide that made it. The strip shows the renderer's scene-rate copy (``timeline.mp4``; the
control itself is at the model's rate, which would play too fast). Channels come from
:mod:`placement`: a strip is made past every other strip and moved onto the first channel free over
the shot's frames from the one under the take up, so a user's strip (or the take) is never covered.

A landing (:mod:`landing`) makes the guide strips one per pump tick (:func:`make`: each opens a file) and
moves them into place together with the take (:func:`commit`); :func:`read_guide` and :func:`items` are
plain file reads, run on the landing's worker thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .. import compat
from ..wangp_backend.review import read_sidecar
from . import placement

CHANNEL_NAME = "Guide"
TAG = "md_guide"
TIMELINE_VIDEO = "timeline.mp4"


def read_guide(sidecar_path: str) -> tuple[dict[str, Any], int]:
    """The take's guide record and the head frames to trim (a continued take), from its sidecar (absolute path)."""
    try:
        record = read_sidecar(sidecar_path)  # its paths resolved (a moved project's sidecar holds them relative)
    except (OSError, ValueError):
        return {}, 0
    guide = record.get("guide") if isinstance(record.get("guide"), dict) else {}
    try:
        trim = int(record.get("trim_head_frames") or 0)
    except (TypeError, ValueError):
        trim = 0
    return guide, max(0, trim)


def items(guide: dict[str, Any]) -> list[tuple[str, str, int]]:
    """The guide strips to make, as ``(kind, path, guide frame)``: the control's timeline copy, then the stills.

    Plain file checks (no bpy): run off the main thread. The guide frame of a still is at the guide's rate.
    """
    found: list[tuple[str, str, int]] = []
    control = str(guide.get("control_video") or "")
    video = os.path.join(os.path.dirname(control), TIMELINE_VIDEO) if control else ""
    if video and os.path.isfile(video):
        found.append(("movie", video, 0))
    for still in guide.get("keyframe_files") or ():
        if not isinstance(still, dict):
            continue
        path = str(still.get("path", ""))
        try:
            frame = int(still.get("frame", 0))
        except (TypeError, ValueError):
            continue
        if path and os.path.isfile(path):
            found.append(("image", path, frame))
    return found


def is_guide(strip: Any) -> bool:
    return bool(strip.get(TAG))


def make(editor: Any, name: str, item: tuple[str, str, int], channel: int, staging: int) -> Any:
    """One guide strip, muted, at ``staging`` (past every strip): it is placed by :func:`commit`."""
    kind, path, _frame = item
    if kind == "movie":
        strip = compat.new_movie(editor, f"{name} Guide", path, channel, staging, fit="ORIGINAL")
    else:
        strip = compat.strips(editor).new_image(name=f"{name} Keyframe", filepath=path, channel=channel,
                                                frame_start=staging, fit_method="FIT")
    strip.mute = True
    strip[TAG] = True
    return strip


def commit(scene: Any, editor: Any, shot: Any, old: list[Any], made: list[tuple[Any, tuple[str, str, int]]],
           take_strip: Any, guide: dict, tag: Callable[[Any], None], log: Callable[[str], None],
           layout: placement.Layout) -> list[Any]:
    """Remove the shot's ``old`` guide strips and move the ``made`` ones next to the take."""
    for strip in old:
        layout.forget(strip)
        compat.remove_strip(editor, strip)
    start, out = shot.frame_start, shot.frame_end + 1
    first = max(1, take_strip.channel - 1)
    scene_fps = scene.render.fps / (scene.render.fps_base or 1.0)
    fps = float(guide.get("fps") or 0.0) or scene_fps
    name = shot.id_data.name
    placed: list[Any] = []
    for strip, (kind, _path, frame) in made:
        if kind == "movie":
            begin, end = start, out
        else:
            begin = min(out - 1, start + round(frame * scene_fps / fps))
            end = begin + 1
        layout.to_staging(strip)
        try:
            channel = layout.settle(strip, begin, begin, end, first)
        except placement.NoFreeChannel as exc:
            layout.forget(strip)
            compat.remove_strip(editor, strip)  # never a half-placed strip past the end of the edit
            log(f"{name}: the guide is not on the timeline: {exc}")
            continue
        tag(strip)
        channels = getattr(editor, "channels", None)
        if channels is not None and channel < len(channels) and channels[channel].name != CHANNEL_NAME:
            channels[channel].name = CHANNEL_NAME
        placed.append(strip)
    return placed
