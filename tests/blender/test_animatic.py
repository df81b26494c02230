"""The layout animatic host, driven directly (``step``/``drain``) and through ``generate_shot``.

The host (``wangp_backend/hosts/animatic.py``, no ``bpy``) reads the shot on the main thread and has it
rendered by a background Blender (``render/`` in a child process), so the tests step it until the child's
events arrive.

Each test builds a tiny layout: a camera looking down +Y at a red cube that sits in the upper half
of the frame, so a rendered frame can be checked for content and orientation (rows bottom-up).
Clips are rendered small (160 px wide) to keep the tier fast.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import tempfile
import time

import bpy
import numpy as np
import pytest

SMALL = "160x90"


@pytest.fixture
def animatic(md):
    return importlib.import_module(f"{md.__name__}.runtime.animatic")


@pytest.fixture
def keys(md):
    return importlib.import_module(f"{md.__name__}.runtime.keys")


@pytest.fixture
def requests(md):
    return importlib.import_module(f"{md.__name__}.wangp_backend.requests")


@pytest.fixture
def scene(fresh_scene):
    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = 24, 1.0
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 1920, 1080, 100
    _red_cube(scene)
    return scene


@pytest.fixture
def host(animatic, keys):
    host = animatic.make_host()
    host.start()
    yield host
    host.close()


@pytest.fixture
def take_dir(tmp_path):
    return str(tmp_path / "takes")


@pytest.fixture
def work_dirs(tmp_path, monkeypatch):
    """The animatic's frame folders (all must be gone when a job ends), in a temp folder of the test's
    own: other test runs on the machine make theirs in the shared one."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return lambda: sorted(path.name for path in scratch.glob("md_animatic_*"))


def _red_cube(scene: bpy.types.Scene) -> bpy.types.Object:
    mesh = bpy.data.meshes.new("AnimaticCube")
    corners = [(x, y, z) for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)]
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    mesh.from_pydata(corners, [], faces)
    material = bpy.data.materials.new("AnimaticRed")
    material.diffuse_color = (1.0, 0.0, 0.0, 1.0)
    mesh.materials.append(material)
    cube = bpy.data.objects.new("AnimaticCube", mesh)
    # Camera at y=-10 sees +-2 m vertically at the cube: z 0.7..1.7 is the upper half of the frame.
    cube.location = (0.0, 0.0, 1.2)
    scene.collection.objects.link(cube)
    return cube


def _camera_shot(scene: bpy.types.Scene, name: str, start: int, end: int) -> bpy.types.Object:
    camera = bpy.data.objects.new(name, bpy.data.cameras.new(name))
    camera.location = (0.0, -10.0, 0.0)
    camera.rotation_euler = (math.pi / 2, 0.0, 0.0)
    scene.collection.objects.link(camera)
    _mark(camera, start, end)
    return camera


def _mark(obj: bpy.types.Object, start: int, end: int) -> None:
    shot = obj.movie_director
    shot.is_shot, shot.shot_id = True, f"id_{obj.name}"
    shot.frame_start, shot.frame_end = start, end


def _request(requests, keys, scene, obj, take_dir, name="SH_take001", resolution=SMALL):
    settings = {"model_type": "t2v", "prompt": "a red cube", "resolution": resolution, "seed": 7}
    return requests.JobRequest(
        shot_key=keys.shot_key(scene, obj), settings=settings, take_dir=take_dir, take_name=name,
        sidecar_extra={"settings_hash": "hash123", "shot_name": obj.name},
    )


def _run(host, timeout: float = 60.0) -> list:
    messages = []
    deadline = time.monotonic() + timeout
    while host.busy and time.monotonic() < deadline:
        host.step(0.008)
        messages += host.drain()
        time.sleep(0.002)
    assert not host.busy, "the animatic did not finish in time"
    return messages + host.drain()


def _of(messages, kind: str) -> list:
    return [m for m in messages if m.kind == kind]


def _clip_info(path: str) -> tuple[int, float, tuple[int, int]]:
    clip = bpy.data.movieclips.load(path, check_existing=False)
    try:
        return clip.frame_duration, clip.fps, tuple(clip.size)
    finally:
        bpy.data.movieclips.remove(clip)


