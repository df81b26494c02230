"""The cast: characters seen through the shot camera over the range (in frame, out of frame, entering
halfway, an armature's meshes, a collection), the shot's overrides, references reaching the model
(settings, tint of the take) and the take's sidecar recording its cast."""

from __future__ import annotations

import json
import os

import bpy
import numpy as np
import pytest
from guide_scene import box
from video_frames import read_video

AVAILABLE = ("t2v_1.3B", "i2v", "ltx2_22B_distilled", "t2v_2_2")


def _character(name: str, target=None, collection=None, description: str = "", images=()):
    bpy.ops.movie_director.add_character(name=name, description=description)
    character = bpy.context.scene.movie_director.cast[-1]
    character.target = target
    character.collection = collection
    for path in images:
        character.images.add().filepath = path
    return character


def _png(path, colour) -> str:
    image = bpy.data.images.new(os.path.basename(path), 16, 16)
    image.pixels.foreach_set(np.tile(np.array([*colour, 1.0], dtype=np.float32), 16 * 16))
    image.filepath_raw, image.file_format = str(path), "PNG"
    image.save()
    bpy.data.images.remove(image)
    return str(path)


def _sidecar(obj) -> dict:
    take = obj.movie_director.takes[obj.movie_director.active_take_index]
    with open(take.sidecar_path, encoding="utf-8") as fh:
        return json.load(fh)


def _mean_colour(obj) -> np.ndarray:
    take = obj.movie_director.takes[obj.movie_director.active_take_index]
    frames, _meta = read_video(bpy.path.abspath(take.filepath))
    return frames.reshape(-1, 3).mean(axis=0)


@pytest.fixture
def layout(md, fresh_scene, make_shot):
    """A shot from 1 to 48 looking down +Y at the origin; Mara stands in frame, Theo far off to the side,
    Kid walks in at frame 24; Rex is an armature whose mesh is in frame; the Crowd is a collection."""
    shot = make_shot("SH010", 1, 48)
    bpy.context.view_layer.objects.active = None
    mara = box("Mara", (0.0, 2.0, 1.0), 1.0)
    theo = box("Theo", (60.0, 2.0, 1.0), 1.0)
    kid = box("Kid", (60.0, 2.0, 1.0), 1.0)
    kid.keyframe_insert("location", frame=23)
    kid.location = (0.5, 2.0, 1.0)
    kid.keyframe_insert("location", frame=24)
    for fcurve in (kid.animation_data.action.fcurves if hasattr(kid.animation_data.action, "fcurves") else ()):
        for point in fcurve.keyframe_points:
            point.interpolation = "CONSTANT"
    rig = bpy.data.objects.new("Rex", bpy.data.armatures.new("Rex"))
    rig.location = (-70.0, 0.0, 0.0)
    bpy.context.scene.collection.objects.link(rig)
    body = box("RexBody", (0.0, 0.0, 0.0), 1.0)
    body.parent = rig
    body.location = (69.5, 3.0, 1.0)  # in frame through its parent, the rig itself far off
    crowd = bpy.data.collections.new("Crowd")
    bpy.context.scene.collection.children.link(crowd)
    extra = box("Extra", (-1.0, 3.0, 1.0), 0.5)
    bpy.context.scene.collection.objects.unlink(extra)
    crowd.objects.link(extra)
    for name, target in (("Mara", mara), ("Theo", theo), ("Kid", kid), ("Rex", rig)):
        _character(name, target=target)
    _character("Crowd", collection=crowd)
    bpy.context.view_layer.objects.active = shot
    bpy.context.scene.frame_set(1)
    return shot


def test_visibility_over_the_range_not_only_the_first_frame(md, layout):
    scene = bpy.context.scene
    scene.frame_set(5)
    seen = md.runtime.cast.seen_characters(bpy.context, scene, layout)
    assert seen == ["Mara", "Kid", "Rex", "Crowd"]  # Theo is out of frame; Kid enters halfway
    assert scene.frame_current == 5
    first_half = layout.movie_director
    first_half.frame_end = 20
    assert "Kid" not in md.runtime.cast.seen_characters(bpy.context, scene, layout)


def test_find_cast_notes_what_the_camera_sees(md, layout):
    assert bpy.ops.movie_director.find_cast() == {"FINISHED"}
    assert layout.movie_director.cast_seen == "Mara, Kid, Rex, Crowd"


