"""Generate Shot and Generate Scene against the WanGP test double, through the operators."""

from __future__ import annotations

import json
import os

import bpy
import numpy as np
import pytest
from strip_timing import duration, left_handle

WAN_FPS = 16


def _strips(scene):
    editor = scene.sequence_editor
    if editor is None:
        return []
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


def test_generate_shot_makes_a_take_with_sidecar_and_strip(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH010", 1, 48)
    obj.movie_director.model_type = "t2v_1.3B"

    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}

    # Headless, timers never fire: the one Generate registered must be gone once it is done.
    assert not md.runtime.timer.timer_registered()
    shot = obj.movie_director
    assert shot.generation_status == "done"
    assert shot.generation_progress == 100
    assert shot.error_message == ""
    assert len(shot.takes) == 1 and shot.active_take_index == 0
    take = shot.takes[0]
    assert take.filepath == os.path.join(output_dir, "Scene", "SH010", "SH010_take001.mp4")
    assert os.path.isfile(take.filepath)
    assert take.model_type == "t2v_1.3B"
    # WanGP made 2 s at 16 fps = 32 frames, made 4n+1 = 33; the host conformed them to the scene's 24 fps.
    assert take.fps == 24 and abs(take.frame_count - 33 * 24 / WAN_FPS) <= 1
    assert take.seed >= 0 and take.created and take.settings_hash
    with open(take.sidecar_path, encoding="utf-8") as fh:
        sidecar = json.load(fh)
    assert sidecar["shot_name"] == "SH010"
    assert sidecar["scene_name"] == "Scene"
    assert sidecar["settings_hash"] == take.settings_hash
    assert sidecar["frame_start"] == 1 and sidecar["frame_end"] == 48 and sidecar["scene_fps"] == 24
    assert sidecar["settings"]["model_type"] == "t2v_1.3B"
    assert sidecar["settings"]["prompt"].startswith("a red cube on a table")
    assert sidecar["inputs"] == {}
    assert "template" in sidecar and "camera_wording" in sidecar and "notes" in sidecar
    assert sidecar["conformed"] == {"from_fps": WAN_FPS, "from_frames": 33, "to_fps": 24}
    assert sidecar["fps"] == 24 and sidecar["frame_count"] == take.frame_count


def test_strip_lands_on_the_shot_frames_at_real_speed(md, fake_wangp, output_dir, make_shot):
    scene = bpy.context.scene
    scene.movie_director.channel = 3
    obj = make_shot("SH020", 25, 74)  # 50 frames: the retimed clip (49.5) fits without trimming
    obj.movie_director.model_type = "t2v_1.3B"

    bpy.ops.movie_director.generate_shot()

    [strip] = _strips(scene)
    assert strip.type == "MOVIE"
    assert strip.name == "SH020"
    assert strip.channel == 3
    assert scene.sequence_editor.channels[3].name == "Movie Director"
    assert left_handle(strip) == 25
    # A 33-frame clip at 16 fps lasts 49.5 frames at 24 fps.
    assert abs(duration(strip) - 33 * 24 / WAN_FPS) <= 1
    assert strip["md_shot_key"] == md.runtime.keys.shot_key(scene, obj)
    assert strip["md_shot_id"] == obj.movie_director.shot_id
    assert strip["md_take"] == 0


def test_progress_and_preview_while_generating(md, fake_wangp, output_dir, make_shot, drive):
    fake_wangp(step_delay_s=0.05, steps_cap=6, preview_every=1)
    obj = make_shot("SH030", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    shot = obj.movie_director
    seen: dict[str, set] = {"status": set(), "progress": set()}

    # What invoke() does (headless bpy runs execute() even for INVOKE_DEFAULT: there is no event).
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, obj)
    assert shot.generation_status == "queued"

    def finished():
        seen["status"].add(shot.generation_status)
        seen["progress"].add(shot.generation_progress)
        return shot.generation_status == "done"

    drive(finished, timeout=60)
    assert "in_progress" in seen["status"]
    assert any(0 < p < 100 for p in seen["progress"])
    assert shot.generation_progress == 100
    image = shot.preview_image
    assert image is not None and image.name == "MD Preview SH030"
    pixels = np.empty(image.size[0] * image.size[1] * 4, dtype=np.float32)
    image.pixels.foreach_get(pixels)
    assert pixels.reshape(-1, 4)[:, :3].max() > 0.05


