"""Guided shots through the operators: the guide renders in a background process before the job is
submitted, lands in the settings and the sidecar, is reused while the layout is unchanged, and is made
again when an object moves. Bad scenes are refused with one sentence before anything is submitted."""

from __future__ import annotations

import json
import os

import bpy
import guide_scene
import pytest
from strip_timing import handle_offsets, left_handle, right_handle
from video_frames import read_video

MODEL = "vace_1.3B"
AVAILABLE = ("t2v_1.3B", "i2v", "ltx2_22B_distilled")


@pytest.fixture
def session(md, fake_wangp, output_dir, drive):
    """A ready session: guided shots are checked against the live catalog (which models take which guide)."""
    fake_wangp(available=[*AVAILABLE, MODEL])
    bpy.ops.movie_director.start_session()
    drive(lambda: md.runtime.session.view().state == "ready")


@pytest.fixture
def guided(md, session, make_shot):
    obj = make_shot("SH010", 1, 24, resolution="64x48")
    objects = guide_scene.layout(obj, frames=(1, 24))
    shot = obj.movie_director
    shot.model_type = MODEL
    shot.guide = "DEPTH"
    shot.keyframes = "FIRST"
    return obj, objects


def _sidecar(obj):
    shot = obj.movie_director
    with open(shot.takes[shot.active_take_index].sidecar_path, encoding="utf-8") as fh:
        return json.load(fh)


def _guide_folders(obj):
    root = os.path.join(os.path.dirname(obj.movie_director.takes[0].filepath), "guides")
    return sorted(os.listdir(root))


def test_guided_shot_renders_its_guide_then_generates(md, guided):
    obj, _objects = guided
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    shot = obj.movie_director
    assert shot.generation_status == "done", shot.error_message
    sidecar = _sidecar(obj)
    settings, guide = sidecar["settings"], sidecar["guide"]
    assert "V" in settings["video_prompt_type"] and "FI" in settings["video_prompt_type"]
    assert settings["video_guide"] == guide["control_video"] and os.path.isfile(settings["video_guide"])
    assert settings["frames_positions"] == "1" and os.path.isfile(settings["image_refs"][0])
    assert guide["mode"] == "DEPTH" and guide["content_hash"] == shot.guide_hash
    frames, meta = read_video(settings["video_guide"])
    assert frames.shape[0] == guide["frames"] == settings["video_length"]
    assert (meta["width"], meta["height"], meta["fps"]) == (guide["width"], guide["height"], guide["fps"])
    assert shot.guide_blockout, "a Workbench scene's keyframe is flagged as a blockout"
    assert shot.guide_thumbnail is not None and bpy.path.abspath(shot.guide_thumbnail.filepath) == \
        settings["image_refs"][0]


def _strips(scene):
    editor = scene.sequence_editor
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


def test_guide_strips_sit_under_the_take_muted_and_never_cover_a_user_strip(md, guided):
    obj, _objects = guided
    scene = bpy.context.scene
    scene.movie_director.channel = 3
    editor = scene.sequence_editor_create()
    user = md.compat.new_effect(editor, "User Title", "COLOR", 2, 1, 30)
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    take = md.runtime.timeline.shot_strip(scene, md.runtime.keys.shot_key(scene, obj))
    assert take is not None and take.channel == 3 and not take.mute
    guides = [s for s in _strips(scene) if s.get("md_guide")]
    video = [s for s in guides if s.type == "MOVIE"]
    stills = [s for s in guides if s.type == "IMAGE"]
    assert len(video) == 1 and len(stills) == 1 and all(s.mute for s in guides)
    assert video[0].channel == 4, "the first free channel from the one under the take (2: user, 3: take)"
    assert left_handle(video[0]) == 1 and right_handle(video[0]) <= 25
    assert stills[0].channel == 5 and left_handle(stills[0]) == 1
    assert (user.channel, left_handle(user), right_handle(user)) == (2, 1, 30)
    assert scene.sequence_editor.channels[4].name == "Guide"
    # Another take replaces the guide strips with its own (never piles them up).
    bpy.ops.movie_director.generate_shot()
    assert len([s for s in _strips(scene) if s.get("md_guide")]) == 2


def test_unchanged_shot_reuses_its_guide_and_a_moved_object_renders_again(md, guided):
    obj, objects = guided
    bpy.ops.movie_director.generate_shot()
    first = _sidecar(obj)["guide"]
    record = os.path.join(os.path.dirname(first["control_video"]), "guide.json")
    stamp = os.stat(record).st_mtime_ns
    bpy.ops.movie_director.generate_shot()
    second = _sidecar(obj)["guide"]
    assert second["content_hash"] == first["content_hash"] and os.stat(record).st_mtime_ns == stamp
    assert len(_guide_folders(obj)) == 1
    objects["near"].location.x += 0.5
    bpy.ops.movie_director.generate_shot()
    third = _sidecar(obj)["guide"]
    assert third["content_hash"] != first["content_hash"]
    assert len(_guide_folders(obj)) == 2


