"""Start and end images, camera language read from the scene, and the exported settings file."""

from __future__ import annotations

import copy
import json
import os
import threading

import bpy
import numpy as np
import pytest


def _cube():
    mesh = bpy.data.meshes.new("Cube")
    verts = [(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    mesh.from_pydata(verts, [], faces)
    cube = bpy.data.objects.new("Cube", mesh)
    bpy.context.scene.collection.objects.link(cube)
    return cube


def _sidecar(obj) -> dict:
    take = obj.movie_director.takes[obj.movie_director.active_take_index]
    with open(take.sidecar_path, encoding="utf-8") as fh:
        return json.load(fh)


def _png_pixels(path: str) -> tuple[tuple[int, int], np.ndarray]:
    image = bpy.data.images.load(path, check_existing=False)
    try:
        pixels = np.empty(image.size[0] * image.size[1] * 4, dtype=np.float32)
        image.pixels.foreach_get(pixels)
        return tuple(image.size), pixels
    finally:
        bpy.data.images.remove(image)


@pytest.fixture
def i2v_shot(md, fake_wangp, output_dir, make_shot):
    _cube()
    obj = make_shot("SH020", 49, 72)
    obj.movie_director.model_type = "i2v"
    return obj


def test_camera_frame_start_image_leaves_the_scene_as_it_was(md, i2v_shot, output_dir):
    scene = bpy.context.scene
    scene.frame_current = 7
    i2v_shot.movie_director.start_image_source = "CAMERA_FRAME"
    render_before = (scene.render.resolution_x, scene.render.resolution_y, scene.render.filepath, scene.camera)
    scenes_before = len(bpy.data.scenes)

    bpy.ops.movie_director.generate_shot()

    start = _sidecar(i2v_shot)["inputs"]["start"]
    assert start["source"] == "CAMERA_FRAME" and start["camera"] == "SH020" and start["frame"] == 49
    assert start["path"] == os.path.join(output_dir, "Scene", "SH020", "inputs", "SH020_take001_start.png")
    assert _sidecar(i2v_shot)["settings"]["image_start"] == start["path"]
    size, pixels = _png_pixels(start["path"])
    assert size == (832, 468)  # the scene's 16:9 at the camera-frame long side
    assert pixels.reshape(-1, 4)[:, :3].std() > 0.01  # the cube is in the picture
    assert scene.frame_current == 7
    assert (scene.render.resolution_x, scene.render.resolution_y, scene.render.filepath, scene.camera) == render_before
    assert len(bpy.data.scenes) == scenes_before


def test_image_data_block_is_saved_without_changing_it(md, i2v_shot):
    image = bpy.data.images.new("Board", 64, 32, alpha=True)
    image.pixels.foreach_set(np.tile(np.array([1.0, 0.5, 0.0, 1.0], dtype=np.float32), 64 * 32))
    shot = i2v_shot.movie_director
    shot.start_image_source = "IMAGE"
    shot.start_image_data = image

    bpy.ops.movie_director.generate_shot()

    start = _sidecar(i2v_shot)["inputs"]["start"]
    assert start["source"] == "IMAGE" and start["image"] == "Board"
    size, pixels = _png_pixels(start["path"])
    assert size == (64, 32)
    assert np.allclose(pixels[:4], [1.0, 0.5, 0.0, 1.0], atol=0.01)
    assert image.filepath_raw == "" and image.file_format == "PNG"


def test_file_start_image_is_used_as_is_and_a_missing_one_refused(md, i2v_shot, tmp_path):
    board = bpy.data.images.new("Board", 16, 16)
    path = str(tmp_path / "board.png")
    board.filepath_raw, board.file_format = path, "PNG"
    board.save()
    shot = i2v_shot.movie_director
    shot.start_image_source = "FILE"
    shot.start_image = str(tmp_path / "nope.png")

    with pytest.raises(RuntimeError, match="start image file does not exist"):
        bpy.ops.movie_director.generate_shot()
    assert shot.generation_status == "idle"

    shot.start_image = path
    bpy.ops.movie_director.generate_shot()
    assert _sidecar(i2v_shot)["inputs"]["start"] == {"source": "FILE", "path": path}


def test_previous_shot_gives_its_last_frame(md, i2v_shot, make_shot, output_dir):
    first = make_shot("SH010", 1, 48)
    first.movie_director.model_type = "t2v_1.3B"
    bpy.ops.movie_director.generate_shot()
    shot = i2v_shot.movie_director
    shot.start_image_source = "PREVIOUS_SHOT"
    bpy.context.view_layer.objects.active = i2v_shot

    bpy.ops.movie_director.generate_shot()

    start = _sidecar(i2v_shot)["inputs"]["start"]
    assert start["source"] == "PREVIOUS_SHOT" and start["shot"] == "SH010"
    assert start["take"] == first.movie_director.takes[0].filepath
    size, pixels = _png_pixels(start["path"])
    assert size == (128, 96)
    assert pixels.reshape(-1, 4)[:, :3].max() > 0.05


def test_previous_shot_without_a_take_is_refused(md, i2v_shot, make_shot):
    make_shot("SH010", 1, 48)
    bpy.context.view_layer.objects.active = i2v_shot
    i2v_shot.movie_director.start_image_source = "PREVIOUS_SHOT"
    with pytest.raises(RuntimeError, match="previous shot SH010 has no take yet"):
        bpy.ops.movie_director.generate_shot()


def test_start_image_on_a_text_only_model_is_refused_with_models_that_can(md, i2v_shot, drive, output_dir):
    bpy.ops.movie_director.start_session()
    drive(lambda: md.runtime.session.ready())
    shot = i2v_shot.movie_director
    shot.model_type = "t2v_1.3B"
    shot.start_image_source = "CAMERA_FRAME"

    with pytest.raises(RuntimeError, match="i2v"):
        bpy.ops.movie_director.generate_shot()
    assert not os.path.exists(os.path.join(output_dir, "Scene", "SH020", "inputs"))


def _dolly_in(camera, start: int, end: int) -> None:
    camera.location = (0.0, -12.0, 0.0)
    camera.rotation_euler = (1.5708, 0.0, 0.0)
    camera.keyframe_insert("location", frame=start)
    camera.location = (0.0, -4.0, 0.0)
    camera.keyframe_insert("location", frame=end)


def test_camera_samples_follow_the_animation_and_restore_the_frame(md, fresh_scene, make_shot):
    _cube()
    obj = make_shot("SH030", 1, 48)
    _dolly_in(obj, 1, 48)
    scene = bpy.context.scene
    scene.frame_set(20)

    samples = md.runtime.camera_samples.sample_camera(bpy.context, scene, obj, 1, 48)

    assert [s.frame for s in samples][0] == 1 and samples[-1].frame == 48 and len(samples) == 12
    assert samples[0].location[1] == pytest.approx(-12.0) and samples[-1].location[1] == pytest.approx(-4.0)
    assert samples[0].forward == pytest.approx((0.0, 1.0, 0.0), abs=1e-3)
    assert samples[0].subject_distance == pytest.approx(11.0, abs=0.01)  # to the cube's near face
    assert samples[0].focal_length_mm == 50.0
    assert scene.frame_current == 20 and obj.location[1] == pytest.approx(-12 + 8 * 19 / 47, abs=0.5)


def test_describe_camera_from_the_animation(md, fresh_scene, make_shot):
    _cube()
    obj = make_shot("SH030", 1, 48)
    _dolly_in(obj, 1, 48)
    shot = obj.movie_director
    shot.camera_mode = "DERIVED"

    assert bpy.ops.movie_director.describe_camera() == {"FINISHED"}
    assert "dolly in" in shot.camera_wording

    shot.camera_mode = "MANUAL"
    shot.camera_movements = {"pan_left"}
    bpy.ops.movie_director.describe_camera()
    assert "pan left" in shot.camera_wording

    shot.camera_mode = "NONE"
    bpy.ops.movie_director.describe_camera()
    assert shot.camera_wording == ""


def test_derived_camera_wording_reaches_the_prompt(md, fake_wangp, output_dir, make_shot):
    _cube()
    obj = make_shot("SH030", 1, 48)
    _dolly_in(obj, 1, 48)
    obj.movie_director.camera_mode = "DERIVED"
    obj.movie_director.model_type = "t2v_1.3B"

    bpy.ops.movie_director.generate_shot()

    sidecar = _sidecar(obj)
    assert "dolly in" in sidecar["camera_wording"]
    assert sidecar["camera_wording"].lower() in sidecar["settings"]["prompt"].lower()


def test_export_settings_writes_wangp_settings(md, i2v_shot, output_dir, tmp_path):
    i2v_shot.movie_director.start_image_source = "CAMERA_FRAME"

    assert bpy.ops.movie_director.export_settings() == {"FINISHED"}
    default = os.path.join(output_dir, "Scene", "SH020", "SH020_settings.json")
    with open(default, encoding="utf-8") as fh:
        exported = json.load(fh)
    assert exported["model_type"] == "i2v"
    assert exported["prompt"].startswith("a red cube on a table")
    assert os.path.isfile(exported["image_start"])

    chosen = str(tmp_path / "elsewhere" / "mine.json")
    bpy.ops.movie_director.export_settings(filepath=chosen)
    with open(chosen, encoding="utf-8") as fh:
        assert json.load(fh)["model_type"] == "i2v"


def test_input_renders_while_another_python_thread_runs(md, fake_wangp, output_dir, make_shot, tmp_path):
    """WanGP's threads run while start images render; see test_timeline for why that matters."""
    _cube()
    first = make_shot("SH010", 1, 24)
    first.movie_director.model_type = "t2v_1.3B"
    bpy.ops.movie_director.generate_shot()
    clip = first.movie_director.takes[0].filepath
    stop = threading.Event()
    data = {"shots": [{"id": i, "moves": ["dolly", {"speed": "slow"}]} for i in range(200)]}

    def busy():
        while not stop.is_set():
            copy.deepcopy(data)

    worker = threading.Thread(target=busy, daemon=True)
    worker.start()
    try:
        for index in range(5):
            md.runtime.inputs.extract_last_frame(clip, str(tmp_path / f"last{index}.png"))
            md.runtime.inputs.produce_inputs(bpy.context.scene, [md.runtime.inputs.InputPlan(
                "start", "CAMERA_FRAME", str(tmp_path / f"camera{index}.png"), produce=True,
                detail={"camera": "SH010", "frame": 1},
            )])
    finally:
        stop.set()
        worker.join()
    assert all((tmp_path / f"last{i}.png").is_file() and (tmp_path / f"camera{i}.png").is_file() for i in range(5))


def test_camera_frame_renders_in_the_background_while_the_job_waits(md, i2v_shot, output_dir, drive):
    """The click only plans the still; a background Blender renders it (as guide keyframes are made) while
    the job waits, and the job goes to WanGP with it once it is on disk."""
    scene = bpy.context.scene
    i2v_shot.movie_director.start_image_source = "CAMERA_FRAME"
    scenes_before = len(bpy.data.scenes)
    token = md.runtime.generate.queue_shot(bpy.context, scene, i2v_shot)
    path = os.path.join(output_dir, "Scene", "SH020", "inputs", "SH020_take001_start.png")
    assert not os.path.exists(path), "the click rendered the still on the main thread"
    assert [job.token for job in md.runtime.jobs.pending()] == [token]
    assert md.runtime.stills.waiting((path,))

    drive(lambda: i2v_shot.movie_director.generation_status in ("done", "failed"), timeout=120)
    assert i2v_shot.movie_director.generation_status == "done", i2v_shot.movie_director.error_message
    assert _sidecar(i2v_shot)["settings"]["image_start"] == path
    size, pixels = _png_pixels(path)
    assert size == (832, 468) and pixels.reshape(-1, 4)[:, :3].std() > 0.01
    assert len(bpy.data.scenes) == scenes_before and not md.runtime.stills.busy()
