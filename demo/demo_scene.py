"""The demo's layout: a small plaza with three "characters" and three camera shots.

Plain data API only (no ``bpy.ops`` for geometry), so it builds the same in every Blender version
and needs no 3D View. Colours are material viewport colours: Workbench (the layout animatic) shows
them, and they make the set readable in any viewport.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import bpy
from mathutils import Vector

FPS = 24


@dataclass(frozen=True)
class ShotPlan:
    """One camera shot of the demo: where the camera goes and what the shot should show."""

    name: str
    frame_start: int
    frame_end: int
    #: camera locations at the first and last frame (equal for a static shot)
    path: tuple[tuple[float, float, float], tuple[float, float, float]]
    #: the points the camera looks at on the first and last frame (differ for a pan)
    aim: tuple[tuple[float, float, float], tuple[float, float, float]]
    lens_mm: float
    camera_moves: frozenset[str]
    prompt: str
    #: Object.movie_director.guide and .keyframes (the layout drives the video), and the model that takes them
    guide: str = "NONE"
    keyframes: str = "NONE"
    model_type: str = ""


SHOTS: tuple[ShotPlan, ...] = (
    ShotPlan(
        name="SH010_DollyIn",
        frame_start=1,
        frame_end=48,
        path=((0.0, -15.0, 1.7), (0.0, -6.0, 1.5)),
        aim=((0.0, 0.0, 1.1), (0.0, 0.0, 1.1)),
        lens_mm=40.0,
        camera_moves=frozenset({"dolly_in"}),
        prompt="A small orange robot waits alone in a quiet stone plaza at dusk while a traveller walks past",
        guide="DEPTH_POSE",
        # LTX-2 takes a rendered depth/pose video (with its union-control IC-LoRA).
        model_type="ltx2_22B_distilled",
    ),
    ShotPlan(
        name="SH020_Pan",
        frame_start=49,
        frame_end=84,
        path=((3.0, -11.0, 1.6), (3.0, -11.0, 1.6)),
        aim=((-4.0, 0.0, 1.0), (5.0, 1.0, 1.0)),
        lens_mm=32.0,
        camera_moves=frozenset({"pan_right"}),
        prompt="A blue cone-shaped companion rolls across the plaza towards the robot past a wooden crate",
        keyframes="FIRST",
        # Wan image-to-video: the still rendered through the camera at the first frame is its start image.
        model_type="i2v",
    ),
    ShotPlan(
        name="SH030_Static",
        frame_start=85,
        frame_end=144,
        path=((9.0, -9.0, 5.0), (9.0, -9.0, 5.0)),
        aim=((0.0, 0.0, 0.5), (0.0, 0.0, 0.5)),
        lens_mm=35.0,
        camera_moves=frozenset({"static"}),
        prompt="Wide shot of the two friends meeting by the tall stone pillar as the lights of the plaza come on",
    ),
)


def clear_data() -> None:
    """Remove the startup file's objects, meshes, cameras and lights (the demo builds its own)."""
    for collection in (bpy.data.objects, bpy.data.meshes, bpy.data.cameras, bpy.data.lights):
        for block in list(collection):
            collection.remove(block)


def build_set(scene: bpy.types.Scene) -> None:
    """Frame rate, output size, world, ground, three characters and a sun."""
    scene.render.fps, scene.render.fps_base = FPS, 1.0
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 1280, 720, 100
    scene.frame_start, scene.frame_end = SHOTS[0].frame_start, SHOTS[-1].frame_end
    world = bpy.data.worlds.new("Dusk")
    world.color = (0.42, 0.5, 0.62)
    scene.world = world

    set_collection = _collection(scene, "Set")
    cast = _collection(scene, "Characters")
    _box(set_collection, "Ground", (0, 0, -0.05), (30, 30, 0.1), (0.32, 0.36, 0.3))
    _box(set_collection, "Crate", (-3.0, 2.5, 0.6), (1.2, 1.2, 1.2), (0.45, 0.3, 0.15))
    _cylinder(set_collection, "Pillar", (4.0, 4.0, 0.0), radius=0.6, height=6.0, colour=(0.7, 0.68, 0.62))
    _cylinder(cast, "Robot_Body", (0.0, 0.0, 0.0), radius=0.45, height=1.3, colour=(0.95, 0.45, 0.1))
    _box(cast, "Robot_Head", (0.0, 0.0, 1.6), (0.6, 0.5, 0.5), (0.95, 0.6, 0.2))
    _cone(cast, "Companion", (2.5, -1.0, 0.0), radius=0.5, height=1.1, colour=(0.15, 0.35, 0.9))

    sun = bpy.data.objects.new("Sun", bpy.data.lights.new("Sun", type="SUN"))
    sun.rotation_euler = (math.radians(50), 0.0, math.radians(30))
    set_collection.objects.link(sun)


