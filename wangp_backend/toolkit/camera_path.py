"""Camera language derived from the shot camera's real motion, so the prompt says what Blender shows.

The first-to-last change of the camera over the shot is split into the moves a camera operator
would name (world Z is up, as in Blender):

- translation: along the view on the ground plane (dolly), across it (truck), vertical (pedestal);
- rotation: yaw (pan), pitch (tilt), roll;
- lens: focal-length ratio (zoom);
- arcs: when the last view still points at the first view's target (the point ``subject_distance``
  ahead), a sideways move is an orbit and a vertical one a crane, not a truck/pedestal plus a pan/tilt;
- handheld: high-frequency jitter between consecutive samples (see :func:`_is_jittery`).

Magnitudes are judged against the subject distance (the scene's scale: 1 m means little to a
landscape and a lot to a face), and per second of shot, into "slow", "" or "fast"; small
rotations read "slight". Anything below the thresholds reads as a static camera.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..spec import CameraSample
from . import vec
from .camera_moves import move_wording
from .framing import shot_size

#: Scene scale (metres) when no sample knows the distance to its subject.
DEFAULT_SUBJECT_DISTANCE = 5.0

#: Translations smaller than this share of the subject distance are not a move.
MIN_TRAVEL = 0.05
#: Travel per second (share of subject distance) below which a move is "slow", above which "fast".
SLOW_TRAVEL_RATE, FAST_TRAVEL_RATE = 0.1, 0.5
#: Rotations (degrees) below MIN are not a move, below SLIGHT read "slight".
MIN_TURN_DEG, SLIGHT_TURN_DEG = 2.0, 10.0
MIN_ROLL_DEG = 3.0
#: Rotation speed (degrees per second) below which a turn is "slow", above which "fast".
SLOW_TURN_RATE, FAST_TURN_RATE = 6.0, 30.0
#: Arcs around the subject (degrees) below this are not an orbit.
MIN_ORBIT_DEG = 5.0
#: Focal-length ratios within this factor of 1 are not a zoom; log-ratio per second for slow/fast.
MIN_ZOOM_RATIO = 1.05
SLOW_ZOOM_RATE, FAST_ZOOM_RATE = 0.1, 0.5
#: An arc keeps the target within this share of the subject distance of the last view ray.
ARC_TARGET_TOLERANCE = 0.2
#: Orbits and cranes rarely keep their radius: only a larger change of it also reads as a dolly.
ARC_DOLLY = 0.25
#: Jitter: RMS second difference per sample (share of subject distance, or radians of view
#: direction) above which the path shakes, if the shake also flips direction often enough.
JITTER_TRAVEL, JITTER_TURN, JITTER_FLIPS = 0.002, 0.002, 0.4
#: Fewer samples than this cannot tell jitter from an ease-in/ease-out.
JITTER_MIN_SAMPLES = 5

_WORLD_UP: vec.Vec3 = (0.0, 0.0, 1.0)


@dataclass(frozen=True)
class CameraMotion:
    """The measured first-to-last motion; lengths are shares of ``scale``, angles degrees."""

    scale: float
    duration_s: float
    dolly: float = 0.0
    truck: float = 0.0
    pedestal: float = 0.0
    pan_deg: float = 0.0
    tilt_deg: float = 0.0
    roll_deg: float = 0.0
    zoom_ratio: float = 1.0
    orbit_deg: float = 0.0
    crane: float = 0.0
    handheld: bool = False


def describe_camera_samples(samples: Sequence[CameraSample], fps: float = 24.0, aspect: float = 16 / 9) -> str:
    """Framing plus derived moves, e.g. ``"medium shot, slow dolly in, slight pan right"``.

    ``fps`` turns sample frames into seconds (speeds); ``aspect`` is the picture's width/height
    (framing). Returns "" for no samples.
    """
    ordered = sorted(samples, key=lambda s: s.frame)
    if not ordered:
        return ""
    parts = [framing] if (framing := describe_framing(ordered, aspect)) else []
    moves = motion_wording(analyse_camera_path(ordered, fps))
    parts.extend(moves or [move_wording("static")])
    return ", ".join(parts)


def describe_framing(samples: Sequence[CameraSample], aspect: float = 16 / 9) -> str:
    """Shot size at the first sample that knows its subject, "A to B" if it changes by the last."""
    known = [s for s in sorted(samples, key=lambda s: s.frame) if s.subject_distance]
    if not known:
        return ""
    start, end = (
        shot_size(s.focal_length_mm, s.sensor_width_mm, s.subject_distance, aspect) for s in (known[0], known[-1])
    )
    return start if start == end else f"{start} to {end}"


def analyse_camera_path(samples: Sequence[CameraSample], fps: float = 24.0) -> CameraMotion:
    """The first-to-last motion of ``samples`` (one or more), read as an operator would name it."""
    ordered = sorted(samples, key=lambda s: s.frame)
    first, last = ordered[0], ordered[-1]
    scale = _subject_scale(ordered)
    duration = max(last.frame - first.frame, 1) / (fps or 24.0)
    travel = vec.sub(last.location, first.location)
    vertical = vec.dot(travel, _WORLD_UP)
    along_axis, across_axis = _ground_axes(first)
    flat = vec.sub(travel, vec.scale(_WORLD_UP, vertical))
    values = {
        "dolly": vec.dot(flat, along_axis) / scale,
        "truck": vec.dot(flat, across_axis) / scale,
        "pedestal": vertical / scale,
        "pan_deg": _wrap_deg(_heading(last.forward) - _heading(first.forward)),
        "tilt_deg": _elevation(last.forward) - _elevation(first.forward),
        "roll_deg": _wrap_deg(_roll(last) - _roll(first)),
        "zoom_ratio": last.focal_length_mm / max(first.focal_length_mm, 1e-6),
    }
    target = vec.add(first.location, vec.scale(first.forward, scale))
    if vec.point_ray_distance(target, last.location, last.forward) < ARC_TARGET_TOLERANCE * scale:
        values.update(_arcs(first, last, target, scale, values))
    return CameraMotion(scale=scale, duration_s=duration, handheld=_is_jittery(ordered, scale), **values)


def motion_wording(motion: CameraMotion) -> list[str]:
    """The prompt phrases for a measured motion, in :data:`CAMERA_MOVES` order."""
    words: list[str] = []

    def travel(amount: float, positive: str, negative: str) -> None:
        if abs(amount) >= MIN_TRAVEL:
            words.append(move_wording(positive if amount > 0 else negative, _travel_speed(amount, motion)))

    def turn(angle: float, positive: str, negative: str, minimum: float = MIN_TURN_DEG) -> None:
        if abs(angle) >= minimum:
            words.append(move_wording(positive if angle > 0 else negative, _turn_speed(angle, motion)))

    travel(motion.dolly, "dolly_in", "dolly_out")
    travel(motion.truck, "truck_right", "truck_left")
    travel(motion.pedestal, "pedestal_up", "pedestal_down")
    travel(motion.crane, "crane_up", "crane_down")
    turn(motion.orbit_deg, "orbit_right", "orbit_left", minimum=MIN_ORBIT_DEG)
    turn(motion.pan_deg, "pan_left", "pan_right")
    turn(motion.tilt_deg, "tilt_up", "tilt_down")
    if abs(motion.roll_deg) >= MIN_ROLL_DEG:
        direction = "counter-clockwise" if motion.roll_deg > 0 else "clockwise"
        adjective = _turn_speed(motion.roll_deg, motion)
        words.append(f"{adjective} camera roll {direction}".strip())
    zoom = math.log(max(motion.zoom_ratio, 1e-6))
    if abs(zoom) >= math.log(MIN_ZOOM_RATIO):
        rate = abs(zoom) / motion.duration_s
        adjective = "slow" if rate < SLOW_ZOOM_RATE else "fast" if rate > FAST_ZOOM_RATE else ""
        words.append(move_wording("zoom_in" if zoom > 0 else "zoom_out", adjective))
    if motion.handheld:
        words.append(move_wording("handheld"))
    return words


def _travel_speed(amount: float, motion: CameraMotion) -> str:
    rate = abs(amount) / motion.duration_s
    return "slow" if rate < SLOW_TRAVEL_RATE else "fast" if rate > FAST_TRAVEL_RATE else ""


def _turn_speed(angle: float, motion: CameraMotion) -> str:
    if abs(angle) < SLIGHT_TURN_DEG:
        return "slight"
    rate = abs(angle) / motion.duration_s
    return "slow" if rate < SLOW_TURN_RATE else "fast" if rate > FAST_TURN_RATE else ""


def _arcs(first: CameraSample, last: CameraSample, target: vec.Vec3, scale: float, values: dict) -> dict:
    """Re-read a target-locked move as orbit/crane arcs; what they explain is not also a truck or pan."""
    arcs: dict[str, float] = {}
    start, end = vec.sub(first.location, target), vec.sub(last.location, target)
    if abs(values["pan_deg"]) >= SLIGHT_TURN_DEG and abs(values["truck"]) >= MIN_TRAVEL:
        # Seen from above, a camera circling counter-clockwise around the target moves to its right.
        arcs["orbit_deg"] = _wrap_deg(math.degrees(math.atan2(end[1], end[0]) - math.atan2(start[1], start[0])))
        arcs["truck"], arcs["pan_deg"] = 0.0, 0.0
    if abs(values["tilt_deg"]) >= MIN_TURN_DEG and abs(values["pedestal"]) >= MIN_TRAVEL:
        arcs["crane"], arcs["pedestal"], arcs["tilt_deg"] = values["pedestal"], 0.0, 0.0
    if arcs:
        # Along an arc the distance to the target is what changes the framing: that is the dolly.
        radius_change = (vec.length(start) - vec.length(end)) / scale
        arcs["dolly"] = radius_change if abs(radius_change) >= ARC_DOLLY else 0.0
    return arcs


def _subject_scale(samples: Sequence[CameraSample]) -> float:
    known = [s.subject_distance for s in samples if s.subject_distance]
    return float(known[0]) if known else DEFAULT_SUBJECT_DISTANCE


def _ground_axes(sample: CameraSample) -> tuple[vec.Vec3, vec.Vec3]:
    """The view's forward and right directions on the ground plane (camera axes when looking straight down)."""
    forward = vec.normalized((sample.forward[0], sample.forward[1], 0.0))
    if vec.length(forward) < 0.5:
        forward = vec.normalized((sample.up[0], sample.up[1], 0.0))
    return forward, vec.cross(forward, _WORLD_UP)