def test_two_clicks_queue_two_jobs_and_two_takes(md, fake_wangp, output_dir, make_shot, drive):
    obj = make_shot("SH040", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    shot = obj.movie_director

    scene = bpy.context.scene
    md.runtime.generate.queue_shot(bpy.context, scene, obj)
    md.runtime.generate.queue_shot(bpy.context, scene, obj)
    assert shot.queued_jobs == 2
    assert md.runtime.session.view().queued == 2

    drive(lambda: len(shot.takes) == 2 and shot.generation_status == "done", timeout=60)
    names = [os.path.basename(t.filepath) for t in shot.takes]
    assert names == ["SH040_take001.mp4", "SH040_take002.mp4"]
    assert shot.active_take_index == 1 and shot.queued_jobs == 0
    drive(lambda: not md.runtime.timeline.waiting())
    [strip] = _strips(bpy.context.scene)
    assert strip["md_take"] == 1


def test_out_of_memory_failure_is_reported_with_its_class(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH050", 1, 24, prompt="a storm [fake:oom]")
    obj.movie_director.model_type = "t2v_1.3B"

    with pytest.raises(RuntimeError, match="SH050 failed: .*out of memory"):
        bpy.ops.movie_director.generate_shot()

    shot = obj.movie_director
    assert shot.generation_status == "failed"
    assert shot.error_class == "out_of_memory"
    assert "out of memory" in shot.error_message.lower()
    assert shot.error_hint
    assert not shot.takes
    assert "SH050: failed" in bpy.data.texts["Movie Director Log"].as_string()


def test_unknown_model_is_refused_at_the_click_once_the_catalog_is_known(md, fake_wangp, output_dir, make_shot, drive):
    bpy.ops.movie_director.start_session()
    drive(lambda: md.runtime.session.view().state == "ready")
    obj = make_shot("SH060", 1, 24)
    obj.movie_director.model_type = "t2v_nope"

    with pytest.raises(RuntimeError, match="Unknown model type 't2v_nope'.*Did you mean"):
        bpy.ops.movie_director.generate_shot()

    assert obj.movie_director.generation_status == "idle"
    assert md.runtime.jobs.count() == 0


def test_unknown_model_fails_the_job_when_the_catalog_arrives_later(md, fake_wangp, output_dir, make_shot,
                                                                    monkeypatch):
    # No catalog yet (first Generate of the Blender session): the check waits for the session.
    monkeypatch.setattr(md.runtime.session, "_catalog", None)
    obj = make_shot("SH061", 1, 24)
    obj.movie_director.model_type = "t2v_nope"

    with pytest.raises(RuntimeError, match="SH061 failed: .*t2v_nope"):
        bpy.ops.movie_director.generate_shot()

    shot = obj.movie_director
    assert shot.generation_status == "failed"
    assert shot.error_class == "validation"
    assert "t2v_nope" in shot.error_message


def test_empty_prompt_is_refused_before_anything_starts(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH070", 1, 24, prompt="   ")

    with pytest.raises(RuntimeError, match="SH070 has no prompt"):
        bpy.ops.movie_director.generate_shot()

    assert md.runtime.session.get_host() is None
    assert obj.movie_director.generation_status == "idle"
    assert not os.path.exists(output_dir)


def test_unwritable_output_folder_is_refused(md, fake_wangp, make_shot, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "Scene").write_text("a file where the scene folder should be")
    bpy.context.scene.movie_director.output_dir = str(locked)
    obj = make_shot("SH080", 1, 24)

    with pytest.raises(RuntimeError, match="Cannot create the output folder"):
        bpy.ops.movie_director.generate_shot()
    assert obj.movie_director.generation_status == "idle"
    assert md.runtime.session.get_host() is None


def test_session_that_cannot_start_is_reported(md, output_dir, make_shot, monkeypatch, tmp_path):
    monkeypatch.setenv("WANGP_ROOT", str(tmp_path / "no_wangp_here"))
    obj = make_shot("SH090", 1, 24)

    with pytest.raises(RuntimeError, match="WanGP folder not found"):
        bpy.ops.movie_director.generate_shot()
    # Not idle: a headless run reads the status to know the shot did not run, and why.
    shot = obj.movie_director
    assert shot.generation_status == "failed" and shot.error_message.startswith("WanGP folder not found")
    assert shot.error_class == "environment"
    assert md.runtime.session.view().state == "failed"
    assert not os.path.exists(output_dir)


def test_startup_flags_that_cannot_be_read_are_reported(md, fake_wangp, output_dir, make_shot, monkeypatch):
    monkeypatch.setenv("WANGP_ARGS", '--attention "sdpa')  # the closing quote is missing
    obj = make_shot("SH095", 1, 24)
    assert md.preferences.wangp_setup().configured  # what the panels ask on every redraw

    with pytest.raises(RuntimeError, match="Start-up Flags cannot be read"):
        bpy.ops.movie_director.generate_shot()
    # The session could not start, so the shot could not: failed with the reason, never idle.
    assert obj.movie_director.generation_status == "failed"
    assert "Start-up Flags cannot be read" in obj.movie_director.error_message
    assert md.runtime.session.get_host() is None


def test_quality_argument_overrides_the_shot(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH100", 1, 24)
    obj.movie_director.quality = "FINAL"
    obj.movie_director.resolution = ""  # the tier chooses model, steps and resolution

    bpy.ops.movie_director.generate_shot(quality="PREVIEW")

    with open(obj.movie_director.takes[0].sidecar_path, encoding="utf-8") as fh:
        sidecar = json.load(fh)
    snapshot, session = md.runtime.snapshot, md.runtime.session

    def built(quality):
        spec = snapshot.read_spec(bpy.context, bpy.context.scene, obj, quality)
        return md.wangp_backend.toolkit.build_settings(spec, session.catalog(), session.templates())

    assert sidecar["settings_hash"] == built("PREVIEW").settings_hash
    assert sidecar["settings_hash"] != built("FINAL").settings_hash


def test_generate_scene_runs_every_shot_then_skips_unchanged(md, fake_wangp, output_dir, make_shot, capsys):
    first = make_shot("SH010", 1, 24)
    second = make_shot("SH020", 25, 48)
    for obj in (first, second):
        obj.movie_director.model_type = "t2v_1.3B"

    assert bpy.ops.movie_director.generate_scene(only_changed=True) == {"FINISHED"}
    assert "Queued 2 Shots | Skipped 0 Unchanged" in capsys.readouterr().out
    scene = bpy.context.scene
    assert [len(o.movie_director.takes) for o in (first, second)] == [1, 1]
    assert scene.movie_director.batch_summary == "Generated 2 | Failed 0 | Skipped 0"
    assert sorted(left_handle(s) for s in _strips(scene)) == [1, 25]

    second.movie_director.prompt = "a blue cube on a table"
    bpy.ops.movie_director.generate_scene(only_changed=True)
    assert "Queued 1 Shot | Skipped 1 Unchanged" in capsys.readouterr().out
    assert [len(o.movie_director.takes) for o in (first, second)] == [1, 2]
    assert scene.movie_director.batch_summary == "Generated 1 | Failed 0 | Skipped 1"


def test_animatic_without_wangp(md, output_dir, make_shot):
    obj = make_shot("SH110", 1, 12)
    obj.movie_director.resolution = "160x90"

    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}

    shot = obj.movie_director
    assert md.runtime.session.view().mode == "animatic"
    assert shot.generation_status == "done"
    take = shot.takes[0]
    assert take.model_type == "layout_animatic"
    assert take.fps == 24 and take.frame_count == 12
    [strip] = _strips(bpy.context.scene)
    assert duration(strip) == 12


def test_generate_scene_reports_what_it_cannot_queue_and_runs_the_rest(md, fake_wangp, output_dir, make_shot,
                                                                        capsys):
    good = make_shot("SH010", 1, 24)
    make_shot("SH020", 25, 48, prompt="")
    storm = make_shot("SH030", 49, 72, prompt="a storm [fake:oom]")
    for obj in (good, storm):
        obj.movie_director.model_type = "t2v_1.3B"

    assert bpy.ops.movie_director.generate_scene() == {"FINISHED"}

    out = capsys.readouterr().out
    assert "Warning: SH020 has no prompt" in out
    assert "Queued 2 Shots | Skipped 0 Unchanged" in out
    settings = bpy.context.scene.movie_director
    assert settings.batch_summary == "Generated 1 | Failed 1 | Skipped 0"
    assert (settings.batch_total, settings.batch_done, settings.batch_failed) == (2, 1, 1)
    assert settings.batch_order == "SH010, SH030"
    assert storm.movie_director.generation_status == "failed"
    assert "SH030: " in bpy.data.texts["Movie Director Log"].as_string().split("Batch of Scene finished")[-1]


def test_generate_through_the_bridge_process(md, fake_wangp, output_dir, make_shot):
    prefs = md.preferences.get_prefs()
    prefs.host_mode = "BRIDGE"
    try:
        obj = make_shot("SH120", 1, 24)
        obj.movie_director.model_type = "t2v_1.3B"

        assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}

        view = md.runtime.session.view()
        assert view.mode == "bridge" and "own Python" in view.mode_reason
        shot = obj.movie_director
        assert shot.generation_status == "done" and os.path.isfile(shot.takes[0].filepath)
        assert shot.preview_image is not None
    finally:
        md.runtime.lifecycle.stop()
        prefs.host_mode = "AUTO"


def test_fallback_model_makes_the_take_when_the_primary_fails(md, fake_wangp, output_dir, make_shot):
    fake_wangp(fail_models={"t2v_1.3B": "runtime"})
    obj = make_shot("SH130", 1, 24)
    shot = obj.movie_director
    shot.model_type = "t2v_1.3B"
    shot.fallback_model_type = "ltxv_distilled"

    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}

    take = shot.takes[0]
    assert shot.generation_status == "done"
    assert take.used_fallback and take.model_type == "ltxv_distilled"
    assert take.primary_error
    assert "fallback ltxv_distilled" in bpy.data.texts["Movie Director Log"].as_string()
