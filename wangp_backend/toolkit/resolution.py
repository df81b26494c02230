"""Picture sizes: a tier's pixel budget reshaped to a template's aspect, on WanGP's 16-pixel grid.

Video models work on latents that divide the picture by 8 or 16, and WanGP's presets are all
multiples of 16, so every size we send is one.
"""

from __future__ import annotations

import math

GRID = 16
#: A preset within this relative error of the wanted aspect is kept as it is (832x480 is "16:9").
ASPECT_TOLERANCE = 0.03


def snap(value: float) -> int:
    """Nearest multiple of 16 (halves round up), at least 16."""
    return max(GRID, int(math.floor(value / GRID + 0.5)) * GRID)


def snap_resolution(width: int, height: int) -> tuple[int, int]:
    return snap(width), snap(height)


def reshape(width: int, height: int, aspect: float) -> tuple[int, int]:
    """A size with about the pixel count of ``width x height`` and the picture aspect ``aspect``.

    A preset already close to the aspect, or to its portrait twin, is kept (transposed if need be),
    so that "16:9" on 832x480 stays WanGP's own 832x480 rather than a near miss.
    """
    current = width / height
    if abs(current - aspect) / aspect <= ASPECT_TOLERANCE:
        return snap_resolution(width, height)
    if abs(1 / current - aspect) / aspect <= ASPECT_TOLERANCE:
        return snap_resolution(height, width)
    area = width * height
    return snap(math.sqrt(area * aspect)), snap(math.sqrt(area / aspect))


def format_resolution(width: int, height: int) -> str:
    return f"{width}x{height}"