def _heading(direction: vec.Vec3) -> float:
    return math.degrees(math.atan2(direction[1], direction[0]))


def _elevation(direction: vec.Vec3) -> float:
    return math.degrees(math.asin(max(-1.0, min(1.0, vec.normalized(direction)[2]))))


def _roll(sample: CameraSample) -> float:
    return math.degrees(math.atan2(sample.right[2], sample.up[2]))


def _wrap_deg(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


def _is_jittery(samples: Sequence[CameraSample], scale: float) -> bool:
    """Handheld shake: second differences that are large and keep flipping sign.

    A smooth move (even eased in and out) has second differences that change sign once or twice;
    noise flips about two times in three. The size floor keeps float noise and slow curves out.
    """
    if len(samples) < JITTER_MIN_SAMPLES:
        return False
    positions = [vec.scale(s.location, 1.0 / scale) for s in samples]
    directions = [vec.normalized(s.forward) for s in samples]
    frames = [s.frame for s in samples]
    return _shakes(frames, positions, JITTER_TRAVEL) or _shakes(frames, directions, JITTER_TURN)


def _shakes(frames: Sequence[int], points: Sequence[vec.Vec3], floor: float) -> bool:
    # Samples fall on whole frames, unevenly spaced (6, 7, 6, 7... apart): rescale each step to the mean
    # spacing so a constant-speed move has second differences of zero instead of a see-saw.
    spacing = (frames[-1] - frames[0]) / (len(frames) - 1) or 1.0

    def step(i: int) -> vec.Vec3:
        return vec.scale(vec.sub(points[i], points[i - 1]), spacing / ((frames[i] - frames[i - 1]) or 1))

    seconds = [vec.sub(step(i + 1), step(i)) for i in range(1, len(points) - 1)]
    rms = math.sqrt(sum(vec.dot(d, d) for d in seconds) / len(seconds))
    if rms < floor:
        return False
    flips = pairs = 0
    for axis in range(3):
        series = [d[axis] for d in seconds if abs(d[axis]) >= floor / 2]
        pairs += max(0, len(series) - 1)
        flips += sum(1 for a, b in pairwise(series) if a * b < 0)
    return pairs > 0 and flips / pairs >= JITTER_FLIPS
