"""Shot size (extreme wide ... extreme close-up) from the lens and the distance to the subject.

A shot size is a statement about how much of a person fills the frame, so the lens alone says
nothing: we take the frame's height at the subject's distance (from the horizontal field of view,
``2 * atan(sensor_width / (2 * focal_length))``, and the picture's aspect) and see how many times an
assumed 1.8 m standing person fits in it.

Thresholds, as the share of the frame height that a 1.8 m subject would fill:

================== =================== ==========================================
shot size          subject / frame     what the frame holds
================== =================== ==========================================
extreme wide shot  < 0.2               frame > 9 m tall: the figure is a speck
wide shot          0.2 - 0.8           the whole figure with room around it
medium shot        0.8 - 2.5           frame 0.72 - 2.25 m: knees or waist up
close-up           2.5 - 7             frame 0.26 - 0.72 m: head and shoulders
extreme close-up   >= 7                frame < 0.26 m: part of a face, a detail
================== =================== ==========================================
"""

from __future__ import annotations

import math

SUBJECT_HEIGHT_M = 1.8

#: (upper bound of subject/frame height, shot size), ascending.
SHOT_SIZES: tuple[tuple[float, str], ...] = (
    (0.2, "extreme wide shot"),
    (0.8, "wide shot"),
    (2.5, "medium shot"),
    (7.0, "close-up"),
    (math.inf, "extreme close-up"),
)


def horizontal_fov(focal_length_mm: float, sensor_width_mm: float) -> float:
    """Horizontal field of view in radians."""
    return 2.0 * math.atan(sensor_width_mm / (2.0 * max(focal_length_mm, 1e-6)))


def subject_fill(focal_length_mm: float, sensor_width_mm: float, distance: float, aspect: float = 16 / 9) -> float:
    """How many times the frame's height a 1.8 m subject at ``distance`` (metres) spans."""
    frame_width = 2.0 * max(distance, 1e-6) * math.tan(horizontal_fov(focal_length_mm, sensor_width_mm) / 2.0)
    return SUBJECT_HEIGHT_M / (frame_width / aspect)


def shot_size(focal_length_mm: float, sensor_width_mm: float, distance: float, aspect: float = 16 / 9) -> str:
    fill = subject_fill(focal_length_mm, sensor_width_mm, distance, aspect)
    return next(name for bound, name in SHOT_SIZES if fill < bound)
