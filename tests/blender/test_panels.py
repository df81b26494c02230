"""The sidebar panels and menus, drawn headless with a recording layout (no real UILayout exists in
background mode; see notes/bpy-headless.md §2j).

The recorder checks every call as it happens: ``prop`` names a real RNA property, ``operator`` a
registered operator and every property set on its button exists, ``menu``/``template_list`` name
registered classes, icons exist. Tests then assert what each state of a shot or session shows.
"""

from __future__ import annotations

import dataclasses
import json
import types

import bpy
import pytest
from sidebar_model import Layout, OpButton

RECORDS = (
    {
        "model_type": "t2v",
        "name": "Wan2.1 Text2video 14B",
        "family": "wan",
        "family_label": "Wan",
        "availability": "available",
        "media_inputs": {"image": {"start": False, "end": False}},
    },
    {
        "model_type": "i2v",
        "name": "Wan2.1 Image2video 14B",
        "family": "wan",
        "family_label": "Wan",
        "availability": "missing",
        "media_inputs": {"image": {"start": True, "end": False}},
    },
    {
        "model_type": "ltx2",
        "name": "LTX-2 Distilled",
        "family": "ltx2",
        "family_label": "LTX-2",
        "availability": "unknown",
        "media_inputs": {"image": {"start": True, "end": True}},
    },
)


class Drawn:
    """The log of one draw, with the questions tests ask of it."""

    def __init__(self, log: list) -> None:
        self.log = log

    def calls(self, name: str) -> list[tuple]:
        return [(args, kw) for _path, call, args, kw in self.log if call == name]

    def buttons(self, idname: str = "") -> list[OpButton]:
        return [args[0] for args, _kw in self.calls("button") if not idname or args[0].idname == idname]

    def operators(self) -> set[str]:
        named = {b.idname for b in self.buttons()}
        return named | {args[0] for args, _kw in self.calls("operator_menu_enum")}

    def label_list(self) -> list[str]:
        return [kw.get("text", "") for _args, kw in self.calls("label")]

    def labels(self) -> str:
        """All label texts as one line, so texts wrapped over several labels still match."""
        return " ".join(self.label_list())

    def props(self) -> list[str]:
        return [args[1] for args, _kw in self.calls("prop")]


def draw(cls, context=None, icon_id: int = 0) -> Drawn:
    log: list = []
    cls.draw(types.SimpleNamespace(layout=Layout(log, icon_id)), context or bpy.context)
    return Drawn(log)


def draw_item(ui_list_cls, shot, index: int, layout_type: str = "DEFAULT") -> Drawn:
    log: list = []
    self = types.SimpleNamespace(layout_type=layout_type)
    ui_list_cls.draw_item(
        self, bpy.context, Layout(log), shot, shot.takes[index], 0, shot, "active_take_index", index, 0
    )
    return Drawn(log)


def panel(name: str, space: str = "view3d"):
    return getattr(bpy.types, f"MOVIE_DIRECTOR_PT_{name}_{space}")


PANELS = ("start", "session", "shot", "shot_camera", "shot_images", "shot_guide", "shot_advanced", "generate",
          "takes", "batch", "cast")
SHOT_PANELS = ("shot_camera", "shot_images", "shot_guide", "shot_advanced", "generate", "takes")


@pytest.fixture
def session_view(md, monkeypatch):
    """Set what ``runtime.session.view()`` reports: ``session_view(state="failed", ...)``."""
    session = md.runtime.session

    def set_view(**fields):
        view = dataclasses.replace(session.SessionView(), **fields)
        monkeypatch.setattr(session, "view", lambda: view)
        return view

    set_view(state="ready", mode="in_process", wangp_version="12.60", model_count=3, available_count=1)
    return set_view


@pytest.fixture
def catalog(md, monkeypatch):
    cat = md.wangp_backend.catalog.ModelCatalog.from_records(RECORDS)
    monkeypatch.setattr(md.runtime.session, "catalog", lambda: cat)
    return cat


