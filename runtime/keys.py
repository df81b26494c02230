"""Stable keys for scenes and shots.

Messages come back from a session seconds or minutes after a job was queued; by then objects may
have been renamed, deleted or the file closed. Jobs therefore carry ``"<scene_key>/<shot_id>"``
(both stored in the .blend) and the pump looks the shot up again, never holding a bpy object.
"""

from __future__ import annotations

import uuid

import bpy

from . import shot_state

#: shot_key -> (scene name, object name), verified on every use because names change.
_name_cache: dict[str, tuple[str, str]] = {}


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def scene_key(scene: bpy.types.Scene) -> str:
    """The scene's stable key, assigned on first use (writes data: never call from ``draw``).

    A copied scene carries its source's key; the copy (later in name order) gets a new one so the
    two never answer to the same shot keys.
    """
    settings = scene.movie_director
    key = settings.scene_key
    if key:
        owners = sorted(s.name for s in bpy.data.scenes if s.movie_director.scene_key == key)
        if owners[0] == scene.name:
            return key
    settings.scene_key = new_id()
    return settings.scene_key


def shot_key(scene: bpy.types.Scene, obj: bpy.types.Object) -> str:
    return f"{scene_key(scene)}/{obj.movie_director.shot_id}"


def split_key(key: str) -> tuple[str, str]:
    scene_part, _, shot_part = key.partition("/")
    return scene_part, shot_part


def ensure_unique_shot_ids(scene: bpy.types.Scene) -> list[bpy.types.Object]:
    """Give every shot of ``scene`` a shot_id no other shot there has; return the shots that changed.

    Duplicating an object copies its shot_id. The first object in name order keeps the id (the
    original "Camera" sorts before its copy "Camera.001"); the others become new shots with a clean
    generation state (their takes list is kept: those clips still exist).
    """
    changed = []
    seen: set[str] = set()
    for obj in sorted((o for o in scene.objects if o.movie_director.is_shot), key=lambda o: o.name):
        shot = obj.movie_director
        if shot.shot_id and shot.shot_id not in seen:
            seen.add(shot.shot_id)
            continue
        shot.shot_id = new_id()
        seen.add(shot.shot_id)
        shot_state.new_identity(shot)
        # The copy would otherwise draw its previews into the original's image.
        shot.preview_image = None
        changed.append(obj)
    return changed


def find_scene(key: str) -> bpy.types.Scene | None:
    for scene in bpy.data.scenes:
        if scene.movie_director.scene_key == key:
            return scene
    return None


def find_shot(key: str) -> tuple[bpy.types.Scene | None, bpy.types.Object | None]:
    """The scene and shot object for ``key``, or ``(None, None)`` when either no longer exists."""
    scene_part, shot_part = split_key(key)
    if not scene_part or not shot_part:
        return None, None
    cached = _name_cache.get(key)
    if cached:
        scene = bpy.data.scenes.get(cached[0])
        obj = scene.objects.get(cached[1]) if scene else None
        if (
            scene is not None and obj is not None
            and scene.movie_director.scene_key == scene_part
            and obj.movie_director.is_shot and obj.movie_director.shot_id == shot_part
        ):
            return scene, obj
        del _name_cache[key]
    scene = find_scene(scene_part)
    if scene is None:
        return None, None
    # One pass caches every shot of the scene: a batch looks up hundreds of shots, and one scan per
    # lookup would cost O(shots x objects) (seconds with 500 shots in a 10,000-object layout).
    found = None
    for obj in scene.objects:
        shot = obj.movie_director
        if shot.is_shot and shot.shot_id:
            _name_cache.setdefault(f"{scene_part}/{shot.shot_id}", (scene.name, obj.name))
            if shot.shot_id == shot_part and found is None:
                found = obj
    return (scene, found) if found is not None else (None, None)


def forget() -> None:
    """Drop the name cache (a new file was loaded)."""
    _name_cache.clear()