def test_start_reports_ready_with_the_one_animatic_model(animatic, keys):
    host = animatic.make_host()
    host.start()
    (state,) = host.drain()
    assert (state.kind, state.state, state.mode, state.wangp_version) == ("session_state", "ready", "animatic", "")
    assert [record["model_type"] for record in state.models] == ["layout_animatic"]
    assert "not AI" in state.models[0]["name"] and "not AI" in state.message
    assert host.mode == "animatic" and not host.busy
    host.close()


def test_job_messages_in_order_with_progress_preview_and_take(host, scene, requests, keys, take_dir, work_dirs):
    shot = _camera_shot(scene, "SH010", 5, 12)
    host.drain()
    job_id = host.submit(_request(requests, keys, scene, shot, take_dir))
    assert host.busy
    messages = _run(host)

    assert all(m.job_id == job_id for m in messages)
    kinds = [m.kind for m in messages]
    assert kinds[:3] == ["queued", "started", "log"]
    assert kinds[3:19] == ["progress", "preview"] * 8
    assert kinds[19:] == ["progress", "log", "take_ready"]
    assert messages[1].model_type == "layout_animatic" and messages[1].settings["prompt"] == "a red cube"
    assert "not AI" in messages[2].text

    rendering = [m for m in _of(messages, "progress") if m.phase == "rendering"]
    assert [m.current_step for m in rendering] == list(range(1, 9))
    assert {m.total_steps for m in rendering} == {8}
    percents = [m.percent for m in rendering]
    assert percents == sorted(percents) and percents[-1] == 100 and percents[0] < 20

    take = messages[-1]
    assert take.filepath == os.path.join(take_dir, "SH_take001.mp4") and os.path.isfile(take.filepath)
    assert (take.model_type, take.frame_count, take.fps, take.width, take.height) == ("layout_animatic", 8, 24, 160, 90)
    assert (take.has_audio, take.used_fallback, take.settings_hash, take.seed) == (False, False, "hash123", 7)
    assert _clip_info(take.filepath) == (8, 24.0, (160, 90))
    assert sorted(os.listdir(take_dir)) == ["SH_take001.json", "SH_take001.mp4"]
    assert not work_dirs()


