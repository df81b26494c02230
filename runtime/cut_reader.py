"""Read what the scene's sequencer shows into a plain :class:`~editorial.cut.Cut` (main thread only).

Every visible top-level strip (not muted, its channel not muted) is cut to the scene's frame range
and to its own trims; a retimed movie's media frames are worked out from its content length against
the media's own frame count. Movie Director's strips carry their take's metadata; a shot whose take is
not on the timeline becomes a marked gap on the Movie Director channel.
"""

from __future__ import annotations

import os
from typing import Any

import bpy

from .. import compat
from ..editorial.cut import AUDIO, VIDEO, Cut, CutClip, CutGap
from ..wangp_backend.review import read_sidecar
from . import keys, paths, shot_index, timeline

#: Strips that only combine or change other strips: what they show is their inputs'.
EFFECT_TYPES = {
    "CROSS", "ADD", "SUBTRACT", "ALPHA_OVER", "ALPHA_UNDER", "GAMMA_CROSS", "MULTIPLY", "OVER_DROP", "WIPE",
    "GLOW", "TRANSFORM", "SPEED", "MULTICAM", "ADJUSTMENT", "GAUSSIAN_BLUR", "COLORMIX",
}


def _channel_muted(editor: Any, channel: int) -> bool:
    channels = getattr(editor, "channels", None)
    return bool(channels is not None and channel < len(channels) and channels[channel].mute)


