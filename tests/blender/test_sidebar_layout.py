"""The whole sidebar, per state of a shot, in both editors and at two sidebar widths: Generate is in
reach without scrolling, no sentence is cut, and in the Sequencer the clicked clip's shot is the one
shown. The layout is rebuilt from the recorded draws (see ``sidebar_model`` for the metrics used).

With ``MD_SIDEBAR_DUMP=<folder>`` each state's layout is also written as JSON there, for
``tools/sidebar_pictures.py`` to draw (the pictures in docs/sidebar/).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os

import bpy
import pytest
from sidebar_model import (
    VISIBLE_HEIGHT,
    WIDTHS,
    Layout,
    draw_sidebar,
    find,
    layout_json,
    place_sidebar,
    sentences_cut,
)
from test_panels import RECORDS

STATES = ("no_shot", "first_run", "idle_no_prompt", "generating", "done_with_takes", "failed", "interrupted")
SPACES = ("view3d", "sequencer")
DUMP = os.environ.get("MD_SIDEBAR_DUMP", "")
#: The width of the pictures: a sidebar a little wider than Blender's narrowest.
PICTURE_WIDTH = 280


@pytest.fixture
def world(md, fresh_scene, monkeypatch):
    """A scene with a Cube (the active object) and one shot camera whose clip is on the timeline."""
    scene = fresh_scene
    scene.frame_start, scene.frame_end = 1, 2400  # a real sequence: shots are not the whole scene
    cube = bpy.data.objects.new("Cube", None)
    scene.collection.objects.link(cube)
    camera = bpy.data.objects.new("SH030", bpy.data.cameras.new("SH030"))
    scene.collection.objects.link(camera)
    bpy.context.view_layer.objects.active = camera
    assert bpy.ops.movie_director.mark_shot() == {"FINISHED"}
    shot = camera.movie_director
    shot.frame_start, shot.frame_end = 101, 172
    editor = scene.sequence_editor_create()
    strip = md.compat.new_effect(editor, "SH030", "COLOR", 2, 101, 173)
    strip["md_shot_key"] = md.runtime.keys.shot_key(scene, camera)
    editor.active_strip = strip
    # The 3D View's active object is the Cube for the Sequencer case: the clip must win there.
    bpy.context.view_layer.objects.active = cube
    cat = md.wangp_backend.catalog.ModelCatalog.from_records(RECORDS)
    monkeypatch.setattr(md.runtime.session, "catalog", lambda: cat)
    monkeypatch.setenv("WANGP_ROOT", "/opt/Wan2GP")
    return types_namespace(scene=scene, camera=camera, cube=cube, strip=strip)


def types_namespace(**kw):
    import types

    return types.SimpleNamespace(**kw)


def set_view(md, monkeypatch, **fields):
    view = dataclasses.replace(md.runtime.session.SessionView(), **fields)
    monkeypatch.setattr(md.runtime.session, "view", lambda: view)


def add_take(shot, number: int, **values) -> None:
    take = shot.takes.add()
    take.filepath = f"/projects/film/movie_director/Scene/SH030/SH030_take{number:03d}.mp4"
    take.model_type = values.get("model_type", "t2v")
    take.seed = 1000 + number
    take.created = (datetime.datetime.now() - datetime.timedelta(minutes=7 * (4 - number))).isoformat(
        timespec="seconds")
    take.fps, take.frame_count = 16.0, 49


def make_state(md, world, monkeypatch, state: str) -> None:
    shot = world.camera.movie_director
    ready = {"state": "ready", "mode": "in_process", "wangp_version": "12.60", "wangp_commit": "8681e9f7c0ffee",
             "model_count": 3, "available_count": 1, "vram_gb": 23.5, "busy": state == "generating",
             "queued": 2 if state == "generating" else 0}
    shot.prompt = "A lighthouse keeper climbs the stairs at dusk, storm clouds behind"
    shot.model_type = "t2v"  # installed (see RECORDS); the failed state picks one that is not
    if state == "no_shot":
        set_view(md, monkeypatch, **ready)
        shot.is_shot = False
    elif state == "first_run":
        monkeypatch.delenv("WANGP_ROOT")
        assert not md.preferences.wangp_setup().configured
        shot.model_type = ""  # as Mark Shot left it
        monkeypatch.setattr(md.runtime.session, "catalog", lambda: None)
        set_view(md, monkeypatch, state="stopped", mode="")
        shot.prompt = ""
    elif state == "idle_no_prompt":
        set_view(md, monkeypatch, **ready)
        shot.prompt = ""
    elif state == "generating":
        set_view(md, monkeypatch, **ready)
        add_take(shot, 1)
        shot.active_take_index = 0
        shot.generation_status = "in_progress"
        shot.generation_progress, shot.generation_phase = 45, "denoising"
        shot.generation_step, shot.generation_total_steps = 9, 20
        shot.queued_jobs = 2
        shot.preview_image = bpy.data.images.new("MD Preview SH030", 8, 8)
        monkeypatch.setattr(md.runtime.jobs, "count", lambda: 1)
    elif state == "done_with_takes":
        set_view(md, monkeypatch, **ready)
        for number in (1, 2, 3):
            add_take(shot, number)
        shot.active_take_index = shot.take_list_index = 2
        shot.takes[2].parent_take = shot.takes[1].filepath  # post-processed from take 2
        shot.takes[2].rating = 4
        shot.generation_status = "done"
    elif state == "failed":
        set_view(md, monkeypatch, **ready)
        shot.model_type = "i2v"
        shot.generation_status = "failed"
        shot.error_class = "offline_or_missing_weights"
        shot.error_message = "Wan2.1 Image2video 14B is not downloaded and online access is off"
        shot.error_hint = md.wangp_backend.failures.HINTS["offline_or_missing_weights"]
    elif state == "interrupted":
        set_view(md, monkeypatch, **ready)
        shot.generation_status = "cancelled"
        shot.generation_phase = "Interrupted"
        shot.error_message = md.runtime.batch_queue.INTERRUPTED
        world.scene[md.runtime.batch_queue.ID_PROP] = json.dumps({"version": 1, "entries": []})
    else:
        raise AssertionError(state)


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("state", STATES)
def test_generate_in_reach_and_no_sentence_cut(md, world, monkeypatch, state, space):
    make_state(md, world, monkeypatch, state)
    if space == "view3d":
        bpy.context.view_layer.objects.active = world.camera if state != "no_shot" else world.cube
    for width in WIDTHS:
        # A non-zero icon id: the live preview is drawn as Blender's GUI does (headless gives 0).
        panels, context = draw_sidebar(md, space, width, icon_id=7)
        elements, height = place_sidebar(md, panels, context)
        labels = " ".join(e.text for e in elements if e.kind == "label")
        if DUMP and width == PICTURE_WIDTH:
            os.makedirs(DUMP, exist_ok=True)
            with open(os.path.join(DUMP, f"{state}_{space}.json"), "w", encoding="utf-8") as fh:
                json.dump(layout_json(elements, height, context, f"{state} ({space})"), fh)
        assert not sentences_cut(elements), (state, space, width, sentences_cut(elements))
        # The panels closed by default cut nothing either once the user opens them.
        opened = place_sidebar(md, *draw_sidebar(md, space, width, icon_id=7, open_all=True))[0]
        assert not sentences_cut(opened), (state, space, width, "opened", sentences_cut(opened))
        if state == "no_shot":
            mark = find(elements, "movie_director.mark_shot")
            assert mark is not None and mark.y + mark.h <= VISIBLE_HEIGHT
            assert not find(elements, "movie_director.generate_shot")
            continue
        generate = find(elements, "movie_director.generate_shot", "Generate")
        assert generate is not None, (state, space)
        print(f"{state} {space} {width}px: Generate at {generate.y:.0f}-{generate.y + generate.h:.0f} px, "
              f"sidebar {height:.0f} px")
        assert generate.y + generate.h <= VISIBLE_HEIGHT, (state, space, width, generate.y)
        # The shot shown is the camera's, in the Sequencer too where the Cube is the active object.
        assert "SH030: frames 101-172" in labels, labels
        assert "Cube is not a shot" not in labels
        assert generate.disabled == (state in ("first_run", "idle_no_prompt"))
    if state == "generating":
        shot = world.camera.movie_director
        bpy.data.images.remove(shot.preview_image)


@pytest.fixture
def sequencer_area():
    """A real Sequencer area of the headless screen (its first area, put back afterwards)."""
    area = bpy.context.screen.areas[0]
    old = area.type
    area.type = "SEQUENCE_EDITOR"
    yield area
    area.type = old


def test_sequencer_operators_act_on_the_clicked_clips_shot(md, world, sequencer_area, monkeypatch):
    set_view(md, monkeypatch, state="ready", mode="in_process")
    shot = world.camera.movie_director
    shot.prompt = "a storm"
    shot.camera_mode = "MANUAL"
    shot.camera_movements = {"dolly_in"}
    # The 3D View: the Cube is active, and it is not a shot.
    with pytest.raises(RuntimeError, match="Cube is not a shot"):
        bpy.ops.movie_director.describe_camera()
    region = next(r for r in sequencer_area.regions if r.type == "UI")
    with bpy.context.temp_override(area=sequencer_area, region=region):
        assert bpy.context.space_data.type == "SEQUENCE_EDITOR"
        assert md.runtime.selection.context_shot(bpy.context) == world.camera
        assert bpy.ops.movie_director.generate_shot.poll()
        assert bpy.ops.movie_director.describe_camera() == {"FINISHED"}
        # The model menu writes the clicked clip's shot, not the active object.
        log: list = []
        bpy.types.MOVIE_DIRECTOR_MT_models.draw(types_namespace(layout=Layout(log)), bpy.context)
        paths = {args[0].values["data_path"] for _p, call, args, _kw in log if call == "button"}
        assert paths == {'scene.objects["SH030"].movie_director.model_type'}
        bpy.ops.wm.context_set_string(data_path=paths.pop(), value="ltx2")
        # No Movie Director clip active: the active object again (the Cube, not a shot).
        world.scene.sequence_editor.active_strip = None
        assert md.runtime.selection.context_shot(bpy.context) is None
        assert not bpy.ops.movie_director.generate_shot.poll()
    assert shot.model_type == "ltx2" and world.cube.movie_director.model_type == ""
    assert shot.camera_wording


def test_generate_needs_a_prompt_and_says_so(md, world):
    bpy.context.view_layer.objects.active = world.camera
    world.camera.movie_director.prompt = "   "
    with pytest.raises(RuntimeError, match="SH030 has no prompt: write what happens"):
        bpy.ops.movie_director.generate_shot()