@pytest.fixture
def no_wangp(md, monkeypatch):
    """No WanGP configured anywhere: the add-on falls back to the layout animatic."""
    for name in ("WANGP_ROOT", "WANGP_SITE_PACKAGES", "WANGP_ARGS"):
        monkeypatch.delenv(name, raising=False)
    prefs = md.preferences.get_prefs()
    saved = prefs.wangp_root if prefs is not None else ""
    if prefs is not None:
        prefs.wangp_root = ""  # monkeypatch cannot undo on a bpy_struct (it deletes the attribute)
    yield
    if prefs is not None:
        prefs.wangp_root = saved


@pytest.fixture
def shot(md, session_view, catalog):
    """A camera marked as a shot, active in the view layer; removed afterwards."""
    scene = bpy.context.scene
    obj = bpy.data.objects.new("PanelShot", bpy.data.cameras.new("PanelShot"))
    scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    shot = obj.movie_director
    shot.is_shot = True
    shot.shot_id = "panel-shot"
    shot.prompt = "a lighthouse at dusk"
    shot.quality = "FINAL"
    yield obj
    camera = obj.data
    bpy.data.objects.remove(obj)
    bpy.data.cameras.remove(camera)


def add_take(shot, name: str, **values):
    take = shot.takes.add()
    take.filepath = f"/takes/{name}.mp4"
    take.model_type = values.pop("model_type", "t2v")
    take.seed = values.pop("seed", 7)
    take.created = values.pop("created", "2026-11-21T20:19:33")
    for key, value in values.items():
        setattr(take, key, value)
    return take


# --- registration -----------------------------------------------------------------------------------


def test_every_panel_is_in_both_sidebars(md):
    for name in PANELS:
        for space, space_type in (("view3d", "VIEW_3D"), ("sequencer", "SEQUENCE_EDITOR")):
            cls = panel(name, space)
            assert cls.bl_space_type == space_type and cls.bl_region_type == "UI"
            assert cls.bl_category == "Movie Director"
    assert panel("shot_advanced", "sequencer").bl_parent_id == "MOVIE_DIRECTOR_PT_shot_sequencer"
    assert len([c for c in md.panels.classes if issubclass(c, bpy.types.Panel)]) == 2 * len(PANELS)


# --- session ----------------------------------------------------------------------------------------


def test_session_ready_shows_version_models_vram_and_stop(session_view):
    session_view(
        state="ready",
        mode="in_process",
        wangp_version="12.60",
        model_count=144,
        available_count=9,
        vram_gb=23.5,
        mode_reason="WanGP from /opt/wan",
        busy=True,
        queued=2,
    )
    drawn = draw(panel("session"))
    labels = drawn.labels()
    assert "WanGP from /opt/wan" in labels and "Jobs queued or running: 2" in labels
    assert "State: Ready" in labels and "WanGP 12.60" in labels
    assert "Models: 144 (9 downloaded)" in labels and "VRAM: 23.5 GB" in labels
    assert "Running WanGP in Blender" in labels
    assert drawn.buttons("movie_director.stop_session") and not drawn.buttons("movie_director.start_session")
    assert drawn.buttons("movie_director.refresh_models")
    assert not drawn.buttons("movie_director.open_preferences")


def test_session_stopped_without_wangp_says_animatic_not_ai(session_view, no_wangp):
    session_view(state="stopped", mode="")
    drawn = draw(panel("session", "sequencer"))
    labels = drawn.labels()
    assert "not AI" in labels and "WanGP folder in Preferences" in labels
    assert "VRAM" not in labels  # the animatic needs no GPU
    assert drawn.buttons("movie_director.start_session")


def test_session_animatic_mode_says_not_ai(session_view):
    session_view(state="ready", mode="animatic", mode_reason="WanGP is not set up")
    labels = draw(panel("session")).labels()
    assert "a Blender render of your layout, not AI" in labels
    assert "WanGP is not set up" not in labels  # the animatic text already says it


def test_session_failed_offers_preferences(session_view):
    session_view(state="failed", mode="", message="WanGP folder not found: /x", hint="Set the WanGP folder")
    drawn = draw(panel("session"))
    labels = drawn.labels()
    assert "WanGP folder not found: /x" in labels and "Set the WanGP folder" in labels
    assert drawn.buttons("movie_director.open_preferences")
    assert drawn.buttons("movie_director.start_session")