def test_only_changed_batch_regenerates_exactly_the_moved_shot(md, session, make_shot):
    first = make_shot("SH010", 1, 24, resolution="64x48")
    objects = guide_scene.layout(first, frames=(1, 24))
    second = make_shot("SH020", 25, 48, resolution="64x48")
    second.location, second.rotation_euler = (0.0, -5.0, 1.5), (1.5708, 0.0, 0.0)
    second.keyframe_insert("location", frame=25)
    second.location.x += 0.5
    second.keyframe_insert("location", frame=48)
    for obj in (first, second):
        obj.movie_director.model_type, obj.movie_director.guide = MODEL, "DEPTH"
    scene = bpy.context.scene
    assert bpy.ops.movie_director.generate_scene(only_changed=True) == {"FINISHED"}
    assert [len(o.movie_director.takes) for o in (first, second)] == [1, 1]
    bpy.ops.movie_director.generate_scene(only_changed=True)
    assert [len(o.movie_director.takes) for o in (first, second)] == [1, 1], scene.movie_director.batch_summary
    # The actor walks in SH010's range only (keys at 1 and 24, then holds still): moving its first key changes
    # SH010's guide; SH020 only sees the last key's pose, so it stays as it was.
    curve = next(md.runtime.guide_layout.action_fcurves(objects["actor"].animation_data))
    key = curve.keyframe_points[0]
    key.co.y += 0.3
    key.handle_left.y += 0.3
    key.handle_right.y += 0.3
    bpy.ops.movie_director.generate_scene(only_changed=True)
    assert [len(o.movie_director.takes) for o in (first, second)] == [2, 1], scene.movie_director.batch_summary


@pytest.mark.parametrize("case, message", [
    ("no_camera", "has no camera to render its guide through"),
    ("still", "guide would be a still picture"),
    ("no_armature", "the scene has no armature"),
    ("unmappable", "no armature's bones map to a skeleton"),
    ("camera_keys", "has no keyframes in frames"),
])
def test_bad_scenes_are_refused_before_submitting(md, session, make_shot, case, message):
    obj = make_shot("SH010", 1, 24, resolution="64x48")
    shot = obj.movie_director
    shot.model_type, shot.guide = MODEL, "DEPTH"
    scene = bpy.context.scene
    if case == "no_camera":
        empty = bpy.data.objects.new("ShotEmpty", None)
        scene.collection.objects.link(empty)
        bpy.context.view_layer.objects.active = empty
        bpy.ops.movie_director.mark_shot()
        empty.movie_director.prompt, empty.movie_director.guide = "a walk", "DEPTH"
        empty.movie_director.model_type = MODEL
        scene.camera = None
        obj = empty
    elif case == "still":
        guide_scene.box("Box", (0, 3, 1), 1.0)
    elif case == "no_armature":
        guide_scene.layout(obj, with_actor=False)
        shot.guide = "POSE"
    elif case == "unmappable":
        guide_scene.layout(obj)
        scene.objects["Actor"].data.bones[0].name = "Bone"
        for bone in scene.objects["Actor"].data.bones:
            bone.name = "Bone"
        shot.guide = "POSE"
    elif case == "camera_keys":
        guide_scene.layout(obj, frames=(30, 40))
        shot.keyframes = "CAMERA_KEYS"
    bpy.context.view_layer.objects.active = obj
    with pytest.raises(RuntimeError, match=message):
        bpy.ops.movie_director.generate_shot()
    assert md.runtime.jobs.count() == 0 and len(obj.movie_director.takes) == 0


def test_continued_shot_follows_its_guide_and_lands_without_the_continued_frames(md, session, make_shot):
    first = make_shot("SH010", 1, 24, resolution="64x48")
    guide_scene.layout(first, frames=(1, 48))
    first.movie_director.model_type = MODEL
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    second = make_shot("SH020", 25, 48, resolution="64x48")
    second.location, second.rotation_euler = (0.0, -3.0, 1.5), (1.5708, 0.0, 0.0)
    second.keyframe_insert("location", frame=25)
    second.location.x += 0.5
    second.keyframe_insert("location", frame=48)
    shot = second.movie_director
    shot.model_type, shot.guide, shot.continue_previous = MODEL, "DEPTH", True
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    assert shot.generation_status == "done", shot.error_message
    sidecar = _sidecar(second)
    assert sidecar["settings"]["video_source"].startswith(first.movie_director.takes[0].filepath)
    assert "T" in sidecar["settings"]["video_prompt_type"]
    trim = sidecar["trim_head_frames"]
    assert trim > 0
    scene = bpy.context.scene
    strip = md.runtime.timeline.shot_strip(scene, md.runtime.keys.shot_key(scene, second))
    assert left_handle(strip) == 25 and handle_offsets(strip)[0] == round(trim * 24 / sidecar["guide"]["fps"])
    assert right_handle(strip) <= 49
