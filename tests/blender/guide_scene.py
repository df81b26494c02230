"""A small layout for guide tests: a near box, a far wall, an animated camera and a walking actor whose
bones carry Blender's human metarig names (so the METARIG preset and AUTO map it)."""

from __future__ import annotations

import bpy
from mathutils import Vector

#: bone name -> (head, tail) in the armature's space; a standing figure 1.8 m tall facing -Y
ACTOR_BONES = {
    "spine": ((0, 0, 1.0), (0, 0, 1.3)),
    "spine.004": ((0, 0, 1.5), (0, 0, 1.6)),
    "spine.006": ((0, 0, 1.6), (0, 0, 1.8)),
    "upper_arm.L": ((0.2, 0, 1.45), (0.45, 0, 1.45)),
    "forearm.L": ((0.45, 0, 1.45), (0.7, 0, 1.45)),
    "hand.L": ((0.7, 0, 1.45), (0.8, 0, 1.45)),
    "upper_arm.R": ((-0.2, 0, 1.45), (-0.45, 0, 1.45)),
    "forearm.R": ((-0.45, 0, 1.45), (-0.7, 0, 1.45)),
    "hand.R": ((-0.7, 0, 1.45), (-0.8, 0, 1.45)),
    "thigh.L": ((0.1, 0, 1.0), (0.1, 0, 0.55)),
    "shin.L": ((0.1, 0, 0.55), (0.1, 0, 0.1)),
    "foot.L": ((0.1, 0, 0.1), (0.1, -0.15, 0.0)),
    "thigh.R": ((-0.1, 0, 1.0), (-0.1, 0, 0.55)),
    "shin.R": ((-0.1, 0, 0.55), (-0.1, 0, 0.1)),
    "foot.R": ((-0.1, 0, 0.1), (-0.1, -0.15, 0.0)),
}


def box(name: str, location: tuple[float, float, float], size: float) -> bpy.types.Object:
    mesh = bpy.data.meshes.new(name)
    h = size / 2
    verts = [(x, y, z) for x in (-h, h) for y in (-h, h) for z in (-h, h)]
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    mesh.from_pydata(verts, [], faces)
    obj = bpy.data.objects.new(name, mesh)
    obj.location = location
    bpy.context.scene.collection.objects.link(obj)
    return obj


def actor(name: str = "Actor", location=(1.5, 4.0, 0.0), walk: float = 1.0, frames=(1, 24)) -> bpy.types.Object:
    data = bpy.data.armatures.new(name)
    obj = bpy.data.objects.new(name, data)
    bpy.context.scene.collection.objects.link(obj)
    obj.location = location
    view_layer = bpy.context.view_layer
    previous = view_layer.objects.active
    view_layer.objects.active = obj
    bpy.ops.object.mode_set(mode="EDIT")
    for bone_name, (head, tail) in ACTOR_BONES.items():
        bone = data.edit_bones.new(bone_name)
        bone.head, bone.tail = Vector(head), Vector(tail)
    bpy.ops.object.mode_set(mode="OBJECT")
    view_layer.objects.active = previous
    if walk:
        obj.keyframe_insert("location", frame=frames[0])
        obj.location.x -= walk
        obj.keyframe_insert("location", frame=frames[1])
        obj.location.x += walk
    return obj


def layout(camera: bpy.types.Object, frames=(1, 24), with_actor: bool = True) -> dict[str, bpy.types.Object]:
    """Place ``camera`` looking down +Y at a near box and a far wall; dolly it over ``frames``."""
    scene = bpy.context.scene
    near = box("NearBox", (-1.0, 2.0, 1.0), 1.0)
    far = box("FarWall", (0.0, 14.0, 2.0), 8.0)
    camera.location = (0.0, -4.0, 1.5)
    camera.rotation_euler = (1.5708, 0.0, 0.0)
    camera.keyframe_insert("location", frame=frames[0])
    camera.location.y += 0.5
    camera.keyframe_insert("location", frame=frames[1])
    camera.location.y -= 0.5
    scene.frame_set(frames[0])
    out = {"near": near, "far": far}
    if with_actor:
        out["actor"] = actor(frames=frames)
    return out