# --- no shot ----------------------------------------------------------------------------------------


def test_no_shot_selected_offers_mark_shot(md, session_view):
    scene = bpy.context.scene
    obj = bpy.data.objects.new("NotAShot", None)
    scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    try:
        drawn = draw(panel("shot"))
        assert drawn.buttons("movie_director.mark_shot")
        assert "NotAShot is not a shot" in drawn.labels()
        assert not drawn.props()
        for name in SHOT_PANELS:
            assert not panel(name).poll(bpy.context), name
    finally:
        bpy.data.objects.remove(obj)
    bpy.context.view_layer.objects.active = None
    assert "Select a camera" in draw(panel("shot")).labels()


# --- shot -------------------------------------------------------------------------------------------


def test_shot_panel_shows_the_shot_fields(shot):
    # The prompt sits with Generate, first in the sidebar; the rest of the shot's settings follow.
    assert draw(panel("generate")).props() == ["prompt"]
    drawn = draw(panel("shot"))
    for name in (
        "negative_prompt",
        "fallback_model_type",
        "quality",
        "frame_start",
        "frame_end",
        "resolution",
        "seed",
    ):
        assert name in drawn.props(), name
    menus = {args[0]: kw["text"] for args, kw in drawn.calls("menu")}
    assert menus == {
        "MOVIE_DIRECTOR_MT_templates": "None",
        "MOVIE_DIRECTOR_MT_models": "Automatic",
        "MOVIE_DIRECTOR_MT_fallback_models": "",
    }
    assert "Automatic: chosen by the quality tier" in drawn.labels()
    advanced = draw(panel("shot_advanced"))
    assert advanced.props() == ["steps", "guidance"]


@pytest.mark.parametrize(
    ("model_type", "label", "status"),
    (
        ("t2v", "Wan2.1 Text2video 14B", "Downloaded"),
        ("i2v", "Wan2.1 Image2video 14B", "Not downloaded"),
        ("ltx2", "LTX-2 Distilled", "Availability unknown"),
        ("wan_nope", "wan_nope", "Unknown model: wan_nope"),
    ),
)
def test_shot_model_shows_availability(shot, model_type, label, status):
    shot.movie_director.model_type = model_type
    drawn = draw(panel("shot"))
    menus = {args[0]: kw["text"] for args, kw in drawn.calls("menu")}
    assert menus["MOVIE_DIRECTOR_MT_models"] == label
    assert status in drawn.labels()


def test_shot_template_label_and_description(md, shot):
    library = md.runtime.session.templates()
    name = library.names()[0]
    shot.movie_director.template = name
    drawn = draw(panel("shot"))
    menus = {args[0]: kw["text"] for args, kw in drawn.calls("menu")}
    assert menus["MOVIE_DIRECTOR_MT_templates"] == library.get(name).label
    assert library.get(name).description.split()[0] in drawn.labels()
    shot.movie_director.template = "no_such_template"
    assert "Template not found: no_such_template" in draw(panel("shot")).labels()


def test_camera_manual_moves_and_wording(md, shot):
    shot.movie_director.camera_mode = "MANUAL"
    shot.movie_director.camera_wording = "slow dolly in"
    drawn = draw(panel("shot_camera"))
    moves = [args[2] for args, _kw in drawn.calls("prop_enum")]
    assert moves == [move_id for move_id, _label, _wording in md.properties.CAMERA_MOVE_ITEMS]
    assert "slow dolly in" in drawn.labels()
    assert drawn.buttons("movie_director.describe_camera")

    shot.movie_director.camera_mode = "DERIVED"
    drawn = draw(panel("shot_camera"))
    assert not drawn.calls("prop_enum") and "PanelShot's animation" in drawn.labels()
    shot.movie_director.camera_mode = "NONE"
    assert not draw(panel("shot_camera")).buttons("movie_director.describe_camera")


