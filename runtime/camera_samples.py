"""The shot camera over the shot's frames, as plain samples the toolkit turns into camera language."""

from __future__ import annotations

import bpy
from bpy_extras.object_utils import world_to_camera_view
from mathutils import Vector

from ..wangp_backend.spec import CameraSample

SAMPLE_COUNT = 12
#: Objects looked at when the centre ray hits nothing; a huge scene is cut short to stay fast.
MAX_OBJECTS_IN_VIEW = 2000
_GEOMETRY = {"MESH", "CURVE", "SURFACE", "META", "FONT", "VOLUME", "CURVES", "POINTCLOUD"}


def shot_camera(scene: bpy.types.Scene, obj: bpy.types.Object) -> bpy.types.Object | None:
    """The shot itself when it is a camera, else the scene camera."""
    return obj if obj.type == "CAMERA" else scene.camera


def sample_frames(frame_start: int, frame_end: int, count: int = SAMPLE_COUNT) -> list[int]:
    """Up to ``count`` evenly spread frames from start to end, both included."""
    if frame_end <= frame_start:
        return [frame_start]
    span = frame_end - frame_start
    count = max(2, min(count, span + 1))
    return sorted({frame_start + round(i * span / (count - 1)) for i in range(count)})


def _depsgraph(context: bpy.types.Context, scene: bpy.types.Scene) -> bpy.types.Depsgraph:
    if scene == context.scene:
        return context.evaluated_depsgraph_get()
    return scene.view_layers[0].depsgraph


def _subject_distance(
    scene: bpy.types.Scene, depsgraph: bpy.types.Depsgraph, camera: bpy.types.Object, origin: Vector, forward: Vector
) -> float | None:
    """Distance to what the camera looks at: the centre ray's hit, else the nearest object in view."""
    hit, location, *_ = scene.ray_cast(depsgraph, origin, forward)
    if hit:
        return (location - origin).length
    nearest = None
    for index, obj in enumerate(scene.objects):
        if index >= MAX_OBJECTS_IN_VIEW:
            break
        if obj == camera or obj.type not in _GEOMETRY:
            continue
        position = obj.evaluated_get(depsgraph).matrix_world.translation
        x, y, z = world_to_camera_view(scene, camera, position)
        if z > 0 and 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0:
            distance = (position - origin).length
            nearest = distance if nearest is None else min(nearest, distance)
    return nearest


def sample_camera(
    context: bpy.types.Context, scene: bpy.types.Scene, camera: bpy.types.Object, frame_start: int, frame_end: int
) -> tuple[CameraSample, ...]:
    """Sample ``camera`` over the frames; the scene's current frame is restored afterwards."""
    current, subframe = scene.frame_current, scene.frame_subframe
    samples = []
    try:
        for frame in sample_frames(frame_start, frame_end):
            scene.frame_set(frame)
            depsgraph = _depsgraph(context, scene)
            evaluated = camera.evaluated_get(depsgraph)
            matrix = evaluated.matrix_world
            rotation = matrix.to_3x3()
            origin = matrix.translation.copy()
            forward = (-rotation.col[2]).normalized()
            data = evaluated.data if camera.type == "CAMERA" else None
            samples.append(
                CameraSample(
                    frame=frame,
                    location=tuple(origin),
                    forward=tuple(forward),
                    up=tuple(rotation.col[1].normalized()),
                    right=tuple(rotation.col[0].normalized()),
                    focal_length_mm=float(data.lens) if data else 50.0,
                    sensor_width_mm=float(data.sensor_width) if data else 36.0,
                    subject_distance=_subject_distance(scene, depsgraph, camera, origin, forward),
                )
            )
    finally:
        scene.frame_set(current, subframe=subframe)
    return tuple(samples)
