"""Export Settings: the shot's WanGP settings file is what Generate submits, with absolute media paths.

WanGP resolves relative media paths against the working directory of whoever loads the file, so
the export must never contain one, even when the shot's image is relative to the .blend (``//``).
"""

from __future__ import annotations

import json
import math
import os

import bpy
import pytest


def _cube() -> None:
    mesh = bpy.data.meshes.new("Cube")
    verts = [(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    mesh.from_pydata(verts, [], faces)
    bpy.context.scene.collection.objects.link(bpy.data.objects.new("Cube", mesh))


def _board(path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = bpy.data.images.new("Board", 64, 48)
    image.filepath_raw, image.file_format = path, "PNG"
    image.save()
    bpy.data.images.remove(image)


@pytest.fixture
def project(md, fake_wangp, output_dir, tmp_path, drive) -> str:
    """A saved .blend (so ``//`` means its folder) with WanGP's catalog known, as after Start Session."""
    path = str(tmp_path / "project" / "film.blend")
    os.makedirs(os.path.dirname(path))
    bpy.ops.wm.save_as_mainfile(filepath=path)
    bpy.ops.movie_director.start_session()
    drive(md.runtime.session.ready)
    return os.path.dirname(path)


@pytest.fixture
def dolly_shot(make_shot, project) -> bpy.types.Object:
    """An image-to-video shot with a template, derived camera language and a start image next to the .blend."""
    _cube()
    obj = make_shot("SH010", 1, 24)
    obj.location, obj.rotation_euler = (0.0, -12.0, 0.0), (math.radians(90.0), 0.0, 0.0)
    obj.keyframe_insert("location", frame=1)
    obj.location.y = -6.0
    obj.keyframe_insert("location", frame=24)
    shot = obj.movie_director
    shot.model_type = "i2v"
    shot.template = "noir"
    shot.negative_prompt = "lens flare"
    shot.camera_mode = "DERIVED"
    _board(os.path.join(project, "boards", "start.png"))
    shot.start_image_source = "FILE"
    shot.start_image = "//boards/start.png"
    return obj


def _read(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _export_path(output_dir: str) -> str:
    return os.path.join(output_dir, "Scene", "SH010", "SH010_settings.json")


def test_export_writes_wangp_settings_with_absolute_media_paths(md, dolly_shot, project, output_dir):
    assert bpy.ops.movie_director.export_settings() == {"FINISHED"}

    exported = _read(_export_path(output_dir))
    assert exported["model_type"] == "i2v"
    assert exported["prompt"].startswith("Classic film noir, black and white: a red cube on a table.")
    assert exported["prompt"].endswith(" dolly in.")  # the camera's own move, derived at export time
    assert exported["negative_prompt"].startswith("lens flare, ")
    assert exported["image_start"] == os.path.join(project, "boards", "start.png")
    assert os.path.isabs(exported["image_start"]) and os.path.isfile(exported["image_start"])
    assert exported["image_prompt_type"] == "S"
    assert exported["resolution"] == "128x96" and exported["seed"] == -1
    assert isinstance(exported["settings_version"], float)  # WanGP migrates files without one
    assert not [key for key in exported if key.startswith("_")]  # API options are not settings


@pytest.mark.parametrize("seed", [-1, 1234])
def test_export_equals_what_generate_submits(md, dolly_shot, project, output_dir, seed):
    dolly_shot.movie_director.seed = seed
    bpy.ops.movie_director.export_settings()
    exported = _read(_export_path(output_dir))

    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}

    take = dolly_shot.movie_director.takes[0]
    submitted = _read(take.sidecar_path)
    version = exported.pop("settings_version")
    assert isinstance(version, float)
    settings_hash = md.wangp_backend.hashing.settings_hash
    # The hash is taken before a random seed is drawn, so it matches even for seed -1; files inside the
    # project count by their place in it (a moved project stays unchanged).
    assert settings_hash(exported, project) == submitted["settings_hash"] == take.settings_hash
    drawn = submitted["settings"].pop("seed")
    assert exported.pop("seed") == seed and drawn == take.seed
    assert drawn == seed if seed >= 0 else drawn >= 0
    assert exported == submitted["settings"]


def test_export_to_a_path_relative_to_the_blend(md, dolly_shot, project, output_dir):
    assert bpy.ops.movie_director.export_settings(filepath="//exports/shot_010.json") == {"FINISHED"}

    exported = _read(os.path.join(project, "exports", "shot_010.json"))
    assert exported["model_type"] == "i2v" and os.path.isabs(exported["image_start"])
    assert not os.path.exists(_export_path(output_dir))


def test_export_makes_the_images_it_names(md, dolly_shot, output_dir):
    dolly_shot.movie_director.start_image_source = "CAMERA_FRAME"

    bpy.ops.movie_director.export_settings()

    image = _read(_export_path(output_dir))["image_start"]
    assert image == os.path.join(output_dir, "Scene", "SH010", "exports", "SH010_settings_start.png")
    assert os.path.isfile(image)
    shot = dolly_shot.movie_director
    assert len(shot.takes) == 0 and shot.generation_status == "idle"  # exporting is not generating


def test_export_refuses_settings_wangp_would_reject(md, dolly_shot, output_dir):
    dolly_shot.movie_director.model_type = "t2v_1.3B"

    with pytest.raises(RuntimeError, match=r"SH010: t2v_1\.3B cannot take a start image\. Models that can: .*i2v"):
        bpy.ops.movie_director.export_settings()

    assert not os.path.exists(_export_path(output_dir))
