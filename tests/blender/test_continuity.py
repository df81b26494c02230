"""Continuity across shots: a shot starts from the last frame of the previous shot's active take.

Three shots are generated in timeline order against the WanGP test double. Its clips are a flat
colour chosen by prompt and seed with a white bar that crosses the frame from left (first frame)
to right (last frame), so a start image can be checked for *which* take and *which* frame it is.
"""

from __future__ import annotations

import hashlib
import json
import os

import bpy
import numpy as np
import pytest

#: How far a decoded H.264 colour may be from the colour that was encoded (yuv420p, 8 bit).
COLOUR_TOLERANCE = 0.03


def _fake_clip_colour(prompt: str, seed: int) -> np.ndarray:
    """The test double's colour for a clip (``tests/fake_wangp/shared/fake_media.py``: ``clip_colour``)."""
    digest = hashlib.sha256(f"{prompt}\0{seed}".encode()).digest()
    return np.array([40 + digest[i] * 175 // 255 for i in range(3)], dtype=np.float32) / 255.0


def _sidecar(take) -> dict:
    with open(take.sidecar_path, encoding="utf-8") as fh:
        return json.load(fh)


def _active_take(obj):
    shot = obj.movie_director
    return shot.takes[shot.active_take_index]


def _image(path: str) -> tuple[tuple[int, int], np.ndarray]:
    """``(size, pixels as rows x columns x RGB)`` of an image file, read by Blender."""
    image = bpy.data.images.load(path, check_existing=False)
    try:
        width, height = image.size
        pixels = np.empty(width * height * 4, dtype=np.float32)
        image.pixels.foreach_get(pixels)
        return (width, height), pixels.reshape(height, width, 4)[:, :, :3]
    finally:
        bpy.data.images.remove(image)


def _generate(obj) -> None:
    bpy.context.view_layer.objects.active = obj
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}


def _continuing_shot(make_shot, name: str, start: int, end: int, prompt: str, seed: int):
    obj = make_shot(name, start, end, prompt=prompt)
    shot = obj.movie_director
    shot.model_type = "i2v"
    shot.seed = seed
    shot.start_image_source = "PREVIOUS_SHOT"
    return obj


def _body_colour(rgb: np.ndarray) -> np.ndarray:
    """Mean colour of the left half of a frame: away from the bar whenever the bar is at the right."""
    return rgb[:, : rgb.shape[1] // 2].reshape(-1, 3).mean(axis=0)


def _assert_starts_from_the_end_of(later, earlier, take_index: int) -> str:
    """Check ``later``'s active take started from the last frame of ``earlier``'s take; returns the image path."""
    later_take = _active_take(later)
    sidecar = _sidecar(later_take)
    path = sidecar["settings"]["image_start"]
    assert os.path.isabs(path) and path.endswith(".png")
    take_folder = os.path.dirname(later_take.filepath)
    assert os.path.dirname(path) == os.path.join(take_folder, "inputs")  # the later shot's own folder
    assert os.path.basename(path) == os.path.splitext(os.path.basename(later_take.filepath))[0] + "_start.png"
    assert sidecar["settings"]["image_prompt_type"] == "S"

    earlier_take = earlier.movie_director.takes[take_index]
    assert sidecar["inputs"]["start"] == {
        "source": "PREVIOUS_SHOT",
        "path": path,
        "shot": earlier.name,
        "shot_id": earlier.movie_director.shot_id,
        "take": earlier_take.filepath,
    }

    earlier_sidecar = _sidecar(earlier_take)
    size, rgb = _image(path)
    assert size == (earlier_sidecar["width"], earlier_sidecar["height"])  # the clip's own size, so its aspect
    colour = _fake_clip_colour(earlier_sidecar["settings"]["prompt"], earlier_sidecar["seed"])
    assert np.abs(_body_colour(rgb) - colour).max() < COLOUR_TOLERANCE  # that take's picture...
    bar = max(2, size[0] // 16)
    assert rgb[:, size[0] - bar + 1 : size[0] - 1].min() > 0.9  # ...with the bar at the right: its last frame
    return path


def test_three_shots_chain_through_the_active_takes(md, fake_wangp, output_dir, make_shot):
    first = make_shot("SH010", 1, 24, prompt="a red cube on a table")
    first.movie_director.model_type = "t2v_1.3B"
    first.movie_director.seed = 11
    _generate(first)
    first.movie_director.seed = 22
    _generate(first)
    # The director prefers the first take: continuity must follow the active take, not the newest.
    bpy.context.view_layer.objects.active = first
    bpy.ops.movie_director.set_active_take(index=0)
    assert first.movie_director.active_take_index == 0
    second = _continuing_shot(make_shot, "SH020", 25, 48, "the cube rolls off the table", 33)
    third = _continuing_shot(make_shot, "SH030", 49, 72, "the cube lands on the floor", 44)

    _generate(second)
    _generate(third)

    second_start = _assert_starts_from_the_end_of(second, first, 0)
    third_start = _assert_starts_from_the_end_of(third, second, 0)
    assert second_start.startswith(os.path.join(output_dir, "Scene", "SH020") + os.sep)
    assert third_start.startswith(os.path.join(output_dir, "Scene", "SH030") + os.sep)
    newest = _sidecar(first.movie_director.takes[1])
    newest_colour = _fake_clip_colour(newest["settings"]["prompt"], newest["seed"])
    assert np.abs(_body_colour(_image(second_start)[1]) - newest_colour).max() > COLOUR_TOLERANCE


def test_a_new_take_of_the_earlier_shot_feeds_the_next_take_and_keeps_the_old_input(
    md, fake_wangp, output_dir, make_shot
):
    first = make_shot("SH010", 1, 24)
    first.movie_director.model_type = "t2v_1.3B"
    first.movie_director.seed = 11
    second = _continuing_shot(make_shot, "SH020", 25, 48, "the cube rolls off the table", 33)
    _generate(first)
    _generate(second)
    old_start = _assert_starts_from_the_end_of(second, first, 0)
    with open(old_start, "rb") as fh:
        old_bytes = fh.read()

    first.movie_director.seed = 22
    _generate(first)  # the new take becomes the active one
    _generate(second)

    assert first.movie_director.active_take_index == 1
    new_start = _assert_starts_from_the_end_of(second, first, 1)
    assert new_start != old_start
    with open(old_start, "rb") as fh:
        assert fh.read() == old_bytes  # the first take of SH020 can still be re-made exactly


def test_scene_current_frame_and_scenes_survive_the_extraction(md, fake_wangp, output_dir, make_shot):
    first = make_shot("SH010", 1, 24)
    first.movie_director.model_type = "t2v_1.3B"
    second = _continuing_shot(make_shot, "SH020", 25, 48, "the cube rolls off the table", 33)
    _generate(first)
    scene = bpy.context.scene
    scene.frame_set(30)
    scenes = sorted(s.name for s in bpy.data.scenes)

    _generate(second)

    assert scene.frame_current == 30
    assert sorted(s.name for s in bpy.data.scenes) == scenes


def _named_models(message: str) -> list[str]:
    """The model types listed after "Models that can: " (up to the end of that sentence)."""
    names = message.split("Models that can: ", 1)[1].split(";")[0].split(" and ")[0]
    return [name.strip() for name in names.split(",")]


def _assert_names_models_that_can(message: str, role: str, catalog) -> list[str]:
    names = _named_models(message)
    assert names
    for name in names:
        assert catalog.get(name).accepts_image(role), f"{name} cannot take a {role} image"
    # Models that are ready to run come before ones still to download.
    available = [catalog.get(name).available for name in names]
    assert available == sorted(available, reverse=True)
    return names


def _first_take(make_shot):
    first = make_shot("SH010", 1, 24)
    first.movie_director.model_type = "t2v_1.3B"
    _generate(first)
    return first


def test_start_image_on_a_text_only_model_names_models_that_can(md, fake_wangp, output_dir, make_shot):
    _first_take(make_shot)
    second = _continuing_shot(make_shot, "SH020", 25, 48, "the cube rolls off the table", 33)
    second.movie_director.model_type = "t2v_1.3B"

    with pytest.raises(RuntimeError, match=r"SH020: t2v_1\.3B cannot take a start image\. Models that can: ") as error:
        bpy.ops.movie_director.generate_shot()

    names = _assert_names_models_that_can(str(error.value), "start", md.runtime.session.catalog())
    assert "i2v" in names
    shot = second.movie_director
    assert shot.generation_status == "idle" and len(shot.takes) == 0
    assert not os.path.exists(os.path.join(output_dir, "Scene", "SH020"))  # refused before writing anything


def test_end_image_on_a_start_only_model_names_models_that_can(md, fake_wangp, output_dir, make_shot, tmp_path):
    _first_take(make_shot)
    second = _continuing_shot(make_shot, "SH020", 25, 48, "the cube rolls off the table", 33)
    second.movie_director.model_type = "ti2v_2_2"
    board = bpy.data.images.new("End Board", 32, 24)
    board.filepath_raw, board.file_format = str(tmp_path / "end.png"), "PNG"
    board.save()
    second.movie_director.end_image_source = "FILE"
    second.movie_director.end_image = str(tmp_path / "end.png")

    with pytest.raises(RuntimeError, match=r"SH020: ti2v_2_2 cannot take an end image\. Models that can: ") as error:
        bpy.ops.movie_director.generate_shot()

    catalog = md.runtime.session.catalog()
    assert catalog.get("ti2v_2_2").accepts_image("start")  # the start image alone was fine
    names = _assert_names_models_that_can(str(error.value), "end", catalog)
    assert "i2v" in names and "ti2v_2_2" not in names
    assert len(second.movie_director.takes) == 0
    assert not os.path.exists(os.path.join(output_dir, "Scene", "SH020"))


def test_start_image_refused_once_the_catalog_arrives(md, fake_wangp, output_dir, make_shot, monkeypatch):
    """Generate before any catalog is known: the check runs when WanGP is ready, before submitting."""
    _first_take(make_shot)
    bpy.ops.movie_director.stop_session()
    monkeypatch.setattr(md.runtime.session, "_catalog", None)
    second = _continuing_shot(make_shot, "SH020", 25, 48, "the cube rolls off the table", 33)
    second.movie_director.model_type = "t2v_1.3B"

    with pytest.raises(RuntimeError, match=r"SH020 failed: t2v_1\.3B cannot take a start image\. Models that can: "):
        bpy.ops.movie_director.generate_shot()

    shot = second.movie_director
    assert shot.generation_status == "failed" and shot.error_class == "validation"
    names = _assert_names_models_that_can(shot.error_message, "start", md.runtime.session.catalog())
    assert "i2v" in names
    assert len(shot.takes) == 0