def build_cameras(scene: bpy.types.Scene) -> list[bpy.types.Object]:
    """One animated camera per :data:`SHOTS` entry, keyed on the shot's first and last frame."""
    cameras = _collection(scene, "Cameras")
    made = []
    for plan in SHOTS:
        data = bpy.data.cameras.new(plan.name)
        data.lens = plan.lens_mm
        camera = bpy.data.objects.new(plan.name, data)
        cameras.objects.link(camera)
        for frame, location, aim in zip((plan.frame_start, plan.frame_end), plan.path, plan.aim, strict=True):
            camera.location = location
            camera.rotation_euler = _look_at(Vector(location), Vector(aim))
            camera.keyframe_insert("location", frame=frame)
            camera.keyframe_insert("rotation_euler", frame=frame)
        made.append(camera)
    scene.camera = made[0]
    return made


#: A walker's bones, named like Blender's human metarig (the Pose guide maps them with its preset):
#: name -> (head, tail) in the armature's space, standing 1.8 m tall.
WALKER_BONES = {
    "spine": ((0, 0, 1.0), (0, 0, 1.3)), "spine.004": ((0, 0, 1.5), (0, 0, 1.6)),
    "spine.006": ((0, 0, 1.6), (0, 0, 1.8)),
    "upper_arm.L": ((0.2, 0, 1.45), (0.2, 0, 1.2)), "forearm.L": ((0.2, 0, 1.2), (0.2, 0, 0.95)),
    "hand.L": ((0.2, 0, 0.95), (0.2, 0, 0.85)),
    "upper_arm.R": ((-0.2, 0, 1.45), (-0.2, 0, 1.2)), "forearm.R": ((-0.2, 0, 1.2), (-0.2, 0, 0.95)),
    "hand.R": ((-0.2, 0, 0.95), (-0.2, 0, 0.85)),
    "thigh.L": ((0.1, 0, 1.0), (0.1, 0, 0.55)), "shin.L": ((0.1, 0, 0.55), (0.1, 0, 0.1)),
    "foot.L": ((0.1, 0, 0.1), (0.1, -0.15, 0.0)),
    "thigh.R": ((-0.1, 0, 1.0), (-0.1, 0, 0.55)), "shin.R": ((-0.1, 0, 0.55), (-0.1, 0, 0.1)),
    "foot.R": ((-0.1, 0, 0.1), (-0.1, -0.15, 0.0)),
}