def test_images_fields_per_source_and_model_check(shot):
    md_shot = shot.movie_director
    md_shot.start_image_source = "FILE"
    md_shot.end_image_source = "IMAGE"
    drawn = draw(panel("shot_images"))
    assert "start_image" in drawn.props()
    assert [args[1] for args, _kw in drawn.calls("template_ID")] == ["end_image_data"]

    md_shot.model_type = "i2v"  # takes a start image, no end image
    labels = draw(panel("shot_images")).labels()
    assert "takes no end image" in labels and "takes no start image" not in labels
    md_shot.start_image_source = "PREVIOUS_SHOT"
    assert "previous shot's active take" in draw(panel("shot_images")).labels()


def test_guide_fields_pose_map_and_blockout_warning(shot):
    md_shot = shot.movie_director
    drawn = draw(panel("shot_guide"))
    assert {"guide", "keyframes", "continue_previous"} <= set(drawn.props())
    assert "guide_strength" not in drawn.props() and "pose_rig" not in drawn.props()
    md_shot.guide, md_shot.keyframes = "DEPTH_POSE", "FIRST"
    bpy.context.scene.render.engine = "BLENDER_WORKBENCH"
    bpy.ops.movie_director.edit_pose_bones(action="ADD")
    assert md_shot.pose_rig == "CUSTOM" and md_shot.pose_bone_map[0].keypoint == "nose"
    drawn = draw(panel("shot_guide"))
    assert {"guide_strength", "pose_rig", "keypoint", "bone", "keyframe_first_image"} <= set(drawn.props())
    assert "grey blockout still makes a grey clip" in drawn.labels()
    bpy.ops.movie_director.edit_pose_bones(action="REMOVE", index=0)
    assert len(md_shot.pose_bone_map) == 0


# --- generate ---------------------------------------------------------------------------------------


def test_generate_idle(shot):
    drawn = draw(panel("generate"))
    (button,) = drawn.buttons("movie_director.generate_shot")
    assert button.values == {"quality": "FINAL"}
    assert not drawn.buttons("movie_director.cancel")
    assert not drawn.calls("progress")


def test_generate_in_progress_shows_bar_with_factor(shot):
    md_shot = shot.movie_director
    md_shot.generation_status = "in_progress"
    md_shot.generation_progress = 40
    md_shot.generation_phase = "denoising"
    md_shot.generation_step, md_shot.generation_total_steps = 8, 20
    md_shot.queued_jobs = 2
    drawn = draw(panel("generate", "sequencer"))
    ((_args, kw),) = drawn.calls("progress")
    assert kw["factor"] == pytest.approx(0.4) and kw["text"] == "Denoising: step 8/20"
    (cancel,) = drawn.buttons("movie_director.cancel")
    assert cancel.values == {"scope": "SHOT"}
    assert "1 more queued" in drawn.labels()


def test_progress_falls_back_to_a_label(md, shot, monkeypatch):
    monkeypatch.setattr(md.panels.base, "HAS_PROGRESS", False)
    shot.movie_director.generation_status = "in_progress"
    shot.movie_director.generation_progress = 55
    shot.movie_director.generation_phase = "loading model"
    drawn = draw(panel("generate"))
    assert not drawn.calls("progress")
    assert "Loading model (55%)" in drawn.labels()


def test_generate_queued_offers_cancel(shot):
    shot.movie_director.generation_status = "queued"
    drawn = draw(panel("generate"))
    assert "Queued" in drawn.labels() and drawn.buttons("movie_director.cancel")


