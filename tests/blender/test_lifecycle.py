"""Files, shots and the add-on coming and going while jobs run; nothing generated is ever lost."""

from __future__ import annotations

import glob
import json
import os
import time

import addon_utils
import bpy
import pytest

MODULE = "bl_ext.user_default.movie_director"


def _strips(scene):
    editor = scene.sequence_editor
    if editor is None:
        return []
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


def _log() -> str:
    text = bpy.data.texts.get("Movie Director Log")
    return text.as_string() if text else ""


@pytest.fixture
def slow_shot(md, fake_wangp, output_dir, make_shot):
    fake_wangp(steps_cap=6)
    obj = make_shot("SH010", 1, 24, prompt="a slow dolly [fake:slow]")
    obj.movie_director.model_type = "t2v_1.3B"
    return obj


def _takes_on_disk(output_dir: str) -> list[str]:
    return sorted(glob.glob(os.path.join(output_dir, "**", "*.mp4"), recursive=True))


def test_save_and_reload_keeps_takes_and_strips(md, fake_wangp, output_dir, make_shot, tmp_path):
    obj = make_shot("SH010", 1, 48)
    obj.movie_director.model_type = "t2v_1.3B"
    bpy.ops.movie_director.generate_shot()
    take_path = obj.movie_director.takes[0].filepath
    path = str(tmp_path / "kept.blend")
    bpy.ops.wm.save_as_mainfile(filepath=path)

    bpy.ops.wm.open_mainfile(filepath=path)

    obj = bpy.data.objects["SH010"]
    shot = obj.movie_director
    assert shot.is_shot and shot.generation_status == "done"
    # Saved next to its takes folder: kept blend-relative (the project folder can move), same clip.
    assert [t.filepath for t in shot.takes] == ["//takes/Scene/SH010/SH010_take001.mp4"]
    assert [md.runtime.paths.resolved(t.filepath) for t in shot.takes] == [take_path]
    # 33 Wan frames at 16 fps, conformed on the host to the scene's 24 fps (same 2.06 s)
    assert shot.takes[0].fps == 24 and abs(shot.takes[0].frame_count - 33 * 1.5) <= 1
    [strip] = _strips(bpy.context.scene)
    assert strip["md_shot_id"] == shot.shot_id
    _scene, found = md.runtime.keys.find_shot(strip["md_shot_key"])
    assert found == obj
    assert bpy.ops.movie_director.set_active_take(index=0) == {"FINISHED"}


def test_a_file_opened_mid_job_does_not_receive_the_take(md, slow_shot, output_dir, empty_blend, drive, capsys):
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, slow_shot)
    drive(lambda: slow_shot.movie_director.generation_status == "in_progress")

    bpy.ops.wm.open_mainfile(filepath=empty_blend)
    drive(lambda: md.runtime.jobs.count() == 0, timeout=60)

    assert "SH010" not in bpy.data.objects
    assert _strips(bpy.context.scene) == []
    [clip] = _takes_on_disk(output_dir)
    assert os.path.isfile(os.path.splitext(clip)[0] + ".json")
    assert f"its take is kept at {clip}" in _log()
    capsys.readouterr()
    bpy.ops.movie_director.stop_session()
    assert f"its take is kept at {clip}" in capsys.readouterr().out


def test_a_take_waiting_in_the_pump_when_another_file_opens_is_not_lost(md, slow_shot, output_dir, empty_blend,
                                                                          drive, monkeypatch):
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, slow_shot)
    drive(lambda: slow_shot.movie_director.generation_status == "in_progress")
    host = md.runtime.session.get_host()
    deadline = time.monotonic() + 60
    while host.busy and time.monotonic() < deadline:
        time.sleep(0.01)  # the job ends while the pump does not run
    # One tick that may apply a single message: the job's last ones, its take among them, wait in the backlog.
    monkeypatch.setattr(md.runtime.pump, "BUDGET_S", 0.0)
    md.pump()
    assert any(msg.kind == "take_ready" for msg in md.runtime.pump._backlog)

    bpy.ops.wm.open_mainfile(filepath=empty_blend)
    drive(lambda: md.runtime.jobs.count() == 0, timeout=10)

    [clip] = _takes_on_disk(output_dir)
    assert f"its take is kept at {clip}" in _log()


def test_a_shot_deleted_mid_job_keeps_its_take_on_disk(md, slow_shot, output_dir, drive):
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, slow_shot)
    drive(lambda: slow_shot.movie_director.generation_status == "in_progress")

    bpy.data.objects.remove(slow_shot)
    drive(lambda: md.runtime.jobs.count() == 0, timeout=60)

    [clip] = _takes_on_disk(output_dir)
    with open(os.path.splitext(clip)[0] + ".json", encoding="utf-8") as fh:
        assert json.load(fh)["shot_name"] == "SH010"
    assert "the shot was deleted" in _log() and clip in _log()
    assert _strips(bpy.context.scene) == []


