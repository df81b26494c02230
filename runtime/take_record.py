"""A take's fields as the host delivered them, and adding them to a shot (used by the pump and by undo)."""

from __future__ import annotations

import datetime
from typing import Any

from ..wangp_backend import messages as m
from . import paths, shot_index


def fields(msg: m.TakeReady) -> dict[str, Any]:
    return {
        # Blend-relative inside the project folder, so the project can be moved or shared.
        "filepath": paths.stored(msg.filepath),
        "sidecar_path": paths.stored(msg.sidecar_path),
        "model_type": msg.model_type,
        "seed": msg.seed,
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "used_fallback": msg.used_fallback,
        "primary_error": msg.primary_error,
        "settings_hash": msg.settings_hash,
        "fps": msg.fps,
        "frame_count": msg.frame_count,
        "has_audio": msg.has_audio,
        "width": msg.width,
        "height": msg.height,
        "parent_take": paths.stored(msg.parent_take),
    }


def add(shot: Any, values: dict[str, Any]) -> int:
    """Append a take to ``shot`` and make it the active one; returns its index."""
    take = shot.takes.add()
    for name, value in values.items():
        setattr(take, name, value)
    if 0 <= shot.active_take_index < len(shot.takes) - 1:
        shot.compare_take_index = shot.active_take_index  # the A/B key goes back to the take shown before
    shot.active_take_index = len(shot.takes) - 1
    shot.take_list_index = shot.active_take_index  # the highlighted row is the take on the timeline
    shot_index.forget()  # the panels' "any takes" changed
    return shot.active_take_index
