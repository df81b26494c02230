"""Camera language from keyframed cameras in real Blender: what ``describe_camera`` writes on the shot.

The subject is a 2 m cube at the origin; the cameras look at it along +Y (rotation X = 90 degrees),
so the toolkit's measured move, framing and speed all come from Blender's own evaluation of the
animation (parents, lens keys), not from hand-made samples.
"""

from __future__ import annotations

import json
import math
import random

import bpy
import pytest
from bpy_extras import anim_utils

#: The camera looks along +Y at the cube from this far (camera -> cube face 11 m: a wide shot).
FAR_Y = -12.0
LOOK_ALONG_Y = (math.radians(90.0), 0.0, 0.0)


def _cube() -> bpy.types.Object:
    mesh = bpy.data.meshes.new("Cube")
    verts = [(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    mesh.from_pydata(verts, [], faces)
    cube = bpy.data.objects.new("Cube", mesh)
    bpy.context.scene.collection.objects.link(cube)
    return cube


def _derived_shot(make_shot, start: int = 1, end: int = 48) -> bpy.types.Object:
    """A camera shot looking at the cube from ``FAR_Y``, camera language derived from its animation."""
    _cube()
    camera = make_shot("SH010", start, end)
    camera.location = (0.0, FAR_Y, 0.0)
    camera.rotation_euler = LOOK_ALONG_Y
    camera.movie_director.camera_mode = "DERIVED"
    camera.movie_director.resolution = "256x144"  # 16:9, the picture shot sizes are judged in
    return camera


def _key(target: bpy.types.ID, path: str, frames_values: dict[int, object]) -> None:
    for frame, value in frames_values.items():
        setattr(target, path, value)
        target.keyframe_insert(path, frame=frame)


def _describe() -> str:
    """Run the operator like the panel button does and return what it wrote on the shot."""
    scene = bpy.context.scene
    before = scene.frame_current
    assert bpy.ops.movie_director.describe_camera() == {"FINISHED"}
    assert scene.frame_current == before  # sampling the animation must not move the playhead
    return bpy.context.active_object.movie_director.camera_wording


def _moves(wording: str) -> list[str]:
    """The move phrases of a derived wording (everything after the framing)."""
    return [part.strip() for part in wording.split(",")[1:]]


def _plain_moves(wording: str) -> list[str]:
    """The moves without their speed ("fast dolly out" -> "dolly out"): speed is relative to the scene."""
    return [move.removeprefix("slow ").removeprefix("fast ").removeprefix("slight ") for move in _moves(wording)]


def test_dolly_in(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    _key(camera, "location", {1: (0.0, FAR_Y, 0.0), 48: (0.0, -4.0, 0.0)})

    wording = _describe()

    assert wording.startswith("wide shot to ")  # 11 m from the cube at the start, 3 m at the end
    assert _moves(wording) == ["dolly in"]


def test_dolly_out(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    _key(camera, "location", {1: (0.0, -4.0, 0.0), 48: (0.0, FAR_Y, 0.0)})

    wording = _describe()

    assert wording.startswith("medium shot to wide shot")  # 3 m from the cube at the start, 11 m at the end
    # 8 m in 2 s is fast next to a subject 3 m away: speeds are judged against the scene's scale.
    assert _moves(wording) == ["fast dolly out"]


def test_pan_right_turns_without_travelling(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    # Turning about world Z by a negative angle swings the view from +Y towards +X: to the right.
    _key(camera, "rotation_euler", {1: LOOK_ALONG_Y, 48: (LOOK_ALONG_Y[0], 0.0, math.radians(-30.0))})

    assert _moves(_describe()) == ["pan right"]


def test_pan_left(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    _key(camera, "rotation_euler", {1: LOOK_ALONG_Y, 48: (LOOK_ALONG_Y[0], 0.0, math.radians(30.0))})

    assert _moves(_describe()) == ["pan left"]


def test_orbit_around_the_subject_through_a_parent(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot, 1, 72)
    pivot = bpy.data.objects.new("Pivot", None)
    bpy.context.scene.collection.objects.link(pivot)
    camera.parent = pivot
    camera.location = (0.0, -8.0, 0.0)
    # Counter-clockwise seen from above: the camera circles to its right, always facing the cube.
    _key(pivot, "rotation_euler", {1: (0.0, 0.0, 0.0), 72: (0.0, 0.0, math.radians(60.0))})

    wording = _describe()

    assert _moves(wording) == ["orbit right around the subject"]
    assert "pan" not in wording and "truck" not in wording  # the arc explains both


def test_zoom_in_is_a_focal_length_animation(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot, 1, 96)
    _key(camera.data, "lens", {1: 20.0, 96: 80.0})

    wording = _describe()

    assert _moves(wording) == ["zoom in"]
    assert wording.startswith("extreme wide shot to wide shot")  # the longer lens frames tighter


def test_zoom_out(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    _key(camera.data, "lens", {1: 80.0, 48: 40.0})

    assert _plain_moves(_describe()) == ["zoom out"]


def test_static_camera(md, fresh_scene, make_shot):
    _derived_shot(make_shot)

    assert _describe() == "wide shot, static camera"


def test_combined_dolly_pan_and_zoom_read_in_camera_order(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    # Keyed lens first, then rotation, then location: the wording keeps CAMERA_MOVES order anyway.
    _key(camera.data, "lens", {1: 50.0, 48: 35.0})
    _key(camera, "rotation_euler", {1: LOOK_ALONG_Y, 48: (LOOK_ALONG_Y[0], 0.0, math.radians(-20.0))})
    _key(camera, "location", {1: (0.0, FAR_Y, 0.0), 48: (0.0, -6.0, 0.0)})

    assert _plain_moves(_describe()) == ["dolly in", "pan right", "zoom out"]


def _linear(target: bpy.types.ID) -> None:
    """Make ``target``'s keys interpolate linearly (a constant-speed move, as many camera moves are keyed)."""
    animation = target.animation_data
    if hasattr(animation.action, "fcurves"):  # 4.2: actions hold their F-curves directly
        fcurves = animation.action.fcurves
    else:  # 4.4+: slotted actions keep them in a channel bag per slot
        fcurves = anim_utils.action_get_channelbag_for_slot(animation.action, animation.action_slot).fcurves
    for fcurve in fcurves:
        for point in fcurve.keyframe_points:
            point.interpolation = "LINEAR"


@pytest.mark.parametrize("frames", [24, 48, 72, 96])
def test_a_constant_speed_dolly_is_not_handheld(md, fresh_scene, make_shot, frames):
    # The twelve samples fall on whole frames, unevenly spaced (e.g. 6 and 7 frames apart over 72
    # frames); that spacing must not read as camera shake.
    camera = _derived_shot(make_shot, 1, frames)
    _key(camera, "location", {1: (0.0, FAR_Y, 0.0), frames: (0.0, -6.0, 0.0)})
    _linear(camera)
    bpy.context.scene.frame_set(1 + (frames - 1) // 2)
    assert camera.location.y == pytest.approx(FAR_Y + 6.0 * ((frames - 1) // 2) / (frames - 1))  # really linear

    assert _plain_moves(_describe()) == ["dolly in"]


def test_a_shaking_camera_is_handheld(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    shake = random.Random(7)

    def jolt() -> float:
        return shake.uniform(-0.15, 0.15)

    _key(camera, "location", {frame: (jolt(), FAR_Y + jolt(), jolt()) for frame in range(1, 49)})
    _linear(camera)

    wording = _describe()

    assert _moves(wording)[-1] == "handheld camera"
    assert "dolly" not in wording  # the shake goes nowhere


@pytest.mark.parametrize(
    ("camera_y", "framing"),
    [(-2.5, "close-up"), (-5.0, "medium shot"), (FAR_Y, "wide shot")],
)
def test_framing_follows_the_distance_to_the_subject(md, fresh_scene, make_shot, camera_y, framing):
    camera = _derived_shot(make_shot)
    camera.location = (0.0, camera_y, 0.0)

    wording = _describe()

    assert wording == f"{framing}, static camera"


def test_framing_finds_a_subject_off_the_centre_ray(md, fresh_scene, make_shot):
    _derived_shot(make_shot)
    # The cube is in the frame but the centre ray misses it: the nearest object in view decides.
    bpy.data.objects["Cube"].location = (2.5, 0.0, 0.0)

    assert _describe() == "wide shot, static camera"


def test_sampling_restores_the_frame_and_the_animated_values(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    _key(camera, "location", {1: (0.0, FAR_Y, 0.0), 48: (0.0, -4.0, 0.0)})
    scene = bpy.context.scene
    scene.frame_set(17)
    y_at_17 = camera.location.y

    _describe()

    assert scene.frame_current == 17
    assert camera.location.y == pytest.approx(y_at_17)
    assert camera.matrix_world.translation.y == pytest.approx(y_at_17)


def test_describe_shows_the_wording_the_prompt_gets(md, fresh_scene, make_shot):
    """The button's wording is the one generation writes into the prompt (same fps and picture shape)."""
    camera = _derived_shot(make_shot)
    scene = bpy.context.scene
    # 11 degrees in 47 frames: 5.6 degrees/s at 24 fps ("slow"), 7 degrees/s at this scene's 30 fps.
    scene.render.fps = 30
    _key(camera, "rotation_euler", {1: LOOK_ALONG_Y, 48: (LOOK_ALONG_Y[0], 0.0, math.radians(-11.0))})
    # 1.7 m from the cube: a close-up in a 16:9 picture, a medium shot in this shot's 4:3 one.
    camera.movie_director.resolution = "640x480"
    camera.location = (0.0, -2.7, 0.0)

    shown = _describe()

    spec = md.runtime.snapshot.read_spec(bpy.context, scene, camera, "PREVIEW")
    built = md.wangp_backend.toolkit.build_settings(spec, None, md.runtime.session.templates())
    assert shown == built.camera_wording
    assert shown.lower() in built.settings["prompt"].lower()


def test_manual_moves_read_in_a_fixed_order(md, fresh_scene, make_shot):
    camera = make_shot("SH010", 1, 48)
    shot = camera.movie_director
    shot.camera_mode = "MANUAL"

    shot.camera_movements = {"zoom_out", "pan_left", "dolly_in"}
    assert _describe() == "dolly in, pan left, zoom out"

    shot.camera_movements = {"static"}
    assert _describe() == "static camera"

    # Static contradicts a real move: the move is what the director asked for.
    shot.camera_movements = {"static", "orbit_right", "handheld"}
    assert _describe() == "orbit right around the subject, handheld camera"

    shot.camera_movements = set()
    assert _describe() == ""


def test_manual_mode_ignores_the_camera_animation(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    _key(camera, "location", {1: (0.0, FAR_Y, 0.0), 48: (0.0, -4.0, 0.0)})
    camera.movie_director.camera_mode = "MANUAL"
    camera.movie_director.camera_movements = {"tilt_up"}

    assert _describe() == "tilt up"


def test_a_prop_shot_is_described_through_the_scene_camera(md, fresh_scene, make_shot):
    camera = _derived_shot(make_shot)
    _key(camera, "location", {1: (0.0, FAR_Y, 0.0), 48: (0.0, -4.0, 0.0)})
    camera.movie_director.is_shot = False
    scene = bpy.context.scene
    scene.camera = camera
    prop = bpy.data.objects["Cube"]
    bpy.context.view_layer.objects.active = prop
    bpy.ops.movie_director.mark_shot()
    prop.movie_director.frame_start, prop.movie_director.frame_end = 1, 48
    prop.movie_director.camera_mode = "DERIVED"

    assert _moves(_describe()) == ["dolly in"]


def test_derived_without_any_camera_is_an_error(md, fresh_scene):
    _cube()
    prop = bpy.data.objects["Cube"]
    bpy.context.view_layer.objects.active = prop
    bpy.ops.movie_director.mark_shot()
    prop.movie_director.camera_mode = "DERIVED"
    prop.movie_director.camera_wording = "left from before"
    assert bpy.context.scene.camera is None

    with pytest.raises(RuntimeError, match="Cube is not a camera and the scene has no camera to describe"):
        bpy.ops.movie_director.describe_camera()
    assert prop.movie_director.camera_wording == "left from before"


def test_generating_updates_the_wording_shown(md, fake_wangp, output_dir, make_shot):
    """The shot's wording is "updated before generating": the panel shows what the take's prompt got."""
    camera = _derived_shot(make_shot)
    _key(camera, "location", {1: (0.0, FAR_Y, 0.0), 48: (0.0, -4.0, 0.0)})
    camera.movie_director.model_type = "t2v_1.3B"

    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}

    with open(camera.movie_director.takes[0].sidecar_path, encoding="utf-8") as fh:
        sidecar = json.load(fh)
    assert _plain_moves(sidecar["camera_wording"]) == ["dolly in"]
    assert camera.movie_director.camera_wording == sidecar["camera_wording"]
