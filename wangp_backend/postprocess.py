"""WanGP's late post-processing of a take (``WanGPSession.submit_media_postprocessing``), as one of our jobs.

A request with ``operation="postprocess"`` carries the keyword arguments of that call in ``settings``
(``video_source`` is the parent take's clip). WanGP validates them itself ("You must choose at least one
Post Processing Method", "Selected video or image file is missing"); the same checks are made here
first so a bad click is refused before WanGP is asked. The result's fps, size and frame count are read
from the file WanGP wrote when imageio-ffmpeg (in WanGP's environment) is there, else worked out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

POSTPROCESS = "postprocess"
#: WanGP 12.60's spatial upsamplers that need no model weights (``lanczos<factor>``).
SPATIAL_FACTORS = {"lanczos1.5": 1.5, "lanczos2": 2.0}
#: WanGP's RIFE temporal upsamplers (frame-rate multiplier).
TEMPORAL_FACTORS = {"rife2": 2, "rife4": 4}
NOTHING_CHOSEN = "You must choose at least one Post Processing Method"
SOURCE_MISSING = "Selected video or image file is missing"
#: The keyword arguments of ``submit_media_postprocessing`` the add-on sends.
CALL_KEYS = ("temporal_upsampling", "spatial_upsampling", "film_grain_intensity", "film_grain_saturation", "seed")


@dataclass(frozen=True)
class Media:
    fps: float
    frame_count: int
    width: int
    height: int


def rife_for_fps(clip_fps: float, scene_fps: float) -> str:
    """The smallest RIFE multiplier that lifts ``clip_fps`` to at least ``scene_fps`` ("" if already there).

    A 16 fps Wan clip in a 24 fps scene gets ``rife2`` (32 fps): played at real speed every shown frame
    is a different one, instead of every other frame repeated.
    """
    if clip_fps <= 0 or clip_fps >= scene_fps - 1e-6:
        return ""
    for value, factor in sorted(TEMPORAL_FACTORS.items(), key=lambda kv: kv[1]):
        if clip_fps * factor >= scene_fps - 1e-6:
            return value
    return max(TEMPORAL_FACTORS, key=TEMPORAL_FACTORS.get)


def problem(settings: dict[str, Any]) -> str:
    """WanGP's own refusal for these settings, checked before asking it ("" when they are fine)."""
    source = str(settings.get("video_source", ""))
    if not source or not os.path.isfile(source):
        return f"{SOURCE_MISSING}: {source or '(none)'}"
    temporal, spatial = settings.get("temporal_upsampling", ""), settings.get("spatial_upsampling", "")
    if temporal and temporal not in TEMPORAL_FACTORS:
        return f"Unknown temporal upsampling {temporal!r}: use one of {', '.join(TEMPORAL_FACTORS)}"
    if spatial and spatial not in SPATIAL_FACTORS:
        return f"Unknown spatial upsampling {spatial!r}: use one of {', '.join(SPATIAL_FACTORS)}"
    if not temporal and not spatial and float(settings.get("film_grain_intensity", 0) or 0) <= 0:
        return NOTHING_CHOSEN
    return ""


def call_arguments(settings: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(media_source, keyword arguments)`` for ``submit_media_postprocessing``."""
    return str(settings["video_source"]), {key: settings[key] for key in CALL_KEYS if key in settings}


def predicted(parent: Media, settings: dict[str, Any]) -> Media:
    """What the result should be: spatial scales the size (even), RIFE multiplies fps and fills in frames."""
    factor = SPATIAL_FACTORS.get(settings.get("spatial_upsampling", ""), 1.0)
    width, height = (int(round(side * factor / 2)) * 2 for side in (parent.width, parent.height))
    times = TEMPORAL_FACTORS.get(settings.get("temporal_upsampling", ""), 1)
    frames = (parent.frame_count - 1) * times + 1 if parent.frame_count else 0
    return Media(parent.fps * times, frames, width, height)


def probe(path: str) -> Media | None:
    """The clip's real fps, frame count and size, read with imageio-ffmpeg; None where it is not installed."""
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    reader = imageio_ffmpeg.read_frames(path)
    try:
        meta = next(reader)
    finally:
        reader.close()
    frames, _seconds = imageio_ffmpeg.count_frames_and_secs(path)
    width, height = meta["size"]
    return Media(float(meta["fps"]), int(frames), int(width), int(height))
