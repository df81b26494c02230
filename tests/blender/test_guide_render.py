"""The guide render room on its own: the worker script in a separate Python, on a saved copy of a layout.

Files are checked for what the model needs (frame count, size, fps) and for what they show: depth
polarity (the near box brighter than the wall behind it and than the sky) and pose joints at the
camera-projected bone positions.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import bpy
import guide_scene
import numpy as np
import pytest
from bpy_extras.object_utils import world_to_camera_view
from conftest import MODULE
from video_frames import read_video

render_job = importlib.import_module(f"{MODULE}.render.job")
bonemaps = importlib.import_module(f"{MODULE}.render.bonemaps")

W, H = 64, 48


@pytest.fixture
def layout(fresh_scene, tmp_path):
    camera = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
    fresh_scene.collection.objects.link(camera)
    objects = guide_scene.layout(camera)
    blend = str(tmp_path / "copy.blend")
    bpy.ops.wm.save_as_mainfile(filepath=blend, copy=True)
    return fresh_scene, camera, objects, blend


def run_worker(md, tmp_path, blend: str, mode: str, **values):
    from_render = render_job
    bone_maps = values.pop("bone_maps", {})
    job = from_render.GuideJob(
        scene="Scene", camera="Cam", mode=mode, frame_start=1, scene_fps=24.0, width=values.pop("width", W),
        height=values.pop("height", H), fps=16.0, frame_count=values.pop("frame_count", 5),
        control_path=str(tmp_path / f"{mode}.mp4") if mode != "NONE" else "", bone_maps=bone_maps, blend=blend,
        work_dir=str(tmp_path / f"work_{mode}"), **values,
    )
    job_file = tmp_path / f"{mode}.json"
    job_file.write_text(job.to_json())
    worker = os.path.join(os.path.dirname(md.__file__), "render", "worker.py")
    done = subprocess.run([sys.executable, worker, "--", str(job_file)], capture_output=True, text=True, timeout=300)
    events = [e for e in map(from_render.parse_event, done.stdout.splitlines()) if e]
    return job, done.returncode, events


def pixel(scene, camera, world, width, height, frame=1):
    scene.frame_set(frame)
    co = world_to_camera_view(scene, camera, world)
    return int(co.x * width), int((1.0 - co.y) * height)  # top-down row for decoded frames


def test_depth_files_and_polarity(md, layout, tmp_path):
    scene, camera, objects, blend = layout
    job, code, events = run_worker(md, tmp_path, blend, "DEPTH")
    assert code == 0, events
    assert events[-1]["kind"] == "done"
    assert [e["done"] for e in events if e["kind"] == "progress"] == [1, 2, 3, 4, 5]
    frames, meta = read_video(job.control_path)
    assert frames.shape == (5, H, W, 3) and meta["fps"] == 16.0
    scene.render.resolution_x, scene.render.resolution_y = W, H
    near_x, near_y = pixel(scene, camera, objects["near"].location, W, H)
    wall_x, wall_y = pixel(scene, camera, objects["far"].location + objects["far"].location.__class__((3, -4, 3)), W, H)
    first = frames[0].astype(int)
    assert first[near_y, near_x].mean() > 200, "the near box is white"
    assert first[near_y, near_x].mean() > first[wall_y, wall_x].mean() + 100, "near is brighter than far"
    assert first[2, W // 2].mean() < 20 or first[2, W // 2].mean() <= first[near_y, near_x].mean() - 150
    # One range for the clip: a static box stays the same brightness while the camera dollies in slowly.
    assert abs(int(frames[0][near_y, near_x].mean()) - int(frames[-1][near_y, near_x].mean())) < 40


def test_pose_joints_at_projected_bones(md, layout, tmp_path):
    scene, camera, objects, blend = layout
    actor = objects["actor"]
    bone_maps = {"Actor": bonemaps.resolve([b.name for b in actor.data.bones],
                                                     bonemaps.PRESETS["METARIG"])}
    w, h = 160, 120
    job, code, events = run_worker(md, tmp_path, blend, "POSE", width=w, height=h, frame_count=3, bone_maps=bone_maps)
    assert code == 0, events
    frames, meta = read_video(job.control_path)
    assert frames.shape == (3, h, w, 3)
    scene.render.resolution_x, scene.render.resolution_y = w, h
    # Clip frame 2 at 16 fps shows scene frame 1 + 2 * 24 / 16 = 4.
    scene.frame_set(4)
    for bone_name, colour_channel in (("foot.L", 2), ("thigh.R", 1)):
        world = actor.matrix_world @ actor.pose.bones[bone_name].head
        x, y = pixel(scene, camera, world, w, h, frame=4)
        rgb = frames[2][y, x].astype(int)
        assert rgb[colour_channel] > 150 and rgb.max() == rgb[colour_channel], (bone_name, rgb)
    assert frames[2][:5].max() < 30, "the background is black"


def test_depth_pose_keyframes_lineart_animatic(md, layout, tmp_path):
    scene, camera, objects, blend = layout
    actor = objects["actor"]
    bone_maps = {"Actor": bonemaps.auto([b.name for b in actor.data.bones])[1]}
    keyframes = (render_job.KeyframeJob(0, str(tmp_path / "keys" / "k0.png")),
                 render_job.KeyframeJob(4, str(tmp_path / "keys" / "k4.png")))
    job, code, events = run_worker(md, tmp_path, blend, "DEPTH_POSE", bone_maps=bone_maps, keyframes=keyframes)
    assert code == 0, events
    assert events[-1]["blockout"] is True, "a Workbench scene gives blockout stills"
    for keyframe in keyframes:
        image = bpy.data.images.load(keyframe.path)
        assert tuple(image.size) == (W, H)
        bpy.data.images.remove(image)
    depth_pose, _ = read_video(job.control_path)
    assert depth_pose.shape[0] == 5 and (depth_pose[..., 1].astype(int) - depth_pose[..., 2]).max() > 100, \
        "coloured limbs over the grey depth"
    lines, animatic = {}, {}
    for mode, out in (("LINEART", lines), ("ANIMATIC", animatic)):
        job, code, events = run_worker(md, tmp_path, blend, mode, frame_count=3)
        assert code == 0, events
        out["frames"], _meta = read_video(job.control_path)
        assert out["frames"].shape == (3, H, W, 3)
    assert lines["frames"].max() > 200 and np.median(lines["frames"]) < 30, "white lines on black"
    assert animatic["frames"].std() > 5, "a shaded layout, not a blank frame"
    assert not os.path.exists(tmp_path / "work_DEPTH_POSE"), "the worker removes its intermediate frames"


def test_worker_reports_a_missing_camera(md, layout, tmp_path):
    _scene, _camera, _objects, blend = layout
    job_module = render_job
    job = job_module.GuideJob(scene="Scene", camera="Nope", mode="DEPTH", frame_start=1, scene_fps=24, width=W,
                              height=H, fps=16, frame_count=3, control_path=str(tmp_path / "x.mp4"), blend=blend)
    (tmp_path / "j.json").write_text(job.to_json())
    worker = os.path.join(os.path.dirname(md.__file__), "render", "worker.py")
    done = subprocess.run([sys.executable, worker, "--", str(tmp_path / "j.json")], capture_output=True, text=True)
    events = [e for e in map(job_module.parse_event, done.stdout.splitlines()) if e]
    assert done.returncode == 1
    assert events == [{"kind": "failed", "message": "Camera 'Nope' is not in scene 'Scene'"}]
    assert not os.path.exists(tmp_path / "x.mp4")


def test_bone_map_presets():
    mixamo = [f"mixamorig:{n}" for n in ("Hips", "Neck", "Head", "LeftArm", "LeftForeArm", "LeftHand", "RightArm",
                                           "RightForeArm", "RightHand", "LeftUpLeg", "LeftLeg", "LeftFoot",
                                           "RightUpLeg", "RightLeg", "RightFoot")]
    preset, found = bonemaps.auto(mixamo)
    assert preset == "MIXAMO" and found["l_knee"] == ["mixamorig:LeftLeg", "head"]
    preset, found = bonemaps.auto(["ORG-" + n for n in guide_scene.ACTOR_BONES])
    assert preset == "RIGIFY" and found["r_wrist"] == ["ORG-hand.R", "head"]
    assert bonemaps.auto(["Bone", "Bone.001"]) == ("", {})


def test_guide_properties_contract(md, fresh_scene):
    props = bpy.types.Object.bl_rna.properties["movie_director"].fixed_type.bl_rna.properties
    assert [i.identifier for i in props["guide"].enum_items] == ["NONE", "DEPTH", "POSE", "DEPTH_POSE", "LINEART",
                                                                 "ANIMATIC"]
    assert [i.identifier for i in props["keyframes"].enum_items] == ["NONE", "FIRST", "FIRST_LAST", "CAMERA_KEYS"]
    assert (props["guide_strength"].hard_min, props["guide_strength"].hard_max) == (0.0, 1.0)
    assert [i.identifier for i in props["pose_rig"].enum_items] == ["AUTO", "RIGIFY", "MIXAMO", "METARIG", "CUSTOM"]
    guide_spec = importlib.import_module(f"{MODULE}.wangp_backend.guide_spec")
    assert tuple(i.identifier for i in props["guide"].enum_items) == guide_spec.GUIDE_MODES
    assert tuple(i.identifier for i in props["keyframes"].enum_items) == guide_spec.KEYFRAME_MODES
    assert "use_tail" in props["pose_bone_map"].fixed_type.bl_rna.properties
