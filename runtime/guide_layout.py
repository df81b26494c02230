"""Read a guided shot's layout on the main thread: what the guide worker needs, a fingerprint of
everything that feeds the guide, and one clear sentence when the scene cannot give one.

Nothing here steps the timeline (``frame_set`` re-evaluates the whole scene per frame); the fingerprint
reads animation data directly: for each F-curve, the keys inside the shot's range plus the one on each
side (they shape the interpolation inside it). So moving a key in another shot's range leaves this
shot's fingerprint, and its cached guide, as they are. Static objects count wherever they are.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import bpy
import numpy as np

from ..render import bonemaps
from ..render.job import KEYPOINTS
from . import camera_samples

#: Meshes up to this many vertices have their vertex positions hashed (an edited prop moves the
#: guide); bigger ones count by topology size only, so a huge set costs nothing per click.
HASH_VERTICES_MAX = 50_000
_POSE_MODES = ("POSE", "DEPTH_POSE")
_MOTION_MODES = ("DEPTH", "POSE", "DEPTH_POSE", "LINEART", "ANIMATIC")


class GuideSceneError(Exception):
    """The scene cannot give the shot's guide; the message says what to fix."""


@dataclass(frozen=True)
class GuidePlan:
    """A guided shot as plain values, read at the click (the worker renders a copy saved then)."""

    scene: str
    camera: str
    mode: str
    keyframes: str
    frame_start: int
    frame_end: int
    scene_fps: float
    layout_hash: str
    #: scene frames of the camera's own keys inside the range (Keyframes: Camera Keys)
    camera_keys: tuple[float, ...] = ()
    #: "first" / "last" -> the user's own keyframe image (absolute path)
    overrides: dict[str, str] = field(default_factory=dict)
    bone_maps: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: the saved copy of the .blend the worker renders ("" until written)
    blend: str = ""


def wants_guide(shot: Any) -> bool:
    return shot.guide != "NONE" or shot.keyframes != "NONE"


def read_plan(scene: bpy.types.Scene, obj: bpy.types.Object) -> GuidePlan:
    """The shot's guide plan; raises :class:`GuideSceneError` for a scene that cannot give it."""
    shot = obj.movie_director
    name = obj.name
    if shot.frame_end < shot.frame_start:
        raise GuideSceneError(f"{name} has an empty frame range ({shot.frame_start}-{shot.frame_end}): "
                              "set its end after its start")
    camera = camera_samples.shot_camera(scene, obj)
    if camera is None or camera.type != "CAMERA":
        raise GuideSceneError(f"{name} has no camera to render its guide through: make a camera the shot, "
                              "or set the scene's camera")
    objects = [o for o in scene.objects if not o.hide_render]
    if shot.guide in _MOTION_MODES and not _moves(camera) and not any(_moves(o) for o in objects):
        raise GuideSceneError(
            f"{name}'s guide would be a still picture: neither camera '{camera.name}' nor anything in the scene "
            f"is animated over frames {shot.frame_start}-{shot.frame_end}; animate the camera or an actor, "
            "or set Guide to None")
    bone_maps = _bone_maps(shot, objects) if shot.guide in _POSE_MODES else {}
    overrides = {}
    for role, raw in (("first", shot.keyframe_first_image), ("last", shot.keyframe_last_image)):
        if raw and shot.keyframes != "NONE":
            path = os.path.abspath(bpy.path.abspath(raw))
            if not os.path.isfile(path):
                raise GuideSceneError(f"{name}'s {role} keyframe image is missing: {path}")
            overrides[role] = path
    camera_keys = tuple(_key_frames(camera, shot.frame_start, shot.frame_end)) if shot.keyframes == "CAMERA_KEYS" \
        else ()
    if shot.keyframes == "CAMERA_KEYS" and not camera_keys:
        raise GuideSceneError(f"Camera '{camera.name}' has no keyframes in frames {shot.frame_start}-"
                              f"{shot.frame_end}: key the camera, or choose First or First and Last keyframes")
    fps = scene.render.fps / (scene.render.fps_base or 1.0)
    digest = layout_hash(scene, camera, objects, shot.frame_start, shot.frame_end)
    return GuidePlan(
        scene=scene.name, camera=camera.name, mode=shot.guide, keyframes=shot.keyframes,
        frame_start=shot.frame_start, frame_end=shot.frame_end, scene_fps=fps, layout_hash=digest,
        camera_keys=camera_keys, overrides=overrides, bone_maps=bone_maps,
    )


