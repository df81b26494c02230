"""Which objects of a scene are shots, for what is drawn on every redraw (panels, operator polls).

A scene has a few dozen or hundred shots among thousands of set objects; scanning every object on
each redraw of the sidebar (the pump asks for one each tick while anything generates) costs the
main thread O(objects) per button. The names are cached per scene for a moment: a poll or a panel
that is a second late to notice a new shot or a failure is harmless, the operators check again.
"""

from __future__ import annotations

import time

import bpy

#: Seconds a scene's shot list is reused.
TTL_S = 1.0

#: scene name -> (when, number of objects, shot object names in the scene's order)
_cache: dict[str, tuple[float, int, tuple[str, ...]]] = {}


def shot_names(scene: bpy.types.Scene) -> tuple[str, ...]:
    objects = scene.objects
    count = len(objects)
    cached = _cache.get(scene.name)
    now = time.monotonic()
    if cached is not None and cached[1] == count and now - cached[0] < TTL_S:
        return cached[2]
    names = tuple(o.name for o in objects if o.movie_director.is_shot)
    _cache[scene.name] = (now, count, names)
    return names


def shots(scene: bpy.types.Scene) -> list[bpy.types.Object]:
    """The scene's shot objects (names renamed or deleted within the cache's moment are skipped)."""
    objects = scene.objects
    found = (objects.get(name) for name in shot_names(scene))
    return [o for o in found if o is not None and o.movie_director.is_shot]


def has_shots(scene: bpy.types.Scene) -> bool:
    return bool(shots(scene))


def any_failed(scene: bpy.types.Scene) -> bool:
    return any(o.movie_director.generation_status == "failed" for o in shots(scene))


def forget() -> None:
    _cache.clear()
