"""Templates on shots in real Blender: applying one, undoing it, and the user's own templates folder.

Undo is exercised for real: ``bpy.ops.<op>('EXEC_DEFAULT', True)`` asks Blender to push the
operator's undo step as a click does (a plain Python call never pushes one), and ``ed.undo`` /
``ed.redo`` work headless once the stack has steps. Undo reloads Blender's data, so objects are
always looked up again by name afterwards, never through a reference from before.
"""

from __future__ import annotations

import json
import os

import bpy
import pytest

SHOT = "SH010"


def _shot() -> bpy.types.Object:
    return bpy.data.objects[SHOT]


def _state() -> tuple:
    """What applying a template may change on the shot."""
    shot = _shot().movie_director
    return shot.template, frozenset(shot.camera_movements), shot.camera_mode, shot.quality, shot.resolution


def test_apply_template_sets_its_look_and_camera_moves(md, fresh_scene, make_shot):
    shot = make_shot(SHOT, 1, 24).movie_director
    product = md.runtime.session.templates().get("product")

    assert bpy.ops.movie_director.apply_template(template="product") == {"FINISHED"}

    assert shot.template == "product"
    assert set(shot.camera_movements) == set(product.camera_movements) == {"orbit_left"}
    assert shot.camera_mode == "MANUAL"  # was NONE: the template's moves must reach the prompt
    assert shot.quality == product.tier == "FINAL"
    assert shot.resolution == "128x96"  # the template leaves the resolution to the shot
    bpy.ops.movie_director.describe_camera()
    assert shot.camera_wording == "orbit left around the subject"


def test_apply_template_keeps_a_derived_camera(md, fresh_scene, make_shot):
    shot = make_shot(SHOT, 1, 24).movie_director
    shot.camera_mode = "DERIVED"

    bpy.ops.movie_director.apply_template(template="noir")

    # The moves are stored for the Manual mode, but the camera's own animation still speaks.
    assert shot.camera_mode == "DERIVED" and set(shot.camera_movements) == {"dolly_in"}


def test_apply_template_is_one_undo_step(md, fresh_scene, make_shot):
    assert "UNDO" in md.operators.MOVIE_DIRECTOR_OT_apply_template.bl_options
    make_shot(SHOT, 1, 24)
    before = _state()
    bpy.ops.ed.undo_push(message="Shot made")

    assert bpy.ops.movie_director.apply_template("EXEC_DEFAULT", True, template="noir") == {"FINISHED"}
    after_noir = _state()
    bpy.ops.movie_director.apply_template("EXEC_DEFAULT", True, template="product")
    after_product = _state()
    assert before != after_noir != after_product

    bpy.ops.ed.undo()
    assert _state() == after_noir  # each application is its own step
    bpy.ops.ed.undo()
    assert _state() == before
    assert _shot().movie_director.is_shot  # the shot itself is untouched
    bpy.ops.ed.redo()
    assert _state() == after_noir


def test_unknown_template_is_an_error_and_changes_nothing(md, fresh_scene, make_shot):
    make_shot(SHOT, 1, 24)
    bpy.ops.movie_director.apply_template(template="noir")
    before = _state()

    with pytest.raises(RuntimeError, match=r"Unknown template 'no_such_look'; known: action, .*noir") as error:
        bpy.ops.movie_director.apply_template(template="no_such_look")

    assert "dreamy" in str(error.value)
    assert _state() == before


def test_empty_template_removes_only_the_template(md, fresh_scene, make_shot):
    make_shot(SHOT, 1, 24)
    bpy.ops.movie_director.apply_template(template="noir")
    _template, moves, mode, quality, resolution = _state()

    bpy.ops.movie_director.apply_template(template="")

    assert _state() == ("", moves, mode, quality, resolution)


@pytest.fixture
def user_templates(md, tmp_path):
    """A user templates folder set in the preferences: an override, a new template and two broken files.

    The library is read again at the end so later tests see the built-in templates only.
    """
    folder = tmp_path / "my_templates"
    folder.mkdir()
    (folder / "noir.json").write_text(json.dumps({
        "id": "noir",
        "label": "House Noir",
        "description": "Our studio's noir",
        "prompt_pattern": "House noir, silver and ink: {prompt}",
        "tier": "PREVIEW",
        "aspect": "4:3",
        "resolution": "320x240",
        "camera_movements": ["pan_left", "tilt_up"],
    }))
    (folder / "western.json").write_text(json.dumps({
        "id": "western",
        "prompt_pattern": "Dusty western: {prompt}",
        "camera_movements": ["truck_left"],
    }))
    (folder / "broken.json").write_text('{"id": "broken", "prompt_pattern": "{prompt}",')
    (folder / "whip.json").write_text(json.dumps({"id": "whip", "prompt_pattern": "{prompt}",
                                                  "camera_movements": ["whip_pan"]}))
    prefs = bpy.context.preferences.addons[md.__name__].preferences
    prefs.templates_dir = str(folder)
    yield folder
    prefs.templates_dir = ""
    md.runtime.session.reload_templates(bpy.context)


def test_user_templates_override_the_built_in_ones_and_name_broken_files(
    md, fake_wangp, fresh_scene, make_shot, drive, user_templates, capsys
):
    session = md.runtime.session
    bpy.ops.movie_director.start_session()
    drive(session.ready)
    capsys.readouterr()

    assert bpy.ops.movie_director.refresh_models() == {"FINISHED"}

    out = capsys.readouterr().out
    assert f"Warning: {user_templates / 'broken.json'}: not valid JSON" in out
    assert f"Warning: {user_templates / 'whip.json'}: unknown camera move(s) whip_pan" in out
    log = bpy.data.texts["Movie Director Log"].as_string()
    assert str(user_templates / "broken.json") in log and str(user_templates / "whip.json") in log

    library = session.templates()
    assert library.get("noir").label == "House Noir"
    assert {"western", "dreamy", "action"} <= set(library.names())
    assert "broken" not in library.names() and "whip" not in library.names()

    shot = make_shot(SHOT, 1, 24).movie_director
    bpy.ops.movie_director.apply_template(template="noir")
    assert set(shot.camera_movements) == {"pan_left", "tilt_up"}
    assert (shot.quality, shot.resolution) == ("PREVIEW", "320x240")
    spec = md.runtime.snapshot.read_spec(bpy.context, bpy.context.scene, _shot(), "")
    built = md.wangp_backend.toolkit.build_settings(spec, session.catalog(), library)
    assert built.settings["prompt"].startswith("House noir, silver and ink: a red cube on a table.")
    assert "Pan left, tilt up." in built.settings["prompt"]


def test_user_template_reaches_the_generated_take(md, fake_wangp, output_dir, make_shot, drive, user_templates):
    bpy.ops.movie_director.start_session()
    drive(md.runtime.session.ready)
    bpy.ops.movie_director.refresh_models()
    obj = make_shot(SHOT, 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    bpy.ops.movie_director.apply_template(template="western")
    obj.movie_director.resolution = "128x96"

    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}

    take = obj.movie_director.takes[0]
    with open(take.sidecar_path, encoding="utf-8") as fh:
        sidecar = json.load(fh)
    assert sidecar["template"] == "western"
    assert sidecar["settings"]["prompt"] == "Dusty western: a red cube on a table. Truck left."
    assert os.path.isfile(take.filepath)


def test_changing_the_templates_folder_reloads_the_templates_at_once(md, user_templates):
    # No session and no Refresh: the preference's update reloads the library.
    assert "western" in md.runtime.session.templates().names()
