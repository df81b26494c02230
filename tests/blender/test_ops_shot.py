"""Mark Shot, templates, the model fix, and the session operators."""

from __future__ import annotations

import json

import bpy
import pytest
from conftest import HOST_MODE


def _camera(name: str) -> bpy.types.Object:
    obj = bpy.data.objects.new(name, bpy.data.cameras.new(name))
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    return obj


def test_mark_shot_takes_the_frames_of_its_markers_and_the_scene_defaults(md, fresh_scene):
    scene = fresh_scene
    scene.movie_director.default_quality = "FINAL"
    scene.movie_director.default_model_type = "t2v_1.3B"
    scene.movie_director.default_resolution = "832x480"
    first, second = _camera("CamA"), _camera("CamB")
    scene.timeline_markers.new("A", frame=10).camera = first
    scene.timeline_markers.new("B", frame=40).camera = second
    scene.timeline_markers.new("note", frame=20)  # not a camera switch

    bpy.context.view_layer.objects.active = first
    assert bpy.ops.movie_director.mark_shot() == {"FINISHED"}
    bpy.context.view_layer.objects.active = second
    bpy.ops.movie_director.mark_shot()

    a, b = first.movie_director, second.movie_director
    assert a.is_shot and a.shot_id and a.shot_id != b.shot_id
    assert (a.frame_start, a.frame_end) == (10, 39)
    assert (b.frame_start, b.frame_end) == (40, scene.frame_end)
    assert a.quality == "FINAL" and a.model_type == "t2v_1.3B" and a.resolution == "832x480"
    assert scene.movie_director.scene_key


def test_mark_shot_without_markers_uses_the_scene_range_and_any_object(md, fresh_scene, capsys):
    fresh_scene.frame_start, fresh_scene.frame_end = 5, 60
    empty = bpy.data.objects.new("Prop", None)
    fresh_scene.collection.objects.link(empty)
    bpy.context.view_layer.objects.active = empty

    bpy.ops.movie_director.mark_shot()

    assert (empty.movie_director.frame_start, empty.movie_director.frame_end) == (5, 60)
    assert "filmed through the scene camera" in capsys.readouterr().out


def test_mark_shot_refuses_twice_and_nothing_selected(md, fresh_scene):
    _camera("Cam")
    bpy.ops.movie_director.mark_shot()
    with pytest.raises(RuntimeError, match="Cam is already a shot"):
        bpy.ops.movie_director.mark_shot()
    bpy.context.view_layer.objects.active = None
    with pytest.raises(RuntimeError, match="Select the camera"):
        bpy.ops.movie_director.mark_shot()


def test_generate_needs_a_shot(md, fresh_scene):
    _camera("NotAShot")
    with pytest.raises(RuntimeError, match="NotAShot is not a shot: use Mark Shot first"):
        bpy.ops.movie_director.generate_shot()
    with pytest.raises(RuntimeError, match="The scene has no shots"):
        bpy.ops.movie_director.generate_scene()


def test_apply_template_sets_look_moves_and_hints_and_can_be_undone(md, fresh_scene, make_shot):
    make_shot("SH010", 1, 24)
    library = md.runtime.session.templates()
    template = next(library.get(n) for n in library.names() if library.get(n).camera_movements)
    bpy.ops.ed.undo_push(message="before the template")

    assert bpy.ops.movie_director.apply_template("EXEC_DEFAULT", True, template=template.id) == {"FINISHED"}

    shot = bpy.data.objects["SH010"].movie_director
    assert shot.template == template.id
    assert shot.camera_movements == set(template.camera_movements)
    if template.resolution:
        assert shot.resolution == template.resolution
    if template.tier:
        assert shot.quality == template.tier

    bpy.ops.ed.undo()
    shot = bpy.data.objects["SH010"].movie_director  # undo replaced the data: look it up again
    assert shot.template == "" and shot.camera_movements == set()

    with pytest.raises(RuntimeError, match="Unknown template 'no_such_look'"):
        bpy.ops.movie_director.apply_template(template="no_such_look")
    bpy.ops.movie_director.apply_template(template=template.id)
    bpy.ops.movie_director.apply_template(template="")
    assert shot.template == ""


