"""Camera language: hand-picked moves, moves derived from synthetic camera paths, and framing."""

from __future__ import annotations

import dataclasses
import math
import random

import pytest
from toolkit_support import camera_path, lerp, look_at

from wangp_backend.toolkit import CAMERA_MOVES, describe_camera_samples, describe_manual_moves, vec
from wangp_backend.toolkit.camera_path import analyse_camera_path
from wangp_backend.toolkit.framing import shot_size, subject_fill

SUBJECT = (0.0, 0.0, 1.6)
CAMERA = (0.0, -5.0, 1.6)


# --- hand-picked moves ------------------------------------------------------------------------


def test_camera_moves_table_has_every_required_move():
    ids = [move_id for move_id, _, _ in CAMERA_MOVES]
    required = {
        "static", "zoom_in", "zoom_out", "dolly_in", "dolly_out", "pan_left", "pan_right", "tilt_up", "tilt_down",
        "truck_left", "truck_right", "pedestal_up", "pedestal_down", "orbit_left", "orbit_right", "crane_up",
        "crane_down", "handheld",
    }  # fmt: skip
    assert set(ids) == required
    assert len(ids) == len(set(ids))
    assert all(move_id == move_id.lower() and label and wording for move_id, label, wording in CAMERA_MOVES)


def test_manual_moves_read_in_a_fixed_order_with_optional_speed():
    assert describe_manual_moves(["pan_right", "slow_dolly_in"]) == "slow dolly in, pan right"
    assert describe_manual_moves({"pan_right", "slow_dolly_in"}) == "slow dolly in, pan right"
    assert describe_manual_moves(["fast_orbit_left"]) == "fast orbit left around the subject"


def test_static_gives_way_to_a_real_move_and_duplicates_collapse():
    assert describe_manual_moves(["static"]) == "static camera"
    assert describe_manual_moves(["static", "tilt_up", "tilt_up"]) == "tilt up"
    assert describe_manual_moves([]) == ""


def test_unknown_manual_move_is_refused_by_name():
    with pytest.raises(ValueError, match="'moonwalk'"):
        describe_manual_moves(["moonwalk"])


# --- moves derived from the camera's path -----------------------------------------------------


def test_dolly_in_toward_the_subject():
    samples = camera_path(lambda f, t: look_at(f, lerp((0, -8, 1.6), (0, -5, 1.6), t), SUBJECT))
    assert describe_camera_samples(samples) == "wide shot to medium shot, slow dolly in"


def test_dolly_out_away_from_the_subject():
    samples = camera_path(lambda f, t: look_at(f, lerp(CAMERA, (0, -8, 1.6), t), SUBJECT))
    assert describe_camera_samples(samples) == "medium shot to wide shot, dolly out"


def test_fast_dolly_over_one_second():
    samples = camera_path(lambda f, t: look_at(f, lerp((0, -8, 1.6), (0, -2, 1.6), t), SUBJECT), count=25)
    assert "fast dolly in" in describe_camera_samples(samples)


def test_pan_right_turns_the_view_clockwise_seen_from_above():
    def aim(t: float) -> vec.Vec3:
        heading = math.radians(90 - 30 * t)
        return (5 * math.cos(heading), -5 + 5 * math.sin(heading), 1.6)

    samples = camera_path(lambda f, t: look_at(f, CAMERA, aim(t), subject_distance=5.0))
    assert describe_camera_samples(samples) == "medium shot, pan right"
    assert analyse_camera_path(samples).pan_deg == pytest.approx(-30.0)


def test_small_pan_reads_slight_and_a_tiny_one_not_at_all():
    def turn(degrees: float):
        return camera_path(
            lambda f, t: look_at(f, CAMERA, (-5 * math.tan(math.radians(degrees * t)), 0, 1.6), subject_distance=5.0)
        )

    assert describe_camera_samples(turn(6)) == "medium shot, slight pan left"
    assert describe_camera_samples(turn(1)) == "medium shot, static camera"


def test_tilt_up():
    samples = camera_path(
        lambda f, t: look_at(f, CAMERA, (0, 0, 1.6 + 5 * math.tan(math.radians(20 * t))), subject_distance=5.0)
    )
    assert describe_camera_samples(samples) == "medium shot, slow tilt up"


def test_orbit_moves_sideways_while_holding_the_target():
    def around(t: float) -> vec.Vec3:
        angle = math.radians(-90 + 60 * t)
        return (5 * math.cos(angle), 5 * math.sin(angle), 1.6)

    samples = camera_path(lambda f, t: look_at(f, around(t), SUBJECT))
    assert describe_camera_samples(samples) == "medium shot, orbit right around the subject"
    backwards = tuple(reversed([look_at(s.frame, s.location, SUBJECT) for s in samples]))
    renumbered = tuple(look_at(i + 1, s.location, SUBJECT) for i, s in enumerate(backwards))
    assert "orbit left" in describe_camera_samples(renumbered)


def test_zoom_in_is_a_focal_length_change_not_a_move():
    samples = camera_path(lambda f, t: look_at(f, CAMERA, SUBJECT, focal_length_mm=35 + 35 * t))
    assert describe_camera_samples(samples) == "wide shot to medium shot, zoom in"