def test_overrides_add_remove_and_pin(md, layout):
    bpy.ops.movie_director.set_cast_override(character="Theo", mode="ADD")
    bpy.ops.movie_director.set_cast_override(character="Mara", mode="REMOVE")
    bpy.ops.movie_director.set_cast_override(character="Crowd", mode="PIN")
    seen = md.runtime.cast.seen_characters(bpy.context, bpy.context.scene, layout)
    names = md.runtime.cast.shot_cast_names(bpy.context.scene, layout, seen)
    assert names == [("Crowd", "PINNED"), ("Theo", "ADDED"), ("Kid", "VISIBLE"), ("Rex", "VISIBLE")]
    bpy.ops.movie_director.set_cast_override(character="Mara", mode="CLEAR")
    names = md.runtime.cast.shot_cast_names(bpy.context.scene, layout, seen)
    assert ("Mara", "VISIBLE") in names
    bpy.ops.movie_director.remove_character()  # the selected one: Crowd, the last added
    assert [c.name for c in bpy.context.scene.movie_director.cast] == ["Mara", "Theo", "Kid", "Rex"]
    assert [o.name for o in layout.movie_director.cast_overrides] == ["Theo"]


def test_references_reach_the_model_and_the_sidecar_records_the_cast(md, fake_wangp, output_dir, layout, tmp_path):
    fake_wangp(available=[*AVAILABLE, "vace_1.3B"])
    scene = bpy.context.scene
    for character in list(scene.movie_director.cast)[1:]:
        character.target = character.collection = None  # only Mara stays in the shot
    scene.movie_director.cast[0].description = "a courier in a red coat"
    red = _png(tmp_path / "mara.png", (1.0, 0.05, 0.05))
    scene.movie_director.cast[0].images.add().filepath = red
    board = bpy.data.images.new("MaraBoard", 16, 16)
    board.pixels.foreach_set(np.tile(np.array([0.9, 0.1, 0.1, 1.0], dtype=np.float32), 16 * 16))
    scene.movie_director.cast[0].images.add().image = board
    layout.movie_director.model_type = "vace_1.3B"
    layout.movie_director.seed = 7

    bpy.ops.movie_director.generate_shot()

    record = _sidecar(layout)
    settings = record["settings"]
    saved = os.path.join(output_dir, "Scene", "SH010", "inputs", "SH010_take001_cast_Mara_2.png")
    assert settings["image_refs"] == [red, saved] and os.path.isfile(saved)
    assert settings["video_prompt_type"] == "I" and settings["remove_background_images_ref"] == 1
    assert settings["prompt"] == "a red cube on a table. Cast: Mara (a courier in a red coat)."
    assert record["cast"] == [{"name": "Mara", "description": "a courier in a red coat", "images": [red, saved],
                               "reason": "VISIBLE", "sent": [red, saved]}]
    tinted = _mean_colour(layout)
    scene.movie_director.cast[0].images.clear()
    bpy.ops.movie_director.generate_shot()  # the same prompt and seed, no reference
    plain = _mean_colour(layout)
    assert (tinted[0] - tinted[2]) - (plain[0] - plain[2]) > 60  # the red references reached the model
    assert not _sidecar(layout)["used_fallback"]


def test_a_model_without_references_keeps_the_cast_in_the_prompt(md, fake_wangp, output_dir, layout, tmp_path):
    scene = bpy.context.scene
    scene.movie_director.cast[0].images.add().filepath = _png(tmp_path / "mara.png", (1.0, 0.0, 0.0))
    layout.movie_director.model_type = "t2v_2_2"
    bpy.ops.movie_director.generate_shot()
    record = _sidecar(layout)
    assert "image_refs" not in record["settings"] or not record["settings"]["image_refs"]
    assert "Cast: Mara; Kid; Rex; Crowd." in record["settings"]["prompt"]
    assert any("takes no reference images" in note and "vace" in note for note in record["notes"])
    assert [m["name"] for m in record["cast"]] == ["Mara", "Kid", "Rex", "Crowd"]


def test_a_missing_reference_file_is_refused_with_a_sentence(md, fake_wangp, output_dir, layout, tmp_path):
    bpy.context.scene.movie_director.cast[0].images.add().filepath = str(tmp_path / "gone.png")
    with pytest.raises(RuntimeError, match="Mara's reference image does not exist"):
        bpy.ops.movie_director.generate_shot()
    assert not len(layout.movie_director.takes)