def test_a_shot_renamed_mid_job_still_gets_its_take(md, slow_shot, drive):
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, slow_shot)
    drive(lambda: slow_shot.movie_director.generation_status == "in_progress")

    slow_shot.name = "SH010_renamed"
    drive(lambda: slow_shot.movie_director.generation_status == "done", timeout=60)

    assert len(slow_shot.movie_director.takes) == 1
    drive(lambda: not md.runtime.timeline.waiting())
    [strip] = _strips(bpy.context.scene)
    assert strip.name == "SH010_renamed"


def test_states_saved_mid_job_are_reset_on_load(md, slow_shot, drive, tmp_path):
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, slow_shot)
    drive(lambda: slow_shot.movie_director.generation_status == "in_progress")
    path = str(tmp_path / "mid_job.blend")
    bpy.ops.wm.save_as_mainfile(filepath=path)
    bpy.ops.movie_director.stop_session()

    bpy.ops.wm.open_mainfile(filepath=path)

    shot = bpy.data.objects["SH010"].movie_director
    assert shot.generation_status == "idle"
    assert shot.job_id == "" and shot.queued_jobs == 0 and shot.generation_progress == 0


def test_duplicated_shot_gets_its_own_id(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    copy = obj.copy()
    copy.data = obj.data.copy()
    bpy.context.scene.collection.objects.link(copy)
    assert copy.movie_director.shot_id == obj.movie_director.shot_id
    bpy.context.view_layer.objects.active = copy

    bpy.ops.movie_director.generate_shot()

    assert copy.movie_director.shot_id != obj.movie_director.shot_id
    assert len(copy.movie_director.takes) == 1 and not obj.movie_director.takes
    assert obj.movie_director.generation_status == "idle"


def _our_handlers() -> list[str]:
    found = []
    for kind in ("load_pre", "load_post", "save_pre", "save_post", "save_post_fail"):
        found += [f"{kind}:{fn.__name__}" for fn in getattr(bpy.app.handlers, kind) if fn.__module__.startswith(MODULE)]
    return found


def test_unregister_and_register_again_leave_nothing_behind(md, output_dir, make_shot, drive):
    obj = make_shot("SH010", 1, 24)
    bpy.ops.movie_director.start_session()
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, obj)
    assert md.runtime.timer.timer_registered()
    handlers = _our_handlers()
    assert {"load_pre:on_load_pre", "load_post:on_load_post", "save_pre:on_save_pre"} <= set(handlers)

    addon_utils.disable(MODULE, default_set=True)
    try:
        assert md.runtime.session.get_host() is None
        assert not md.runtime.timer.timer_registered()
        assert _our_handlers() == []
        assert md.runtime.jobs.count() == 0
        assert not hasattr(bpy.types.Object, "movie_director")
        assert not hasattr(bpy.types.Scene, "movie_director")
        with pytest.raises(AttributeError, match="could not be found"):
            bpy.ops.movie_director.generate_shot.poll()
        for cls in md.operators.classes:
            assert not cls.is_registered
    finally:
        assert addon_utils.enable(MODULE, default_set=True) is not None

    assert _our_handlers() == handlers
    assert all(cls.is_registered for cls in md.operators.classes)
    obj = bpy.data.objects["SH010"]
    assert obj.movie_director.is_shot  # the data stayed in the file
    bpy.context.view_layer.objects.active = obj
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    assert len(obj.movie_director.takes) == 1


def test_undo_after_a_take_arrived_keeps_the_take(md, fake_wangp, output_dir, make_shot, drive):
    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    bpy.ops.ed.undo_push(message="before generating")
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, obj)
    drive(lambda: obj.movie_director.generation_status == "done" and md.pump() is None)
    bpy.data.objects["SH010"].location.x = 5.0
    bpy.ops.ed.undo_push(message="the user moves the camera")

    bpy.ops.ed.undo()

    obj = bpy.data.objects["SH010"]  # undo replaced the data: look it up again
    assert obj.location.x == 0.0
    assert len(obj.movie_director.takes) == 1
    assert len(_strips(bpy.context.scene)) == 1


def test_take_in_execute_is_undoable_too(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    bpy.ops.ed.undo_push(message="before generating")
    bpy.ops.movie_director.generate_shot()
    bpy.data.objects["SH010"].movie_director.prompt = "changed afterwards"
    bpy.ops.ed.undo_push(message="the user edits the prompt")

    bpy.ops.ed.undo()

    shot = bpy.data.objects["SH010"].movie_director
    assert shot.prompt == "a red cube on a table"
    assert len(shot.takes) == 1
