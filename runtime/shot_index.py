"""Which objects of a scene are shots, for what is drawn on every redraw (panels, operator polls).

A scene has a few dozen or hundred shots among thousands of set objects; scanning every object on
each redraw of the sidebar (the pump asks for one each tick while anything generates) costs the
main thread O(objects) per button, and a lookup by name is a scan too (``objects.get``: 2-3 ms
with 10,000 objects). So one scan notes the shots and whether any failed, and it is reused: what
changes the answers says so (marking a shot in ``properties``, a take or a job's end in the pump call
:func:`forget`), a new object is noticed by the file's object count (looked at every
:data:`RECHECK_S`: even counting is O(objects), and ``len(scene.objects)`` walks the scene's whole
collection tree), and a scan older than :data:`TTL_S` is made again (a poll or a panel a moment late is
harmless, the operators check again).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import bpy

from ..wangp_backend.states import ShotStatus

#: Seconds a scene's scan is reused at most.
TTL_S = 2.0
#: Seconds between two looks at the file's object count (a new object may be a duplicated shot).
RECHECK_S = 0.25


@dataclass(frozen=True)
class _Scan:
    when: float
    object_count: int
    names: tuple[str, ...]
    any_failed: bool
    any_takes: bool


#: scene name -> its last scan
_cache: dict[str, _Scan] = {}
#: scene name -> when the object count was last looked at
_checked: dict[str, float] = {}


def _scan(scene: bpy.types.Scene) -> _Scan:
    cached = _cache.get(scene.name)
    now = time.monotonic()
    if cached is not None and now - cached.when < TTL_S:
        if now - _checked.get(scene.name, 0.0) < RECHECK_S:
            return cached
        _checked[scene.name] = now
        if len(bpy.data.objects) == cached.object_count:
            return cached
    count = len(bpy.data.objects)
    _checked[scene.name] = now
    names, failed, takes = [], False, False
    for obj in scene.objects:
        shot = obj.movie_director
        if shot.is_shot:
            names.append(obj.name)
            failed = failed or shot.generation_status == ShotStatus.FAILED
            takes = takes or len(shot.takes) > 0
    scan = _Scan(now, count, tuple(names), failed, takes)
    _cache[scene.name] = scan
    return scan


def shot_names(scene: bpy.types.Scene) -> tuple[str, ...]:
    return _scan(scene).names


def has_shots(scene: bpy.types.Scene) -> bool:
    return bool(_scan(scene).names)


def any_failed(scene: bpy.types.Scene) -> bool:
    return _scan(scene).any_failed


def any_takes(scene: bpy.types.Scene) -> bool:
    return _scan(scene).any_takes

def timeline_shots(scene: bpy.types.Scene) -> list[bpy.types.Object]:
    """The scene's shots in timeline order."""
    shots = [o for o in scene.objects if o.movie_director.is_shot]
    return sorted(shots, key=lambda o: (o.movie_director.frame_start, o.name))


def forget() -> None:
    _cache.clear()
    _checked.clear()