def test_truck_right_slides_without_turning():
    samples = camera_path(
        lambda f, t: look_at(f, lerp(CAMERA, (2, -5, 1.6), t), lerp(SUBJECT, (2, 0, 1.6), t), subject_distance=5.0)
    )
    assert describe_camera_samples(samples) == "medium shot, truck right"


def test_crane_up_rises_while_tilting_to_keep_the_subject():
    samples = camera_path(lambda f, t: look_at(f, lerp(CAMERA, (0, -5, 5), t), SUBJECT))
    assert describe_camera_samples(samples) == "medium shot to wide shot, crane up"


def test_pedestal_up_rises_without_tilting():
    samples = camera_path(
        lambda f, t: look_at(f, lerp(CAMERA, (0, -5, 2.6), t), lerp(SUBJECT, (0, 0, 2.6), t), subject_distance=5.0)
    )
    assert describe_camera_samples(samples) == "medium shot, slow pedestal up"


def test_roll_is_named_with_its_direction():
    samples = camera_path(lambda f, t: look_at(f, CAMERA, SUBJECT, roll_deg=15 * t))
    assert describe_camera_samples(samples) == "medium shot, slow camera roll counter-clockwise"


def test_handheld_jitter_on_a_locked_off_camera():
    rng = random.Random(7)

    def shaky(frame: int, _t: float):
        jitter = (rng.gauss(0, 0.015), rng.gauss(0, 0.015), rng.gauss(0, 0.015))
        aim = (rng.gauss(0, 0.03), 0.0, rng.gauss(0, 0.03))
        return look_at(frame, vec.add(CAMERA, jitter), vec.add(SUBJECT, aim))

    assert describe_camera_samples(camera_path(shaky)) == "medium shot, handheld camera"


def test_handheld_jitter_on_top_of_a_dolly():
    rng = random.Random(3)

    def shaky(frame: int, t: float):
        jitter = (rng.gauss(0, 0.015), rng.gauss(0, 0.015), rng.gauss(0, 0.015))
        return look_at(frame, vec.add(lerp((0, -8, 1.6), CAMERA, t), jitter), SUBJECT)

    assert describe_camera_samples(camera_path(shaky)) == "wide shot to medium shot, slow dolly in, handheld camera"


def test_eased_move_is_smooth_not_handheld():
    samples = camera_path(lambda f, t: look_at(f, lerp((0, -8, 1.6), (0, -2, 1.6), 3 * t * t - 2 * t**3), SUBJECT), 25)
    assert not analyse_camera_path(samples).handheld


def test_static_camera_and_degenerate_inputs():
    assert (
        describe_camera_samples(camera_path(lambda f, t: look_at(f, CAMERA, SUBJECT))) == "medium shot, static camera"
    )
    assert describe_camera_samples([look_at(1, CAMERA, SUBJECT)]) == "medium shot, static camera"
    assert describe_camera_samples([]) == ""


def test_samples_are_read_in_frame_order():
    samples = camera_path(lambda f, t: look_at(f, lerp((0, -8, 1.6), CAMERA, t), SUBJECT))
    assert describe_camera_samples(list(reversed(samples))) == describe_camera_samples(samples)


def test_without_subject_distance_there_is_no_framing_and_the_scale_is_assumed():
    # 1.5 m in 4 s against the assumed 5 m scene scale: 0.075 of it per second, a slow move.
    samples = camera_path(lambda f, t: look_at(f, lerp((0, -8, 1.6), (0, -6.5, 1.6), t), SUBJECT))
    blind = tuple(dataclasses.replace(s, subject_distance=None) for s in samples)
    assert describe_camera_samples(blind) == "slow dolly in"


def test_speed_depends_on_the_shot_fps():
    samples = camera_path(lambda f, t: look_at(f, lerp((0, -8, 1.6), CAMERA, t), SUBJECT))
    assert "slow dolly in" in describe_camera_samples(samples, fps=24)
    assert "fast dolly in" in describe_camera_samples(samples, fps=240)


# --- framing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("focal", "distance", "expected"),
    [
        (24, 30.0, "extreme wide shot"),
        (50, 10.0, "wide shot"),
        (50, 3.0, "medium shot"),
        (85, 1.5, "close-up"),
        (85, 1.0, "extreme close-up"),
        (200, 6.0, "close-up"),
    ],
)
def test_shot_size_from_lens_and_distance(focal, distance, expected):
    assert shot_size(focal, 36.0, distance) == expected


def test_subject_fill_uses_the_horizontal_fov_and_aspect():
    # 50 mm on a 36 mm sensor at 3 m: frame 2.16 m wide, 1.215 m tall at 16:9 -> 1.8 / 1.215.
    assert subject_fill(50, 36, 3.0) == pytest.approx(1.8 / (3.0 * 36 / 50 / (16 / 9)))
    # A narrower sensor crops in: the same lens frames tighter.
    assert subject_fill(50, 24, 3.0) > subject_fill(50, 36, 3.0)
    # A square picture is taller for the same width: the subject fills less of it.
    assert subject_fill(50, 36, 3.0, aspect=1.0) < subject_fill(50, 36, 3.0)