def test_template_reaches_the_settings(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    library = md.runtime.session.templates()
    template = library.get(library.names()[0])
    bpy.ops.movie_director.apply_template(template=template.id)
    obj.movie_director.resolution = "128x96"

    bpy.ops.movie_director.generate_shot()

    with open(obj.movie_director.takes[0].sidecar_path, encoding="utf-8") as fh:
        sidecar = json.load(fh)
    assert sidecar["template"] == template.id
    assert sidecar["settings"]["prompt"] != "a red cube on a table"
    assert "a red cube on a table" in sidecar["settings"]["prompt"]


def test_choose_available_model_after_a_missing_weights_failure(md, fake_wangp, output_dir, make_shot, drive):
    fake_wangp(available=["t2v_1.3B"], fail_models={"t2v_2_2": "missing_weights"})
    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_2_2"
    assert not bpy.ops.movie_director.choose_available_model.poll() or md.runtime.session.catalog() is not None

    with pytest.raises(RuntimeError, match="SH010 failed"):
        bpy.ops.movie_director.generate_shot()
    shot = obj.movie_director
    assert shot.error_class == "offline_or_missing_weights"

    assert bpy.ops.movie_director.choose_available_model() == {"FINISHED"}
    assert shot.model_type == "t2v_1.3B"
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    assert shot.generation_status == "done"


def test_choose_available_model_with_an_end_image_picks_one_that_takes_both(md, fake_wangp, fresh_scene, make_shot,
                                                                            drive):
    fake_wangp(available=["t2v_1.3B", "ti2v_2_2", "i2v"])
    bpy.ops.movie_director.start_session()
    drive(md.runtime.session.ready)
    obj = make_shot("SH010", 1, 24)
    shot = obj.movie_director
    shot.start_image_source = shot.end_image_source = "FILE"
    assert bpy.ops.movie_director.choose_available_model() == {"FINISHED"}
    # ti2v_2_2 takes a start image only; i2v (WanGP's "SEVL") takes both.
    info = md.runtime.session.catalog().get(shot.model_type)
    assert info.accepts_image("start") and info.accepts_image("end") and info.available


def test_choose_available_model_needs_a_catalog(md, fresh_scene, make_shot, monkeypatch):
    monkeypatch.setattr(md.runtime.session, "_catalog", None)
    make_shot("SH010", 1, 24)
    with pytest.raises(RuntimeError, match="Start the session to learn which models are installed"):
        bpy.ops.movie_director.choose_available_model()


def test_session_operators_and_view(md, fake_wangp, fresh_scene, drive):
    session = md.runtime.session
    assert session.view().state == "stopped"
    with pytest.raises(RuntimeError, match="No session is running"):
        bpy.ops.movie_director.stop_session()
    with pytest.raises(RuntimeError, match="Start the session first"):
        bpy.ops.movie_director.refresh_models()

    assert bpy.ops.movie_director.start_session() == {"FINISHED"}
    assert session.view().state == "starting" and session.view().busy
    drive(lambda: session.view().state == "ready")
    view = session.view()
    if HOST_MODE == "BRIDGE":  # MD_TEST_HOST_MODE: the preference forces the bridge
        assert view.mode == "bridge" and "its own Python 3.11 process" in view.mode_reason
    else:
        assert view.mode == "in_process" and "Python 3.11" in view.mode_reason
    assert view.wangp_version and view.model_count == 144 and view.available_count == 8
    assert session.catalog().get("t2v_1.3B").available

    fake_wangp(available=["t2v_1.3B", "i2v"])
    assert bpy.ops.movie_director.refresh_models() == {"FINISHED"}
    drive(lambda: session.view().available_count == 2)
    assert md.pump() is None  # nothing left to do: the timer may stop

    bpy.ops.movie_director.stop_session()
    assert session.view().state == "stopped" and session.get_host() is None
    assert session.catalog() is not None  # kept for panels and the next Generate


def test_open_preferences_says_why_it_cannot_open_headless(md, fresh_scene):
    # Headless Blender has no window for the preferences; the interface case needs a real window.
    assert not bpy.ops.movie_director.open_preferences.poll()
    with pytest.raises(RuntimeError, match="no window to show the preferences in"):
        bpy.ops.movie_director.open_preferences()


def test_setup_problem_names_what_is_wrong_and_the_view_keeps_it(md, fresh_scene, monkeypatch, tmp_path):
    session, choice = md.runtime.session, md.runtime.host_choice
    assert choice.setup_problem() == ""
    assert session.view().mode_reason == choice.ANIMATIC_REASON

    missing = tmp_path / "WanGP"
    monkeypatch.setenv("WANGP_ROOT", str(missing))
    assert choice.setup_problem() == f"WanGP folder not found: {missing}. " + (
        "Set the WanGP folder in the add-on preferences (or the WANGP_ROOT environment variable)."
    )
    assert session.view().mode_reason.startswith("WanGP folder not found")

    missing.mkdir()
    (missing / "wgp.py").write_text("")
    assert "Not a WanGP install" in choice.setup_problem()