@pytest.mark.parametrize(
    ("error_class", "model_type", "message", "fix_op", "fix_values"),
    (
        ("environment", "", "WanGP could not be imported", "movie_director.open_preferences", {}),
        ("offline_or_missing_weights", "i2v", "Weights missing", "movie_director.choose_available_model", {}),
        ("validation", "wan_nope", "Bad settings", "movie_director.choose_available_model", {}),
        ("validation", "i2v", "Not downloaded", "movie_director.choose_available_model", {}),
        ("validation", "t2v", "Resolution must be WxH", None, None),
        ("out_of_memory", "t2v", "CUDA out of memory", "movie_director.generate_shot", {"quality": "PREVIEW"}),
        ("runtime", "t2v", "Decoder crashed", "movie_director.generate_shot", {"quality": "FINAL"}),
    ),
)
def test_failed_error_box_offers_the_fix(shot, error_class, model_type, message, fix_op, fix_values):
    md_shot = shot.movie_director
    md_shot.generation_status = "failed"
    md_shot.error_class, md_shot.error_message, md_shot.error_hint = error_class, message, "Do this next"
    md_shot.model_type = model_type
    drawn = draw(panel("generate"))
    assert message in drawn.labels() and "Do this next" in drawn.labels()
    # The box is the alerted one; its buttons are the fix (the Generate button sits above it) and the log.
    assert drawn.buttons("movie_director.open_log")
    fixes = [
        b for b in drawn.buttons() if b.text not in ("Generate", "Cancel") and b.idname != "movie_director.open_log"
    ]
    if fix_op is None:
        assert fixes == []
    else:
        (fix,) = fixes
        assert fix.idname == fix_op and fix.values == fix_values


@pytest.mark.parametrize(
    ("start_image", "message", "fix_op"),
    (
        # The text names a model, the model is fine: the class and the catalog decide, not the words.
        ("NONE", "The model's prompt is too long", None),
        # t2v cannot take a start image: the catalog says so whatever the message says.
        ("CAMERA_FRAME", "Bad settings", "movie_director.choose_available_model"),
    ),
)
def test_the_fix_comes_from_the_class_and_the_catalog_not_the_text(shot, start_image, message, fix_op):
    md_shot = shot.movie_director
    md_shot.generation_status = "failed"
    md_shot.error_class, md_shot.error_message, md_shot.model_type = "validation", message, "t2v"
    md_shot.start_image_source = start_image
    drawn = draw(panel("generate"))
    fixes = [b.idname for b in drawn.buttons() if b.text not in ("Generate", "Cancel")
             and b.idname != "movie_director.open_log"]
    assert fixes == ([fix_op] if fix_op else [])


def test_a_failure_of_an_unknown_class_offers_no_fix(md):
    assert md.panels.fixes.fix_for_failure("guide", True, "FINAL") is None
    assert md.panels.fixes.fix_for_failure("", True, "FINAL") is None
    assert md.panels.fixes.fix_for_failure("validation", True, "FINAL") is md.panels.fixes.CHOOSE_MODEL


def test_preview_tolerates_icon_zero_and_shows_the_image(shot):
    image = bpy.data.images.new("MD Preview PanelShot", 8, 8)
    shot.movie_director.preview_image = image
    shot.movie_director.generation_status = "in_progress"  # the preview is for watching a job
    try:
        headless = draw(panel("generate"), icon_id=0)
        assert not headless.calls("template_icon") and "MD Preview PanelShot" in headless.labels()
        drawn = draw(panel("generate"), icon_id=42)
        ((_args, kw),) = drawn.calls("template_icon")
        assert kw == {"icon_value": 42, "scale": 8}
    finally:
        shot.movie_director.preview_image = None
        bpy.data.images.remove(image)


def test_generate_in_animatic_mode_says_not_ai(shot, session_view):
    session_view(state="ready", mode="animatic")
    assert "not AI" in draw(panel("generate")).labels()
    session_view(state="ready", mode="in_process")
    assert "not AI" not in draw(panel("generate")).labels()


# --- takes ------------------------------------------------------------------------------------------


def test_an_animatic_take_says_it_is_the_layout_animatic_without_a_seed(md, shot):
    md_shot = shot.movie_director
    md_shot.generation_status = "done"
    add_take(md_shot, "PanelShot_take001", seed=0, model_type="layout_animatic")
    md_shot.active_take_index = 0
    labels = draw(panel("takes")).labels()
    assert "Layout animatic (a Blender render, not AI)" in labels
    assert "layout_animatic" not in labels and "seed" not in labels