def _bone_maps(shot: Any, objects: list[bpy.types.Object]) -> dict[str, dict[str, list[str]]]:
    armatures = [o for o in objects if o.type == "ARMATURE"]
    if not armatures:
        raise GuideSceneError(f"Pose guide: the scene has no armature to draw skeletons from; add a rig or "
                              f"choose the Depth guide ({shot.id_data.name})")
    maps: dict[str, dict[str, list[str]]] = {}
    for armature in armatures:
        names = [bone.name for bone in armature.data.bones]
        if shot.pose_rig == "AUTO":
            found = bonemaps.auto(names)[1]
        elif shot.pose_rig == "CUSTOM":
            found = {item.keypoint: [item.bone, "tail" if item.use_tail else "head"]
                     for item in shot.pose_bone_map if item.bone in names}
        else:
            found = bonemaps.resolve(names, bonemaps.PRESETS[shot.pose_rig])
        if bonemaps.mappable(found):
            maps[armature.name] = {key: found[key] for key in KEYPOINTS if key in found}
    if not maps:
        missing = ", ".join(bonemaps.CORE)
        raise GuideSceneError(
            f"Pose guide: no armature's bones map to a skeleton ({', '.join(a.name for a in armatures)}); "
            f"choose its Pose Rig preset, or map at least {missing} under Custom")
    return maps


def _moves(obj: bpy.types.Object) -> bool:
    """Whether the object (or a parent) is animated or constrained."""
    while obj is not None:
        animation = obj.animation_data
        if animation is not None and (animation.action is not None or len(animation.nla_tracks) or
                                      len(animation.drivers)):
            return True
        if len(obj.constraints):
            return True
        obj = obj.parent
    return False


def action_fcurves(animation: Any) -> Iterator[Any]:
    """The F-curves of an object's action: 4.2 keeps them on the action, 4.4+ in layered channelbags."""
    action = animation.action if animation is not None else None
    if action is None:
        return
    if hasattr(action, "layers") and len(action.layers):
        for layer in action.layers:
            for strip in layer.strips:
                for bag in getattr(strip, "channelbags", ()):
                    yield from bag.fcurves
        return
    yield from getattr(action, "fcurves", ())


def _key_frames(camera: bpy.types.Object, start: int, end: int) -> list[float]:
    frames: set[float] = set()
    for fcurve in action_fcurves(camera.animation_data):
        for point in fcurve.keyframe_points:
            if start <= point.co.x <= end:
                frames.add(float(point.co.x))
    return sorted(frames)


def scene_hash(scene: bpy.types.Scene) -> str:
    """A fingerprint of the whole scene (every key of every curve): it names the saved copy, so unchanged
    scenes share one copy across clicks and the shots of a batch."""
    digest = hashlib.sha256(repr((scene.name, scene.render.engine, bpy.data.filepath)).encode())
    objects = sorted(scene.objects, key=lambda o: o.name)
    digest.update(repr([o.hide_render for o in objects]).encode())
    _objects(digest, objects, -(2**31), 2**31)
    return digest.hexdigest()[:24]


