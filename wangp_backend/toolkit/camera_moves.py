"""The vocabulary of camera moves a director picks by hand, and how each reads in a prompt.

Video models respond to plain cinematography terms ("dolly in", "pan left"), so the wording stays
short and conventional. Ids are lower-case and stable: Blender stores them in an ``ENUM_FLAG``
property and templates list them.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import wording

#: (id, label, wording), in the order the wording is written into a prompt: framing-neutral
#: translations first, then rotations, then lens, then the camera's character.
CAMERA_MOVES: tuple[tuple[str, str, str], ...] = (
    ("static", "Static", "static camera"),
    ("dolly_in", "Dolly In", "dolly in"),
    ("dolly_out", "Dolly Out", "dolly out"),
    ("truck_left", "Truck Left", "truck left"),
    ("truck_right", "Truck Right", "truck right"),
    ("pedestal_up", "Pedestal Up", "pedestal up"),
    ("pedestal_down", "Pedestal Down", "pedestal down"),
    ("crane_up", "Crane Up", "crane up"),
    ("crane_down", "Crane Down", "crane down"),
    ("orbit_left", "Orbit Left", "orbit left around the subject"),
    ("orbit_right", "Orbit Right", "orbit right around the subject"),
    ("pan_left", "Pan Left", "pan left"),
    ("pan_right", "Pan Right", "pan right"),
    ("tilt_up", "Tilt Up", "tilt up"),
    ("tilt_down", "Tilt Down", "tilt down"),
    ("zoom_in", "Zoom In", "zoom in"),
    ("zoom_out", "Zoom Out", "zoom out"),
    ("handheld", "Handheld", "handheld camera"),
)

MOVE_IDS: tuple[str, ...] = tuple(move_id for move_id, _, _ in CAMERA_MOVES)
_WORDING: dict[str, str] = {move_id: wording for move_id, _, wording in CAMERA_MOVES}

#: Optional speed prefixes for a hand-picked move: ``"slow_dolly_in"`` reads "slow dolly in".
SPEEDS: tuple[str, ...] = ("slow", "fast")


def split_move(move: str) -> tuple[str, str]:
    """``(speed, move_id)`` of ``"slow_dolly_in"``; raises ``ValueError`` for an unknown move."""
    text = move.strip().lower()
    speed = ""
    for candidate in SPEEDS:
        if text.startswith(candidate + "_") and text[len(candidate) + 1 :] in _WORDING:
            speed, text = candidate, text[len(candidate) + 1 :]
            break
    if text not in _WORDING:
        raise ValueError(wording.camera_move_unknown(move, list(MOVE_IDS)))
    return speed, text


def move_wording(move_id: str, adjective: str = "") -> str:
    """The prompt wording of one move id, with an optional adjective ("slow", "slight"...)."""
    phrase = _WORDING[move_id]
    return f"{adjective} {phrase}" if adjective else phrase


def describe_manual_moves(moves: Iterable[str]) -> str:
    """Prompt wording for hand-picked moves, in a fixed order so the same set gives the same prompt.

    Each move is an id of :data:`CAMERA_MOVES`, optionally prefixed by a speed (``"slow_dolly_in"``).
    ``static`` is dropped when a real move is present: the two contradict each other and the move
    is what the director asked for. An unknown id raises ``ValueError``.
    """
    speeds: dict[str, str] = {}
    for move in moves:
        speed, move_id = split_move(move)
        speeds[move_id] = speed or speeds.get(move_id, "")
    if len(speeds) > 1:
        speeds.pop("static", None)
    return ", ".join(move_wording(move_id, speeds[move_id]) for move_id in MOVE_IDS if move_id in speeds)