def test_preview_is_the_rendered_frame_bottom_up(host, scene, requests, keys, take_dir):
    shot = _camera_shot(scene, "SH020", 1, 2)
    host.submit(_request(requests, keys, scene, shot, take_dir, resolution="1280x720"))
    messages = _run(host)
    preview = _of(messages, "preview")[-1]

    # The animatic renders at most 640 px wide; the preview is scaled to a 512 px long side.
    assert (_of(messages, "take_ready")[0].width, preview.width, preview.height) == (640, 512, 288)
    pixels = preview.pixels.reshape(preview.height, preview.width, 4)
    assert pixels.dtype == np.float32
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    red = (r > 0.3) & (r > 2 * g + 0.1) & (r > 2 * b + 0.1)
    # Row 0 is the bottom: the cube is above the centre, so it shows only in the upper rows.
    assert red[preview.height // 2:].sum() > 500
    assert red[: preview.height // 2].sum() == 0
    assert np.allclose(pixels[..., 3], 1.0)


def test_clip_has_the_scene_fps_and_aspect(host, scene, requests, keys, take_dir):
    scene.render.fps, scene.render.fps_base = 30, 1.0
    scene.render.resolution_x, scene.render.resolution_y = 1000, 500
    shot = _camera_shot(scene, "SH030", 1, 10)
    host.submit(_request(requests, keys, scene, shot, take_dir, resolution="320x180"))
    take = _of(_run(host), "take_ready")[0]
    assert (take.fps, take.width, take.height, take.frame_count) == (30.0, 320, 160, 10)
    assert _clip_info(take.filepath) == (10, 30.0, (320, 160))


def test_sidecar_has_the_take_schema_and_says_not_ai(host, scene, requests, keys, take_dir):
    shot = _camera_shot(scene, "SH040", 3, 6)
    job_id = host.submit(_request(requests, keys, scene, shot, take_dir))
    take = _of(_run(host), "take_ready")[0]
    with open(take.sidecar_path, encoding="utf-8") as fh:
        sidecar = json.load(fh)
    assert take.sidecar_path == os.path.join(take_dir, "SH_take001.json")
    assert sidecar["schema"] == "movie_director.take/1"
    assert sidecar["generator"] == "layout_animatic" and "not AI" in sidecar["note"]
    assert sidecar["settings"]["prompt"] == "a red cube" and sidecar["settings_hash"] == "hash123"
    expected = {
        "model_type": "layout_animatic", "seed": 7, "fps": 24.0, "frame_count": 4, "width": 160, "height": 90,
        "has_audio": False, "used_fallback": False, "primary_error": "", "job_id": job_id,
        "shot_key": keys.shot_key(scene, shot), "file": "SH_take001.mp4", "shot_name": "SH040",
    }
    assert {key: sidecar[key] for key in expected} == expected
    assert set(sidecar["timings"]) == {"queued_s", "render_s", "encode_s"}
    assert sidecar["layout"] == {"scene": scene.name, "object": "SH040", "camera": "SH040",
                                 "frame_start": 3, "frame_end": 6}


def _settings(struct) -> dict:
    values = {}
    for prop in struct.bl_rna.properties:
        if prop.type in {"POINTER", "COLLECTION"} or prop.identifier == "rna_type":
            continue
        value = getattr(struct, prop.identifier)
        values[prop.identifier] = tuple(value) if getattr(prop, "is_array", False) else value
    return values


def test_user_scene_settings_frame_and_unkeyed_edits_stay(host, scene, requests, keys, take_dir):
    shot = _camera_shot(scene, "SH050", 1, 6)
    shot.keyframe_insert("location", frame=1)
    shot.location.y = -4.0
    shot.keyframe_insert("location", frame=6)
    scene.frame_set(3)
    shot.location.x = 2.5  # moved but not keyed: an animatic render must not throw it away
    location = tuple(shot.location)
    scene.camera = None
    scene.render.engine = "CYCLES"
    before = (_settings(scene.render), _settings(scene.render.image_settings), _settings(scene.view_settings),
              _settings(scene.display), scene.frame_current, scene.world)
    scene_names, image_count = sorted(s.name for s in bpy.data.scenes), len(bpy.data.images)

    host.submit(_request(requests, keys, scene, shot, take_dir))
    assert _of(_run(host), "take_ready")

    after = (_settings(scene.render), _settings(scene.render.image_settings), _settings(scene.view_settings),
             _settings(scene.display), scene.frame_current, scene.world)
    assert after == before
    assert scene.camera is None and scene.frame_current == 3
    assert tuple(shot.location) == location and location[0] == 2.5
    assert sorted(s.name for s in bpy.data.scenes) == scene_names
    assert len(bpy.data.images) <= image_count + 1  # at most Blender's own "Render Result"


def test_cancel_mid_render_removes_partial_files(host, scene, requests, keys, take_dir, work_dirs):
    shot = _camera_shot(scene, "SH060", 1, 40)
    job_id = host.submit(_request(requests, keys, scene, shot, take_dir))
    messages = []
    deadline = time.monotonic() + 60
    while len(_of(messages, "preview")) < 3 and time.monotonic() < deadline:
        host.step(0.0)
        messages += host.drain()
        time.sleep(0.002)
    assert len(_of(messages, "preview")) >= 3 and work_dirs()
    host.cancel(job_id)
    messages = host.drain()
    assert [m.kind for m in messages] == ["cancelled"] and messages[0].job_id == job_id
    assert not host.busy and not work_dirs()
    assert not os.path.exists(take_dir) or os.listdir(take_dir) == []
    host.step(0.01)
    assert host.drain() == []


def test_queue_runs_one_job_at_a_time_and_cancels_queued(host, scene, requests, keys, take_dir):
    first = _camera_shot(scene, "SH070", 1, 3)
    second = _camera_shot(scene, "SH071", 1, 3)
    third = _camera_shot(scene, "SH072", 1, 3)
    ids = [host.submit(_request(requests, keys, scene, obj, take_dir, name=f"{obj.name}_take001"))
           for obj in (first, second, third)]
    queued = _of(host.drain(), "queued")
    assert [m.position for m in queued] == [0, 1, 2]
    host.cancel(ids[1])
    assert [(m.kind, m.job_id) for m in host.drain()] == [("cancelled", ids[1])]
    messages = _run(host)
    starts = [m.job_id for m in messages if m.kind in ("started", "take_ready")]
    assert starts == [ids[0], ids[0], ids[2], ids[2]]
    assert sorted(os.listdir(take_dir)) == [
        "SH070_take001.json", "SH070_take001.mp4", "SH072_take001.json", "SH072_take001.mp4",
    ]


def test_deleted_shot_fails_and_the_next_job_still_runs(host, scene, requests, keys, take_dir, work_dirs):
    doomed = _camera_shot(scene, "SH080", 1, 30)
    survivor = _camera_shot(scene, "SH081", 1, 2)
    doomed_id = host.submit(_request(requests, keys, scene, doomed, take_dir, name="SH080_take001"))
    survivor_id = host.submit(_request(requests, keys, scene, survivor, take_dir, name="SH081_take001"))
    for _ in range(3):
        host.step(0.0)
    bpy.data.objects.remove(doomed)
    messages = _run(host)
    (failed,) = _of(messages, "failed")
    assert failed.job_id == doomed_id and failed.stage == "setup" and failed.error_class == "validation"
    assert "no longer exists" in failed.message and failed.hint
    assert [m.job_id for m in _of(messages, "take_ready")] == [survivor_id]
    assert sorted(os.listdir(take_dir)) == ["SH081_take001.json", "SH081_take001.mp4"]
    assert not work_dirs()


def test_shot_without_camera_fails(host, scene, requests, keys, take_dir):
    empty = bpy.data.objects.new("SH090", None)
    scene.collection.objects.link(empty)
    _mark(empty, 1, 4)
    scene.camera = None
    host.submit(_request(requests, keys, scene, empty, take_dir))
    (failed,) = _of(_run(host), "failed")
    assert failed.error_class == "validation" and "no camera" in failed.message


def test_non_camera_shot_renders_through_the_scene_camera(host, scene, requests, keys, take_dir):
    camera = _camera_shot(scene, "SceneCam", 1, 1)
    camera.movie_director.is_shot = False
    scene.camera = camera
    empty = bpy.data.objects.new("SH095", None)
    scene.collection.objects.link(empty)
    _mark(empty, 1, 2)
    host.submit(_request(requests, keys, scene, empty, take_dir))
    take = _of(_run(host), "take_ready")[0]
    with open(take.sidecar_path, encoding="utf-8") as fh:
        assert json.load(fh)["layout"]["camera"] == "SceneCam"


def test_existing_take_is_never_overwritten(host, scene, requests, keys, take_dir):
    os.makedirs(take_dir)
    existing = os.path.join(take_dir, "SH_take001.mp4")
    with open(existing, "wb") as fh:
        fh.write(b"the user's clip")
    shot = _camera_shot(scene, "SH100", 1, 2)
    host.submit(_request(requests, keys, scene, shot, take_dir))
    take = _of(_run(host), "take_ready")[0]
    assert take.filepath == os.path.join(take_dir, "SH_take001_2.mp4")
    with open(existing, "rb") as fh:
        assert fh.read() == b"the user's clip"


def test_close_cancels_everything_and_stops(animatic, keys, scene, requests, take_dir, work_dirs):
    host = animatic.make_host()
    host.start()
    shot = _camera_shot(scene, "SH110", 1, 20)
    running = host.submit(_request(requests, keys, scene, shot, take_dir))
    waiting = host.submit(_request(requests, keys, scene, shot, take_dir, name="SH_take002"))
    host.step(0.0)
    host.drain()
    host.close()
    messages = host.drain()
    assert [(m.kind, getattr(m, "job_id", m.state if m.kind == "session_state" else "")) for m in messages] == [
        ("session_state", "closing"), ("cancelled", running), ("cancelled", waiting), ("session_state", "stopped"),
    ]
    assert not host.busy and not work_dirs()
    with pytest.raises(RuntimeError, match="closed"):
        host.submit(_request(requests, keys, scene, shot, take_dir))


def test_waits_while_the_user_renders(host, scene, requests, keys, take_dir, md, monkeypatch):
    shot = _camera_shot(scene, "SH120", 1, 2)
    host.submit(_request(requests, keys, scene, shot, take_dir))
    host.drain()
    monkeypatch.setattr(md.compat, "render_running", lambda: True)
    host.step(0.05)
    assert host.drain() == [] and host.busy
    monkeypatch.undo()
    assert _of(_run(host), "take_ready")


# -- through the session and the operators (no WanGP configured: the session runs the animatic) --


def test_generate_shot_runs_the_animatic_through_the_pump(md, output_dir, make_shot, drive):
    scene = bpy.context.scene
    _red_cube(scene)
    obj = make_shot("SH200", 3, 14, resolution=SMALL)
    obj.location, obj.rotation_euler = (0.0, -10.0, 0.0), (math.pi / 2, 0.0, 0.0)
    scene.frame_current = 40
    shot = obj.movie_director
    seen: dict[str, set] = {"status": set(), "progress": set()}

    md.runtime.generate.queue_shot(bpy.context, scene, obj)

    def finished():
        seen["status"].add(shot.generation_status)
        seen["progress"].add(shot.generation_progress)
        return shot.generation_status in ("done", "failed")

    drive(finished, timeout=60)
    assert shot.generation_status == "done", shot.error_message
    assert md.runtime.session.view().mode == "animatic"
    assert "in_progress" in seen["status"] and any(0 < p < 100 for p in seen["progress"])
    take = shot.takes[shot.active_take_index]
    assert (take.model_type, take.frame_count, take.fps) == ("layout_animatic", 12, 24)
    assert _clip_info(take.filepath) == (12, 24.0, (160, 90))
    with open(take.sidecar_path, encoding="utf-8") as fh:
        sidecar = json.load(fh)
    assert sidecar["generator"] == "layout_animatic" and sidecar["shot_name"] == "SH200"

    image = shot.preview_image
    pixels = np.empty(image.size[0] * image.size[1] * 4, dtype=np.float32)
    image.pixels.foreach_get(pixels)
    rgb = pixels.reshape(image.size[1], image.size[0], 4)[..., :3]
    assert tuple(image.size) == (160, 90) and (rgb[..., 0] > 2 * rgb[..., 1] + 0.1).any()
    assert "not AI" in bpy.data.texts["Movie Director Log"].as_string()
    drive(lambda: not md.runtime.timeline.waiting())
    assert md.compat.duration(md.runtime.timeline.shot_strip(scene, md.runtime.keys.shot_key(scene, obj))) == 12
    assert scene.frame_current == 40
    assert sorted(s.name for s in bpy.data.scenes) == ["Scene"]


def test_cancel_operator_stops_an_animatic_render(md, output_dir, make_shot, drive, work_dirs):
    obj = make_shot("SH210", 1, 200, resolution=SMALL)
    shot = obj.movie_director
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, obj)
    drive(lambda: 0 < shot.generation_progress < 50, timeout=60)

    assert bpy.ops.movie_director.cancel(scope="SHOT") == {"FINISHED"}
    drive(lambda: shot.generation_status == "cancelled", timeout=30)
    assert len(shot.takes) == 0 and not work_dirs()
    folder = os.path.join(output_dir, "Scene", "SH210")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_ntsc_frame_rate_is_kept(host, scene, requests, keys, take_dir):
    scene.render.fps, scene.render.fps_base = 30, 1.001
    shot = _camera_shot(scene, "SH130", 1, 6)
    host.submit(_request(requests, keys, scene, shot, take_dir))
    take = _of(_run(host), "take_ready")[0]
    frames, fps, _size = _clip_info(take.filepath)
    assert frames == 6 and abs(take.fps - 29.97) < 0.01 and abs(fps - 29.97) < 0.01


def test_shot_ending_before_it_starts_fails_as_validation(host, scene, requests, keys, take_dir, work_dirs):
    shot = _camera_shot(scene, "SH140", 10, 4)
    host.submit(_request(requests, keys, scene, shot, take_dir))
    (failed,) = _of(_run(host), "failed")
    assert failed.error_class == "validation" and "before it starts" in failed.message
    assert not work_dirs() and not os.path.exists(take_dir)


def test_each_frame_is_rendered_at_its_own_time(host, scene, requests, keys, take_dir):
    cube = scene.objects["AnimaticCube"]
    cube.location.x = -2.0
    cube.keyframe_insert("location", frame=21)
    cube.location.x = 2.0
    cube.keyframe_insert("location", frame=24)
    scene.frame_set(1)
    shot = _camera_shot(scene, "SH150", 21, 24)
    host.submit(_request(requests, keys, scene, shot, take_dir))
    previews = _of(_run(host), "preview")

    def red_centre_x(preview) -> float:
        pixels = preview.pixels.reshape(preview.height, preview.width, 4)
        red = (pixels[..., 0] > 0.3) & (pixels[..., 0] > 2 * pixels[..., 1] + 0.1)
        return float(np.nonzero(red)[1].mean()) / preview.width

    centres = [red_centre_x(p) for p in previews]
    assert centres[0] < 0.35 and centres[-1] > 0.65 and centres == sorted(centres)
    assert scene.frame_current == 1


def test_renders_safely_while_another_python_thread_runs(host, scene, requests, keys, take_dir):
    # An operator inside temp_override can segfault while another Python thread runs, so with a
    # thread alive the animatic switches the window's scene instead; the take must still arrive.
    import threading

    stop = threading.Event()
    busy = threading.Thread(target=lambda: [sum(range(1000)) for _ in iter(lambda: stop.wait(0.001), True)])
    busy.start()
    try:
        shot = _camera_shot(scene, "SH090", 1, 4)
        host.submit(_request(requests, keys, scene, shot, take_dir))
        assert _of(_run(host), "take_ready")
        assert bpy.context.window.scene == scene
    finally:
        stop.set()
        busy.join()


def test_a_renderer_crash_fails_that_job_and_the_next_one_works(animatic, scene, requests, keys, take_dir, work_dirs):
    """The frames render in a child Blender: when it dies (killed here, as a crashing scene would end it), the
    job fails with one sentence and a fix, this Blender goes on, and the next job renders."""
    import signal

    renderer = animatic.BackgroundRenderer()
    host = animatic.AnimaticHost(animatic.ShotReader(), renderer)
    host.start()
    try:
        doomed = _camera_shot(scene, "SH300", 1, 400)
        doomed_id = host.submit(_request(requests, keys, scene, doomed, take_dir, name="SH300_take001"))
        messages = []
        deadline = time.monotonic() + 60
        while not _of(messages, "preview") and time.monotonic() < deadline:
            host.step(0.0)
            messages += host.drain()
            time.sleep(0.002)
        assert _of(messages, "preview") and renderer.pid is not None
        os.kill(renderer.pid, signal.SIGKILL)
        messages = _run(host)
        (failed,) = _of(messages, "failed")
        assert (failed.job_id, failed.stage, failed.error_class) == (doomed_id, "render", "runtime")
        assert "background renderer stopped" in failed.message and "your Blender is unaffected" in failed.message
        assert failed.message.count(". ") == 0 and "scene" in failed.hint
        assert not work_dirs() and (not os.path.exists(take_dir) or os.listdir(take_dir) == [])

        survivor = _camera_shot(scene, "SH301", 1, 3)
        host.submit(_request(requests, keys, scene, survivor, take_dir, name="SH301_take001"))
        take = _of(_run(host), "take_ready")[0]
        assert _clip_info(take.filepath) == (3, 24.0, (160, 90))
    finally:
        host.close()


def test_the_host_room_imports_no_bpy(md):
    """The animatic's host lives with the other hosts and is plain Python: Blender is reached through its
    reader and renderer only."""
    import ast
    import inspect

    module = importlib.import_module(f"{md.__name__}.wangp_backend.hosts.animatic")
    tree = ast.parse(inspect.getsource(module))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name == "bpy" or name.startswith(("bpy.", "render", "runtime")) for name in imported)
    assert "bpy" not in {name.split(".")[0] for name in imported}