def layout_hash(scene: bpy.types.Scene, camera: bpy.types.Object, objects: Iterable[bpy.types.Object],
                start: int, end: int) -> str:
    """A fingerprint of what the guide shows over frames ``start``-``end``."""
    digest = hashlib.sha256()
    render = scene.render
    digest.update(repr((start, end, render.fps, render.fps_base, render.engine, scene.world.name if scene.world
                        else "")).encode())
    data = camera.data
    digest.update(repr((camera.name, data.type, data.lens, data.sensor_width, data.sensor_height, data.sensor_fit,
                        data.shift_x, data.shift_y, data.clip_start, data.clip_end, data.ortho_scale)).encode())
    _objects(digest, sorted(objects, key=lambda o: o.name), start, end)
    return digest.hexdigest()


def _objects(digest: Any, objects: list[bpy.types.Object], start: int, end: int) -> None:
    """Hash many objects with few Python calls each: plain attributes in one repr, shared meshes once."""
    seen_data: set[int] = set()
    rows = []
    for obj in objects:
        parent = obj.parent
        rows.append((obj.name, obj.type, parent.name if parent else "", obj.parent_bone,
                     obj.data.name if obj.data else "", [s.name for s in obj.material_slots]))
        if parent is not None:
            digest.update(_floats(v for row in obj.matrix_parent_inverse for v in row))
        if len(obj.constraints):
            digest.update(repr([(c.type, getattr(getattr(c, "target", None), "name", ""))
                                for c in obj.constraints]).encode())
        animated = False
        if obj.animation_data is not None:
            for fcurve in action_fcurves(obj.animation_data):
                animated = True
                _fcurve(digest, fcurve, start, end)
        if not animated:
            digest.update(_floats(v for row in obj.matrix_basis for v in row))
        data = obj.data
        if data is not None and data.as_pointer() not in seen_data:
            seen_data.add(data.as_pointer())
            _data(digest, obj)
        elif obj.type == "ARMATURE" and obj.pose is not None:
            _pose(digest, obj)
    digest.update(repr(rows).encode())


def _data(digest: Any, obj: bpy.types.Object) -> None:
    if obj.type == "MESH":
        mesh = obj.data
        digest.update(repr((len(mesh.vertices), len(mesh.polygons), len(obj.modifiers))).encode())
        if len(mesh.vertices) <= HASH_VERTICES_MAX:
            co = np.empty(len(mesh.vertices) * 3, np.float32)
            mesh.vertices.foreach_get("co", co)
            digest.update(co.tobytes())
    elif obj.type == "ARMATURE":
        bones = obj.data.bones
        heads = np.empty(len(bones) * 3, np.float32)
        tails = np.empty(len(bones) * 3, np.float32)
        bones.foreach_get("head_local", heads)
        bones.foreach_get("tail_local", tails)
        digest.update(heads.tobytes() + tails.tobytes())
        if obj.pose is not None:
            _pose(digest, obj)


def _pose(digest: Any, obj: bpy.types.Object) -> None:
    basis = np.empty(len(obj.pose.bones) * 16, np.float32)
    obj.pose.bones.foreach_get("matrix_basis", basis)
    digest.update(basis.tobytes())


def _fcurve(digest: Any, fcurve: Any, start: int, end: int) -> None:
    """The keys that shape the curve over the range: those inside it and one on each side."""
    count = len(fcurve.keyframe_points)
    digest.update(repr((fcurve.data_path, fcurve.array_index, fcurve.extrapolation, len(fcurve.modifiers),
                        count)).encode())
    if not count:
        return
    keys = np.empty(count * 2, np.float32)
    left = np.empty(count * 2, np.float32)
    right = np.empty(count * 2, np.float32)
    points = fcurve.keyframe_points
    points.foreach_get("co", keys)
    points.foreach_get("handle_left", left)
    points.foreach_get("handle_right", right)
    frames = keys[0::2]
    first = max(0, int(np.searchsorted(frames, start, side="left")) - 1)
    last = min(count, int(np.searchsorted(frames, end, side="right")) + 1)
    for array in (keys, left, right):
        digest.update(array[first * 2:last * 2].tobytes())
    digest.update(repr([p.interpolation for p in points[first:last]]).encode())


def _floats(values: Iterable[float]) -> bytes:
    items = list(values)
    return struct.pack(f"<{len(items)}f", *items)
