"""What the sidebar redesign changed in behaviour: picking a take from the list, Mark Shot's frames,
the first-run steps, text wrapped by width, Open Log, Unmark Shot, Resume's poll, the batch report."""

from __future__ import annotations

import bpy
import pytest


def _strips(scene):
    editor = scene.sequence_editor
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences) if editor else []


def test_selecting_a_row_of_the_takes_list_chooses_the_take(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.generate_shot()
    shot = obj.movie_director
    # A new take is the active one and its row the highlighted one.
    assert shot.active_take_index == 1 and shot.take_list_index == 1

    shot.take_list_index = 0  # the user clicks the first row

    [strip] = _strips(bpy.context.scene)
    assert shot.active_take_index == 0 and strip.filepath == shot.takes[0].filepath
    assert bpy.ops.movie_director.set_active_take(index=1) == {"FINISHED"}
    assert shot.take_list_index == 1 and _strips(bpy.context.scene)[0].filepath == shot.takes[1].filepath


def test_a_row_whose_clip_is_gone_keeps_the_active_take(md, fake_wangp, output_dir, make_shot):
    import os

    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.generate_shot()
    shot = obj.movie_director
    os.remove(shot.takes[0].filepath)
    shot.take_list_index = 0
    assert shot.active_take_index == 1 and shot.take_list_index == 1
    assert "is missing" in bpy.data.texts[md.runtime.log.TEXT_NAME].as_string()


def _camera(scene, name):
    obj = bpy.data.objects.new(name, bpy.data.cameras.new(name))
    scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    return obj


def test_mark_shot_takes_the_cameras_animation_not_the_whole_scene(md, fresh_scene, capsys):
    scene = fresh_scene
    scene.frame_start, scene.frame_end = 1, 2400  # 100 s at 24 fps
    moving = _camera(scene, "Moving")
    moving.keyframe_insert("location", frame=300)
    moving.location.x = 4
    moving.keyframe_insert("location", frame=372)
    assert bpy.ops.movie_director.mark_shot() == {"FINISHED"}
    assert (moving.movie_director.frame_start, moving.movie_director.frame_end) == (300, 372)
    assert "from its animation" in capsys.readouterr().out

    still = _camera(scene, "Still")
    bpy.ops.movie_director.mark_shot()
    # Nothing to go by: one Wan window (81 frames at 16 fps = 5.06 s = 122 frames at 24 fps).
    assert (still.movie_director.frame_start, still.movie_director.frame_end) == (1, 122)


def test_a_shot_longer_than_its_models_window_is_flagged(md, fresh_scene, monkeypatch):
    from test_panels import RECORDS

    cat = md.wangp_backend.catalog.ModelCatalog.from_records(RECORDS)
    monkeypatch.setattr(md.runtime.session, "catalog", lambda: cat)
    obj = _camera(fresh_scene, "Long")
    bpy.ops.movie_director.mark_shot()
    shot = obj.movie_director
    shot.model_type, shot.prompt = "t2v", "a storm"
    shot.frame_start, shot.frame_end = 1, 2400
    problems = md.panels.shot_checks.shot_problems(bpy.context, obj)
    assert any("lasts 100.0 s" in text and "6.1 s at most" in text for text, _icon in problems), problems
    shot.frame_end = 100
    assert md.panels.shot_checks.shot_problems(bpy.context, obj) == []
    # A model missing here while Blender may not download (headless Blender starts offline).
    shot.model_type = "i2v"
    assert not bpy.app.online_access
    assert md.panels.shot_checks.shot_problems(bpy.context, obj) == [
        ("Wan2.1 Image2video 14B is not downloaded and online access is off", "ERROR")]
    shot.model_type, shot.prompt = "t2v", ""
    view = md.runtime.session.SessionView(state="failed", message="wgp.py not found in /opt/wan")
    monkeypatch.setattr(md.runtime.session, "view", lambda: view)
    texts = [text for text, _icon in md.panels.shot_checks.shot_problems(bpy.context, obj)]
    assert texts == [
        "Write the prompt: what happens in the shot", "WanGP could not start: wgp.py not found in /opt/wan",
    ]


def test_first_run_steps_in_order(md):
    steps, current = md.panels.walkthrough.steps, md.panels.walkthrough.current
    first = steps(False, "stopped", "", False, False, False)
    assert [s.operator for s in first] == [
        "movie_director.open_preferences", "movie_director.start_session",
        "movie_director.choose_available_model", "movie_director.mark_shot",
    ]
    assert current(first).operator == "movie_director.open_preferences"
    # The animatic is not WanGP: the check is done only when WanGP itself started.
    assert not steps(True, "ready", "animatic", False, True, False)[1].done
    later = steps(True, "ready", "bridge", True, True, False)
    assert current(later).operator == "movie_director.generate_shot"
    assert current(steps(True, "ready", "in_process", True, True, True)) is None


def test_wrap_fits_the_width_and_keeps_the_words(md):
    fit = md.panels.text_fit
    text = "Set the WanGP folder in Preferences to generate AI video from every shot of the scene."
    for width in (80, 140, 220):
        lines = fit.wrap(text, width)
        assert all(fit.text_width(line) <= width for line in lines), lines
        assert " ".join(lines) == text
    path = "/very/long/folder/name/that/cannot/break/at/a/space/anywhere.mp4"
    lines = fit.wrap(path, 100)
    assert "".join(lines) == path and all(fit.text_width(line) <= 100 for line in lines)


def test_open_log_reports_the_last_lines_headless(md, fresh_scene, capsys):
    for n in range(20):
        md.runtime.log.write(f"line {n}")
    assert bpy.ops.movie_director.open_log() == {"FINISHED"}
    out = capsys.readouterr().out
    assert "line 19" in out and "line 8" in out and "line 7" not in out


def test_unmark_shot_keeps_takes_and_refuses_while_generating(md, fresh_scene):
    obj = _camera(fresh_scene, "Cam")
    bpy.ops.movie_director.mark_shot()
    obj.movie_director.queued_jobs = 1
    with pytest.raises(RuntimeError, match="cancel it first"):
        bpy.ops.movie_director.unmark_shot()
    obj.movie_director.queued_jobs = 0
    assert bpy.ops.movie_director.unmark_shot() == {"FINISHED"}
    assert not obj.movie_director.is_shot


def test_resume_needs_an_interrupted_batch(md, fresh_scene):
    obj = _camera(fresh_scene, "Cam")
    bpy.ops.movie_director.mark_shot()  # the scene now has a key: that alone is no batch to resume
    assert not bpy.ops.movie_director.resume_batch.poll()
    obj.movie_director.error_message = md.runtime.batch_queue.INTERRUPTED
    assert bpy.ops.movie_director.resume_batch.poll()


def test_batch_report_puts_warnings_last_and_in_the_log(md, fresh_scene):
    reports = []
    op = type("Op", (), {"report": lambda self, kind, text: reports.append((set(kind), text))})()
    queued = md.runtime.generate.SceneQueue("k", ("SH010", "SH020"), ("SH030",), ("SH040 has no prompt",),
                                            ("SH050 waits for SH040",))
    md.operators.batch_common.report_batch(op, queued)
    assert [kind for kind, _text in reports] == [{"INFO"}, {"INFO"}, {"WARNING"}, {"WARNING"}]
    assert reports[1][1] == "Order: SH010, SH020"
    logged = bpy.data.texts[md.runtime.log.TEXT_NAME].as_string()
    assert "Warning: SH040 has no prompt" in logged and "Order: SH010, SH020" in logged


def test_whole_scene_batch_asks_before_new_takes_of_finished_shots(md, fresh_scene):
    obj = _camera(fresh_scene, "Cam")
    bpy.ops.movie_director.mark_shot()
    op_cls = bpy.types.MOVIE_DIRECTOR_OT_generate_scene

    class Props:
        def __init__(self, **set_):
            self.set_ = set_

        def is_property_set(self, name):
            return name in self.set_

    def regenerated(only_changed_scene, **set_):
        fresh_scene.movie_director.only_changed = only_changed_scene
        fake = type("Fake", (), {"properties": Props(**set_), **set_})()
        return op_cls.regenerated(fake, bpy.context)

    assert regenerated(False) == []  # no takes yet: nothing made again
    take = obj.movie_director.takes.add()
    take.filepath = "/takes/Cam_take001.mp4"
    assert regenerated(False) == ["Cam"]
    assert regenerated(True) == []  # only changed shots, at their own quality
    assert regenerated(True, quality="FINAL") == ["Cam"]


def test_fallback_menu_adds_installed_models_to_the_list(md, fresh_scene, monkeypatch):
    import types

    from sidebar_model import Layout
    from test_panels import RECORDS

    cat = md.wangp_backend.catalog.ModelCatalog.from_records(RECORDS)
    monkeypatch.setattr(md.runtime.session, "catalog", lambda: cat)
    obj = _camera(fresh_scene, "Cam")
    bpy.ops.movie_director.mark_shot()
    obj.movie_director.fallback_model_type = "ltx2"
    log: list = []
    bpy.types.MOVIE_DIRECTOR_MT_fallback_models.draw(types.SimpleNamespace(layout=Layout(log)), bpy.context)
    entries = [args[0].values for _p, call, args, _kw in log if call == "button"]
    path = 'scene.objects["Cam"].movie_director.fallback_model_type'
    # Only t2v is installed among the records; ltx2 is chosen already.
    assert entries == [{"data_path": path, "value": ""}, {"data_path": path, "value": "ltx2, t2v"}]
    bpy.ops.wm.context_set_string(data_path=path, value="ltx2, t2v")
    assert obj.movie_director.fallback_model_type == "ltx2, t2v"