def test_done_with_takes_lists_them_and_notes_the_fallback(md, shot):
    md_shot = shot.movie_director
    md_shot.generation_status = "done"
    add_take(md_shot, "PanelShot_take001", seed=11)
    add_take(
        md_shot,
        "PanelShot_take002",
        seed=12,
        model_type="ltx2",
        used_fallback=True,
        primary_error="out of memory on t2v",
        fps=24.0,
        frame_count=49,
    )
    md_shot.active_take_index = 1

    generate = draw(panel("generate"))
    assert "Done" in generate.labels()
    assert "fallback model ltx2" in generate.labels() and "out of memory on t2v" in generate.labels()

    takes = draw(panel("takes"))
    ((args, _kw),) = takes.calls("template_list")
    assert args[0] == "MOVIE_DIRECTOR_UL_takes" and args[3] == "takes" and args[5] == "take_list_index"
    assert "49 frames at 24 fps" in takes.labels()
    assert takes.buttons("movie_director.export_settings")

    # The active take's file, model and seed under the list; each row its number and age.
    assert "PanelShot_take002" in takes.labels() and "ltx2, seed 12" in takes.labels()
    ui_list = md.panels.takes_list.MOVIE_DIRECTOR_UL_takes
    first, second = draw_item(ui_list, md_shot, 0), draw_item(ui_list, md_shot, 1)
    (pick,) = first.buttons("movie_director.set_active_take")
    assert pick.values == {"index": 0} and pick.text == "Take 1"
    assert "11-21 20:19" in first.labels()  # older than a week: its day and minute
    assert second.buttons("movie_director.set_active_take")[0].values == {"index": 1}
    fallback_marks = [kw for _args, kw in second.calls("label") if kw.get("icon") == "ERROR"]
    assert fallback_marks and not [kw for _args, kw in first.calls("label") if kw.get("icon") == "ERROR"]
    assert draw_item(ui_list, md_shot, 1, "GRID").buttons("movie_director.set_active_take")


def test_takes_empty(shot):
    drawn = draw(panel("takes"))
    assert "No takes yet" in drawn.labels() and not drawn.calls("template_list")


# --- batch ------------------------------------------------------------------------------------------


def test_batch_progress_and_summary(md):
    scene_md = bpy.context.scene.movie_director
    scene_md.batch_total, scene_md.batch_done, scene_md.batch_failed = 4, 2, 1
    scene_md.batch_summary = "Generated 1 | Failed 1 | Skipped 0"
    scene_md.only_changed = False
    try:
        drawn = draw(panel("batch"))
        ((_args, kw),) = drawn.calls("progress")
        assert kw["factor"] == pytest.approx(0.5) and kw["text"] == "2 of 4 shots"
        runs = drawn.buttons("movie_director.generate_scene")
        # The first runs each shot at its own quality; "Only Changed" is read from the scene by the operator.
        assert [b.values for b in runs] == [{}, {"quality": "PREVIEW"}, {"quality": "STANDARD"}, {"quality": "FINAL"}]
        assert not drawn.buttons("movie_director.cancel")  # nothing runs: no Cancel All
        assert "Generated 1 | Failed 1" in drawn.labels() and "only_changed" in drawn.props()
        assert drawn.buttons("movie_director.open_log")  # the whole report
    finally:
        scene_md.batch_total = scene_md.batch_done = scene_md.batch_failed = 0
        scene_md.batch_summary = ""
        scene_md.only_changed = True
    assert not draw(panel("batch")).calls("progress")


# --- menus ------------------------------------------------------------------------------------------


@pytest.fixture
def user_template(md, tmp_path):
    """A template of the user's own, in the User Templates folder; the preference is put back after."""
    (tmp_path / "noir_rain.json").write_text(json.dumps({
        "id": "noir_rain", "label": "Noir Rain", "description": "Wet streets, hard light",
        "prompt_pattern": "{prompt}, film noir, rain",
    }))
    prefs = md.preferences.get_prefs()
    saved = prefs.templates_dir
    prefs.templates_dir = str(tmp_path)  # its update reloads the library
    yield tmp_path
    prefs.templates_dir = saved


def test_menus_list_every_public_operator(md, shot, user_template):
    add_take(shot.movie_director, "PanelShot_take001")
    seen: set[str] = set()
    for menu in ("MOVIE_DIRECTOR_MT_main", "MOVIE_DIRECTOR_MT_templates", "MOVIE_DIRECTOR_MT_takes",
                 "MOVIE_DIRECTOR_MT_user_templates"):
        seen |= draw(getattr(bpy.types, menu)).operators()
    registered = {f"movie_director.{name}" for name in dir(bpy.ops.movie_director)}
    assert len(registered) >= 13
    assert registered <= seen, f"not in any menu (F3 cannot find them): {sorted(registered - seen)}"