def _media_frames(path: str, cache: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """(frame count, fps) of a movie file, read once per export (Blender opens only its header)."""
    if path not in cache:
        clip = bpy.data.movieclips.load(path, check_existing=False)
        try:
            cache[path] = float(clip.frame_duration), float(clip.fps)
        finally:
            bpy.data.movieclips.remove(clip)
    return cache[path]


def _take(strip: Any, shots: dict[str, bpy.types.Object]) -> tuple[bpy.types.Object | None, Any]:
    """The shot and take a Movie Director strip shows, or (None, None)."""
    obj = shots.get(str(strip.get("md_shot_key", "")))
    index = int(strip.get("md_take", -1))
    if obj is None or not 0 <= index < len(obj.movie_director.takes):
        return None, None
    return obj, obj.movie_director.takes[index]


def _take_metadata(strip: Any, shots: dict[str, bpy.types.Object]) -> dict[str, Any]:
    obj, take = _take(strip, shots)
    if obj is None:
        return {}
    index = int(strip["md_take"])
    sidecar = bpy.path.abspath(take.sidecar_path)
    try:
        record = read_sidecar(sidecar)
    except (OSError, ValueError):
        record = {}
    settings = record.get("settings", {}) if isinstance(record.get("settings"), dict) else {}
    return {
        "shot": obj.name,
        "shot_id": obj.movie_director.shot_id,
        "take": paths.number_of(take.filepath, index),
        "prompt": str(settings.get("prompt", obj.movie_director.prompt)),
        "model": take.model_type,
        "seed": take.seed,
        "sidecar": sidecar,
        "approved": take.approved,
        "rating": take.rating,
        "note": take.note,
        "wangp_version": str(record.get("wangp_version", "")),
    }


def _clip(scene: bpy.types.Scene, strip: Any, first: int, last: int, cache: dict,
          shots: dict[str, bpy.types.Object]) -> CutClip | None:
    """The part of ``strip`` that plays between scene frames ``first`` and ``last`` (inclusive)."""
    start, end = max(int(compat.left_handle(strip)), first), min(int(compat.right_handle(strip)), last + 1)
    if end <= start:
        return None
    rate = timeline.scene_fps(scene)
    offset, duration = start - compat.content_start(strip), end - start  # in timeline frames from the content's start
    common = {"name": strip.name, "channel": strip.channel, "record_start": start, "record_duration": duration}
    if strip.type == "MOVIE":
        path = bpy.path.abspath(strip.filepath)
        _obj, take = _take(strip, shots) if strip.get("md_shot_key") else (None, None)
        if take is not None and take.frame_count > 0:  # known from the take: no need to open the file
            media_frames, media_rate = float(take.frame_count), float(take.fps)
        else:
            media_frames, media_rate = _media_frames(path, cache)
        # Not ``strip.fps``: reading it opens the movie file (17 ms a strip, seconds for a long cut).
        media_rate = media_rate or rate
        # Timeline frames per media frame: 1 unless retimed (1.5 for a 16 fps clip at real speed in 24). The
        # content's timeline length is taken from the handles: 4.2 leaves the content's duration at the media's.
        content = compat.duration(strip) + sum(compat.handle_offsets(strip))
        per_frame = content / media_frames if media_frames else 1.0
        metadata = _take_metadata(strip, shots) if strip.get("md_shot_key") else {}
        if metadata:
            common["name"] = f"{metadata['shot']} take {metadata['take']}"
        return CutClip(kind=VIDEO, media_path=path, media_rate=media_rate, source_first=offset / per_frame,
                       source_count=duration / per_frame, media_frames=media_frames, metadata=metadata, **common)
    if strip.type == "SOUND":
        path = bpy.path.abspath(strip.sound.filepath) if strip.sound else ""
        metadata = _take_metadata(strip, shots) if strip.get("md_shot_key") else {}
        if metadata:
            common["name"] = f"{metadata['shot']} take {metadata['take']}"
        return CutClip(kind=AUDIO, media_path=path, media_rate=rate, source_first=offset, source_count=duration,
                       media_frames=float(compat.content_duration(strip)), metadata=metadata,
                       **common)
    if strip.type == "IMAGE":
        path = bpy.path.abspath(os.path.join(strip.directory, strip.elements[0].filename)) if strip.elements else ""
        return CutClip(kind=VIDEO, media_path=path, media_rate=rate, source_first=offset, source_count=duration,
                       media_frames=float(compat.content_duration(strip)), **common)
    return CutClip(kind=VIDEO, generator=strip.type, media_rate=rate, source_first=offset, source_count=duration,
                   **common)


def _gaps(scene: bpy.types.Scene, clips: list[CutClip], first: int, last: int, shots: dict[str, bpy.types.Object],
          shown: set[str]) -> list[CutGap]:
    """Shots whose take is not on the timeline (``shown``: keys with a strip), where their channel is free."""
    channel = scene.movie_director.channel
    taken = [(c.record_start, c.record_start + c.record_duration) for c in clips
             if c.channel == channel and c.kind == VIDEO]
    gaps = []
    for key, obj in shots.items():
        if key in shown:
            continue
        shot = obj.movie_director
        start, end = max(shot.frame_start, first), min(shot.frame_end + 1, last + 1)
        if end <= start or any(a < end and start < b for a, b in taken):
            continue
        what = "no take yet" if not len(shot.takes) else "its take is not on the timeline"
        gaps.append(CutGap(channel=channel, record_start=start, record_duration=end - start,
                           note=f"{obj.name}: {what}", metadata={"shot": obj.name, "shot_id": shot.shot_id}))
    return gaps


def read_cut(scene: bpy.types.Scene) -> Cut:
    """The scene's cut over its frame range, in its frame rate."""
    first, last = scene.frame_start, scene.frame_end
    editor = scene.sequence_editor
    clips: list[CutClip] = []
    left_out: list[str] = []
    names: dict[int, str] = {}
    cache: dict[str, tuple[float, float]] = {}
    # Looked up once: a scan of the scene per strip would make a 500-shot export quadratic.
    shots = {keys.shot_key(scene, obj): obj for obj in shot_index.timeline_shots(scene)}
    shown: set[str] = set()
    for strip in compat.strips(editor) if editor is not None else ():
        if strip.type == "MOVIE" and strip.get("md_shot_key"):
            shown.add(str(strip["md_shot_key"]))
        if strip.mute or _channel_muted(editor, strip.channel):
            continue
        if strip.type in EFFECT_TYPES:
            left_out.append(f"{strip.name}: a {strip.type.lower()} effect (its inputs are exported)")
            continue
        clip = _clip(scene, strip, first, last, cache, shots)
        if clip is not None:
            clips.append(clip)
            channels = getattr(editor, "channels", None)
            if channels is not None and clip.channel < len(channels):
                names[clip.channel] = channels[clip.channel].name
    gaps = _gaps(scene, clips, first, last, shots, shown)
    return Cut(name=scene.name, rate=timeline.scene_fps(scene), start=first, duration=last - first + 1,
               clips=tuple(clips), gaps=tuple(gaps), channel_names=names, left_out=tuple(left_out))
