"""Check and normalise a WanGP settings dict against the model catalog before it is submitted.

WanGP reports a bad model type as "'NoneType' object has no attribute 'get'" and silently adjusts
frame counts and sizes, so the host catches what it can here, says what it changed, and records the
exact values (including a concrete seed) that the take's sidecar needs to be re-made exactly.
"""

from __future__ import annotations

import copy
import os
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import grid, wording
from .catalog import ModelCatalog, ModelInfo

#: Settings that name input media files (WanGP's attachment keys that Movie Director may send).
MEDIA_KEYS = (
    "image_start", "image_end", "image_refs", "image_guide", "image_mask", "video_guide", "video_mask",
    "video_source", "audio_guide", "audio_guide2", "audio_source", "custom_guide",
)
SEED_MAX = 999_999_999
_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*s\s*$", re.IGNORECASE)


class ValidationError(Exception):
    """The settings cannot be sent; the message says why in one line."""


@dataclass(frozen=True)
class Validated:
    """Settings ready to send and the facts a take records about them."""

    settings: dict[str, Any]
    model: ModelInfo
    seed: int
    frame_count: int
    width: int
    height: int
    fps: float
    #: What was changed, one line each, shown to the user as ``Log(source="info")``.
    notes: tuple[str, ...] = ()


def validate_settings(settings: Mapping[str, Any], catalog: ModelCatalog, rng: random.Random) -> Validated:
    """Return a normalised copy of ``settings`` or raise :class:`ValidationError`."""
    out = copy.deepcopy(dict(settings))
    notes: list[str] = []
    model = _model(out, catalog, notes)
    prompt = out.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValidationError(wording.prompt_empty())
    fps = _fps(out.get("force_fps"), model)
    frames = _frames(out, model, fps, notes)
    width, height = _resolution(out, model, notes)
    for key in MEDIA_KEYS:
        _check_media(key, out.get(key))
    seed = _seed(out, rng, notes)
    return Validated(out, model, seed, frames, width, height, fps, tuple(notes))


def _model(out: dict[str, Any], catalog: ModelCatalog, notes: list[str]) -> ModelInfo:
    requested = out.get("model_type")
    if not isinstance(requested, str) or not requested.strip():
        raise ValidationError(wording.no_model_set())
    model = catalog.get(requested)
    if model is None:
        raise ValidationError(wording.model_not_in_catalog(requested, catalog.close_matches(requested)))
    if model.model_type != requested:
        notes.append(wording.model_renamed(requested, model.model_type))
        out["model_type"] = model.model_type
    return model


def _fps(force_fps: Any, model: ModelInfo) -> float:
    """The clip's frame rate: a numeric ``force_fps`` wins, anything else ("", "auto") means the model's."""
    try:
        value = float(force_fps)
    except (TypeError, ValueError):
        return model.fps
    return value if value > 0 and not isinstance(force_fps, bool) else model.fps


def _frames(out: dict[str, Any], model: ModelInfo, fps: float, notes: list[str]) -> int:
    if "video_length" not in out or out["video_length"] is None:
        return grid.nearest_frames(model, model.default_video_length)
    raw = out["video_length"]
    requested = _frame_count(raw, fps)
    windowed = requested > model.frames_maximum and _windowed(out, model)
    # Sliding windows lift the one-window maximum (a long guided shot); the grid still holds.
    frames = grid.frames_at_most(model, requested) if windowed else grid.nearest_frames(model, requested)
    out["video_length"] = frames
    if not windowed and requested > frames == grid.longest_frames(model):
        notes.append(wording.frames_cut(raw, frames, model.model_type))
    elif frames != requested or not isinstance(raw, int):
        notes.append(wording.frames_snapped(raw, frames, model.model_type, grid.frame_rule(model)))
    return frames


def _windowed(out: Mapping[str, Any], model: ModelInfo) -> bool:
    try:
        return model.can("sliding_window") and int(out.get("sliding_window_size") or 0) > 0
    except (TypeError, ValueError):
        return False


def _frame_count(raw: Any, fps: float) -> int:
    if isinstance(raw, bool):
        raise ValidationError(wording.video_length_not_frames(repr(raw)))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if text.isdigit():
            return int(text)
        seconds = _SECONDS.match(text)
        if seconds:
            return max(1, round(float(seconds.group(1)) * fps))
    raise ValidationError(wording.video_length_bad(repr(raw)))


def _resolution(out: dict[str, Any], model: ModelInfo, notes: list[str]) -> tuple[int, int]:
    raw = out.get("resolution")
    if raw is None or raw == "":
        return grid.parse_resolution(model.default_resolution) or (832, 480)
    parsed = grid.parse_resolution(raw) if isinstance(raw, str) else None
    if parsed is None:
        raise ValidationError(wording.resolution_bad(repr(raw)))
    width, height = grid.snap_resolution(*parsed)
    text = grid.format_resolution(width, height)
    if text != raw:
        notes.append(wording.resolution_snapped(raw, text))
    out["resolution"] = text
    return width, height


def _check_media(key: str, value: Any) -> None:
    """Input files must exist and be absolute: WanGP resolves relative paths against its own cwd."""
    if value is None or value == "":
        return
    values = value if isinstance(value, (list, tuple)) else [value]
    for item in values:
        if not isinstance(item, (str, os.PathLike)):
            raise ValidationError(wording.media_not_a_path(key, repr(item)))
        # WanGP's virtual-media suffix ("clip.mp4|start_frame=1,end_frame=9") is not part of the file name.
        path = os.fspath(item).split("|", 1)[0]
        if not path:
            continue
        if not os.path.isabs(path):
            raise ValidationError(wording.media_not_absolute(key, path))
        if not os.path.isfile(path):
            raise ValidationError(wording.media_missing(key, path))


def _seed(out: dict[str, Any], rng: random.Random, notes: list[str]) -> int:
    raw = out.get("seed", -1)
    if raw is None or raw == "":
        raw = -1
    try:
        seed = int(raw)
    except (TypeError, ValueError):
        seed = None
    if seed is None or isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise ValidationError(wording.seed_bad(repr(raw)))
    if seed < 0:
        seed = rng.randint(0, SEED_MAX)
        notes.append(wording.random_seed(seed))
    out["seed"] = seed
    return seed