def test_menus_hang_in_the_3d_view_and_the_sequencer(md):
    for host in md.menus.HOST_MENUS:
        assert md.menus.draw_host_menu in getattr(bpy.types, host)._dyn_ui_initialize()
    log: list = []
    md.menus.draw_host_menu(types.SimpleNamespace(layout=Layout(log)), bpy.context)
    assert [args[0] for _p, call, args, _kw in log if call == "menu"] == ["MOVIE_DIRECTOR_MT_main"]
    assert {"VIEW3D_MT_object", "SEQUENCER_MT_strip"} == set(md.menus.HOST_MENUS)


def test_takes_menu_picks_a_take(shot):
    md_shot = shot.movie_director
    add_take(md_shot, "PanelShot_take001")
    add_take(md_shot, "PanelShot_take002")
    buttons = draw(bpy.types.MOVIE_DIRECTOR_MT_takes).buttons("movie_director.set_active_take")
    assert [(b.text, b.values) for b in buttons] == [
        ("PanelShot_take001", {"index": 0}),
        ("PanelShot_take002", {"index": 1}),
    ]


def test_template_menu_applies_each_template(md, shot):
    library = md.runtime.session.templates()
    buttons = draw(bpy.types.MOVIE_DIRECTOR_MT_templates).buttons("movie_director.apply_template")
    assert [b.values["template"] for b in buttons] == library.names()
    assert len(buttons) >= 8


def test_model_menu_writes_model_type_with_marks(catalog):
    drawn = draw(bpy.types.MOVIE_DIRECTOR_MT_models)
    entries = drawn.buttons("wm.context_set_string")
    assert {b.values["data_path"] for b in entries} == {"active_object.movie_director.model_type"}
    assert [b.values["value"] for b in entries] == ["", "ltx2", "i2v", "t2v"]
    icons = {kw["text"]: kw["icon"] for _args, kw in drawn.calls("operator")}
    assert icons["Wan2.1 Text2video 14B"] == "CHECKMARK"
    assert icons["Wan2.1 Image2video 14B"] == "IMPORT"
    assert icons["LTX-2 Distilled"] == "QUESTION"
    assert {"Wan", "LTX-2"} <= set(drawn.label_list())


def test_model_menu_without_catalog(md, monkeypatch):
    monkeypatch.setattr(md.runtime.session, "catalog", lambda: None)
    drawn = draw(bpy.types.MOVIE_DIRECTOR_MT_models)
    assert [b.values["value"] for b in drawn.buttons("wm.context_set_string")] == [""]
    assert "Start the session" in drawn.labels()


def test_model_menu_entry_sets_the_shot_model(shot):
    # The entries rely on Blender's own operator resolving this path from the sidebar's context.
    with bpy.context.temp_override(active_object=shot):
        bpy.ops.wm.context_set_string(data_path="active_object.movie_director.model_type", value="i2v")
    assert shot.movie_director.model_type == "i2v"


def test_a_user_template_can_be_removed_and_is_kept_aside(md, shot, user_template):
    library = md.runtime.session.templates()
    assert library.user_made("noir_rain")
    entries = draw(bpy.types.MOVIE_DIRECTOR_MT_user_templates).buttons("movie_director.remove_template")
    assert [(b.text, b.values) for b in entries] == [("Noir Rain", {"template": "noir_rain"})]
    builtin = next(n for n in library.names() if not library.user_made(n))
    with pytest.raises(RuntimeError, match="built in and cannot be removed"):
        bpy.ops.movie_director.remove_template(template=builtin)
    assert bpy.ops.movie_director.remove_template(template="noir_rain") == {"FINISHED"}
    assert md.runtime.session.templates().get("noir_rain") is None
    assert (user_template / "removed" / "noir_rain.json").is_file()
    assert "No templates of yours" in draw(bpy.types.MOVIE_DIRECTOR_MT_user_templates).labels()