def build_walker(scene: bpy.types.Scene) -> bpy.types.Object:
    """An armature walking across the plaza (legs and arms swinging), for the Pose guide.

    Bones can only be made in edit mode, so this is the one place the demo uses an operator.
    """
    data = bpy.data.armatures.new("Walker")
    walker = bpy.data.objects.new("Walker", data)
    _collection(scene, "Walker").objects.link(walker)
    view_layer = bpy.context.view_layer
    previous = view_layer.objects.active
    view_layer.objects.active = walker
    bpy.ops.object.mode_set(mode="EDIT")
    for name, (head, tail) in WALKER_BONES.items():
        bone = data.edit_bones.new(name)
        bone.head, bone.tail = Vector(head), Vector(tail)
    bpy.ops.object.mode_set(mode="OBJECT")
    view_layer.objects.active = previous
    first, last = SHOTS[0].frame_start, SHOTS[-1].frame_end
    walker.rotation_euler = (0.0, 0.0, math.radians(-90))  # faces +X, its walking direction
    for frame, x in ((first, -4.0), (last, 4.0)):
        walker.location = (x, -1.5, 0.0)
        walker.keyframe_insert("location", frame=frame)
    for frame in range(first, last + 1, 12):
        swing = math.radians(25 if (frame // 12) % 2 else -25)
        for bone, sign in (("thigh.L", 1), ("thigh.R", -1), ("upper_arm.L", -1), ("upper_arm.R", 1)):
            pose_bone = walker.pose.bones[bone]
            pose_bone.rotation_mode = "XYZ"
            pose_bone.rotation_euler = (sign * swing, 0.0, 0.0)
            pose_bone.keyframe_insert("rotation_euler", frame=frame)
    return walker


def _look_at(eye: Vector, target: Vector):
    return (target - eye).to_track_quat("-Z", "Y").to_euler()


def _collection(scene: bpy.types.Scene, name: str) -> bpy.types.Collection:
    collection = bpy.data.collections.new(name)
    scene.collection.children.link(collection)
    return collection


def _material(name: str, colour: tuple[float, float, float]) -> bpy.types.Material:
    material = bpy.data.materials.new(name)
    material.diffuse_color = (*colour, 1.0)
    return material


def _add(collection: bpy.types.Collection, name: str, verts, faces, location, colour) -> bpy.types.Object:
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts, [], faces)
    mesh.materials.append(_material(name, colour))
    obj = bpy.data.objects.new(name, mesh)
    obj.location = location
    collection.objects.link(obj)
    return obj


def _box(collection, name, location, size, colour) -> bpy.types.Object:
    sx, sy, sz = (s / 2 for s in size)
    verts = [(x, y, z) for x in (-sx, sx) for y in (-sy, sy) for z in (-sz, sz)]
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    return _add(collection, name, verts, faces, location, colour)


def _ring(radius: float, z: float, sides: int) -> list[tuple[float, float, float]]:
    return [(radius * math.cos(2 * math.pi * i / sides), radius * math.sin(2 * math.pi * i / sides), z)
            for i in range(sides)]


def _cylinder(collection, name, location, radius, height, colour, sides: int = 24) -> bpy.types.Object:
    verts = _ring(radius, 0.0, sides) + _ring(radius, height, sides)
    faces = [(i, (i + 1) % sides, sides + (i + 1) % sides, sides + i) for i in range(sides)]
    faces += [tuple(reversed(range(sides))), tuple(range(sides, 2 * sides))]
    return _add(collection, name, verts, faces, location, colour)


def _cone(collection, name, location, radius, height, colour, sides: int = 24) -> bpy.types.Object:
    verts = _ring(radius, 0.0, sides) + [(0.0, 0.0, height)]
    faces = [(i, (i + 1) % sides, sides) for i in range(sides)] + [tuple(reversed(range(sides)))]
    return _add(collection, name, verts, faces, location, colour)


#: The demo's one character and its line: the robot, seen in the first shot, says something there.
CHARACTER = "Robot"
LINE_FRAMES = (13, 48)


def build_cast(scene: bpy.types.Scene, media_dir: str) -> tuple[str, str]:
    """The robot as a character with a reference image, and a line of dialogue (a generated tone) under the
    first shot; returns the image and sound paths ("" for the sound on a Blender without audio)."""
    import wave

    import numpy as np

    os.makedirs(media_dir, exist_ok=True)
    image_path = os.path.join(media_dir, "robot_reference.png")
    image = bpy.data.images.new("robot_reference", 64, 64)
    pixels = np.tile(np.array([0.95, 0.45, 0.1, 1.0], dtype=np.float32), (64, 64, 1))
    pixels[40:52, 16:48] = (0.95, 0.6, 0.2, 1.0)  # the head
    image.pixels.foreach_set(pixels.ravel())
    image.filepath_raw, image.file_format = image_path, "PNG"
    image.save()
    bpy.data.images.remove(image)

    sound_path = os.path.join(media_dir, "robot_line.wav")
    seconds = (LINE_FRAMES[1] - LINE_FRAMES[0] + 1) / FPS
    t = np.arange(int(seconds * 16000)) / 16000
    voice = np.sin(2 * np.pi * 220 * t) * np.sin(np.pi * 3 * t) ** 2  # a rising and falling "sentence"
    with wave.open(sound_path, "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(16000)
        fh.writeframes((voice * 12000).astype("<i2").tobytes())

    bpy.ops.movie_director.add_character(name=CHARACTER, description="a small orange robot")
    character = scene.movie_director.cast[-1]
    character.target = bpy.data.objects["Robot_Body"]
    # Blend-relative ("//demo_media/..."), like everything the add-on keeps: demo_out can be moved or shared.
    character.images.add().filepath = bpy.path.relpath(image_path)
    if not getattr(bpy.app.build_options, "audaspace", True):
        return image_path, ""  # a Blender without audio: the line cannot be a strip
    editor = scene.sequence_editor or scene.sequence_editor_create()
    strips = editor.strips if hasattr(editor, "strips") else editor.sequences  # 5.x renamed the collection
    strips.new_sound(name=f"{CHARACTER} line", filepath=bpy.path.relpath(sound_path), channel=6,
                     frame_start=LINE_FRAMES[0])
    return image_path, sound_path
