"""Reviewing takes: approval locks a shot, A/B switching between two takes, the review kept in sidecars."""

from __future__ import annotations

from typing import Any

import bpy

from ..wangp_backend.review import Review, review_of, write_review
from . import keys, log, paths, selection, timeline, timer


def approved_index(obj: bpy.types.Object) -> int:
    """Index of the shot's approved take, or -1."""
    return next((i for i, take in enumerate(obj.movie_director.takes) if take.approved), -1)


def locked(obj: bpy.types.Object) -> bool:
    """A shot with an approved take is locked: no batch regenerates it, whatever "only changed" says."""
    return approved_index(obj) >= 0


def lock_reason(obj: bpy.types.Object) -> str:
    index = approved_index(obj)
    label = paths.take_label(obj.movie_director.takes[index].filepath, index)
    return f"{obj.name} is locked: {label} is approved (unlock it to generate again)"


def save(take: Any) -> bool:
    """Write the take's review into its sidecar; False (and a log line) when the sidecar cannot be written."""
    path = bpy.path.abspath(take.sidecar_path)
    if not take.sidecar_path:
        return False
    try:
        write_review(path, Review(take.approved, take.rating, take.note))
    except (OSError, ValueError) as exc:
        log.write(f"Could not keep the review in {path}: {exc}")
        return False
    return True


def restore(take: Any, record: dict[str, Any]) -> None:
    """Set a recovered take's review from its sidecar record without writing the sidecar back."""
    review = review_of(record)
    take["approved"] = review.approved
    take["rating"] = review.rating
    take["note"] = review.note


def set_approved(obj: bpy.types.Object, index: int) -> None:
    """Approve take ``index`` (-1: none) and no other; every changed take's sidecar is updated."""
    for i, take in enumerate(obj.movie_director.takes):
        if take.approved != (i == index):
            take.approved = i == index
            save(take)


def target_shot(context: bpy.types.Context) -> bpy.types.Object | None:
    """The shot a review key acts on: the sequencer's active shot strip, else the active object if a shot."""
    return selection.context_shot(context)


def other_take(obj: bpy.types.Object) -> int:
    """The B of the A/B comparison: the take shown before the active one, else the newest other take."""
    shot = obj.movie_director
    count, active = len(shot.takes), shot.active_take_index
    if 0 <= shot.compare_take_index < count and shot.compare_take_index != active:
        return shot.compare_take_index
    others = [i for i in range(count) if i != active]
    return others[-1] if others else -1


def show(scene: bpy.types.Scene, obj: bpy.types.Object, index: int) -> str:
    """Make take ``index`` the active one and put it on the timeline; returns a note for the user ("" if none).

    Raises ``timeline.TimelineError`` when its clip is missing. The previously active take becomes
    the comparison take, so the A/B key goes back to it.
    """
    shot = obj.movie_director
    previous = shot.active_take_index
    if timeline.blocked():
        timeline.request_show(keys.shot_key(scene, obj), index)
        timer.ensure_timer()
        number = paths.number_of(shot.takes[index].filepath, index)
        note = f"Take {number} will be shown once the render or save is over"
    else:
        timeline.show_take(scene, obj, index)
        note = ""
    if previous != index and 0 <= previous < len(shot.takes):
        shot.compare_take_index = previous
    shot.active_take_index = index
    return note

