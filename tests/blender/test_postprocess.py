"""Post-process Take: WanGP's late post-processing of the active take through the host queue, into a new take.

Runs with WanGP in Blender and (MD_TEST_HOST_MODE=BRIDGE) in a bridge process. The double really does
Lanczos upsampling and film grain and simulates RIFE by blending frames; its validation messages are WanGP's.
"""

from __future__ import annotations

import json
import os

import bpy
import pytest
from strip_timing import duration


def _sidecar(take) -> dict:
    with open(take.sidecar_path, encoding="utf-8") as fh:
        return json.load(fh)


def _strips(scene):
    editor = scene.sequence_editor
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


@pytest.fixture
def wan_take(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH010", 1, 24)  # 24 frames at 24 fps -> 17 Wan frames at 16 fps
    obj.movie_director.model_type = "t2v_1.3B"
    bpy.ops.movie_director.generate_shot()
    return obj


def test_postprocessing_makes_a_new_take_naming_its_parent_and_the_exact_settings(md, wan_take):
    shot = wan_take.movie_director
    # A take made in a 16 fps scene stays at Wan's 16 fps (takes are conformed to the scene's rate on the
    # host); the scene is at 24 fps now, so RIFE to the scene's rate is worth it.
    bpy.context.scene.render.fps = 16
    bpy.ops.movie_director.generate_shot()
    bpy.context.scene.render.fps = 24
    bpy.ops.movie_director.set_active_take(index=1)
    parent = shot.takes[1]
    assert parent.fps == 16
    parent_file, parent_bytes = parent.filepath, os.path.getsize(parent.filepath)
    result = bpy.ops.movie_director.postprocess_take(
        spatial_upsampling="lanczos2", temporal_upsampling="SCENE_FPS", film_grain_intensity=0.1, seed=7)
    assert result == {"FINISHED"}
    assert len(shot.takes) == 3 and shot.active_take_index == 2
    take = shot.takes[2]
    assert os.path.isfile(take.filepath) and take.filepath != parent_file
    assert take.parent_take == parent_file
    assert os.path.getsize(parent_file) == parent_bytes  # the parent is kept as it was
    record = _sidecar(take)
    assert record["parent_take"]["file"] == parent_file and record["parent_take"]["take"] == 2
    assert record["parent_take"]["sidecar"] == parent.sidecar_path
    assert record["postprocess"] == {
        "spatial_upsampling": "lanczos2", "temporal_upsampling": "rife2", "temporal_choice": "SCENE_FPS",
        "film_grain_intensity": 0.1, "film_grain_saturation": 0.5, "seed": 7,
    }
    assert record["settings"]["video_source"] == parent_file
    # Read from the file WanGP wrote: twice the size, twice the frame rate, the frames in between filled in.
    parent_record = _sidecar(parent)
    assert (record["width"], record["height"]) == (2 * parent_record["width"], 2 * parent_record["height"])
    made = record["conformed"]  # WanGP's 32 fps clip, then conformed on the host to the scene's 24 fps
    assert made["from_fps"] == 32.0 and made["from_frames"] == 2 * parent_record["frame_count"] - 1
    assert record["fps"] == 24.0 and take.fps == 24.0 and take.model_type == "t2v_1.3B" and take.seed == 7
    # The new take is on the timeline, at real speed, trimmed to the shot.
    [strip] = [s for s in _strips(bpy.context.scene) if s.type == "MOVIE"]
    assert strip.filepath == take.filepath and duration(strip) == 24
    assert record["settings_hash"] == parent_record["settings_hash"]


def test_postprocessing_nothing_is_refused_with_wangps_words_and_nothing_is_made(md, wan_take, output_dir):
    before = sorted(os.listdir(os.path.dirname(wan_take.movie_director.takes[0].filepath)))
    with pytest.raises(RuntimeError, match="You must choose at least one Post Processing Method"):
        bpy.ops.movie_director.postprocess_take()
    assert len(wan_take.movie_director.takes) == 1
    assert sorted(os.listdir(os.path.dirname(wan_take.movie_director.takes[0].filepath))) == before


def test_a_missing_source_clip_is_named(md, wan_take):
    os.remove(wan_take.movie_director.takes[0].filepath)
    with pytest.raises(RuntimeError, match="Selected video or image file is missing"):
        bpy.ops.movie_director.postprocess_take(film_grain_intensity=0.2)


def test_postprocessing_a_locked_shot_keeps_the_approval_on_the_parent(md, wan_take):
    bpy.ops.movie_director.approve_take()
    bpy.ops.movie_director.postprocess_take(spatial_upsampling="lanczos1.5")
    shot = wan_take.movie_director
    assert [t.approved for t in shot.takes] == [True, False]
    record = _sidecar(shot.takes[1])
    assert (record["width"], record["height"]) == (192, 144)  # 128x96 * 1.5


def test_postprocessing_can_be_cancelled_like_a_generation(md, fake_wangp, wan_take, drive):
    fake_wangp(step_delay_s=0.2)
    token = md.runtime.postprocess.queue_postprocess(bpy.context, bpy.context.scene, wan_take, 0, "", "rife4", 0.0,
                                                     0.5)
    shot = wan_take.movie_director
    drive(lambda: shot.generation_status == "in_progress")
    assert bpy.ops.movie_director.cancel(scope="SHOT") == {"FINISHED"}
    drive(lambda: not md.runtime.jobs.is_active(token))
    assert md.runtime.jobs.outcome(token) == "cancelled"
    assert len(shot.takes) == 1 and shot.generation_status == "cancelled"


def test_postprocessing_needs_wangp(md, output_dir, make_shot):
    obj = make_shot("SH010", 1, 12)
    bpy.ops.movie_director.generate_shot()  # the layout animatic
    assert len(obj.movie_director.takes) == 1
    with pytest.raises(RuntimeError, match="Post-processing runs in WanGP"):
        bpy.ops.movie_director.postprocess_take(film_grain_intensity=0.1)
