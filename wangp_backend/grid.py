"""The sizes and frame counts WanGP accepts: the one place for resolution parsing, snapping and frame grids.

Pictures: video models work on latents that divide the picture by 8 or 16, and WanGP's presets are all
multiples of 16, so every size we send is one; a guided shot is floored further to the model's VAE block
(WanGP's own rounding), so the guide is rendered at the size WanGP really uses.
Frames: a model takes ``frames_minimum + k * frames_steps`` frames (Wan 4n+1, LTX 8n+1), at most
``frames_maximum`` in one window. Plain arithmetic over the catalog's numbers; the builder (what a shot asks
for) and the host's validation (what is sent) both use it, so they can never disagree.
"""

from __future__ import annotations

import math
import re
from typing import Protocol

GRID = 16
#: A preset within this relative error of the wanted aspect is kept as it is (832x480 is "16:9").
ASPECT_TOLERANCE = 0.03
_RESOLUTION = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")


class FrameRules(Protocol):
    """A model's frame grid (``catalog.ModelInfo`` and ``tiers.FrameRules`` both are one)."""

    frames_minimum: int
    frames_steps: int
    frames_maximum: int


def parse_resolution(text: str) -> tuple[int, int] | None:
    """``(width, height)`` of ``"832x480"`` (spaces and ``X`` allowed), ``None`` for anything else."""
    match = _RESOLUTION.match(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def format_resolution(width: int, height: int) -> str:
    return f"{width}x{height}"


def snap(value: float) -> int:
    """Nearest multiple of 16 (halves round up), at least 16."""
    return max(GRID, int(math.floor(value / GRID + 0.5)) * GRID)


def snap_resolution(width: int, height: int) -> tuple[int, int]:
    return snap(width), snap(height)


def floor_to_block(width: int, height: int, block: int) -> tuple[int, int]:
    """WanGP's own rounding: ``size // block * block`` (never below one block)."""
    return max(block, width // block * block), max(block, height // block * block)


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


def _grid(rules: FrameRules) -> tuple[int, int]:
    return max(1, rules.frames_minimum), max(1, rules.frames_steps)


def frames_at_most(rules: FrameRules, limit: int) -> int:
    """The largest count on the grid not above ``limit`` (never below the minimum): WanGP's own flooring."""
    lo, step = _grid(rules)
    return lo + max(0, (limit - lo) // step) * step


def longest_frames(rules: FrameRules) -> int:
    """The most frames one window of the model makes."""
    return frames_at_most(rules, rules.frames_maximum)


def nearest_frames(rules: FrameRules, requested: int, windows: bool = False) -> int:
    """The count on the grid nearest to ``requested``, at most one window's unless ``windows`` (sliding windows
    lift the one-window maximum; the grid still holds)."""
    lo, step = _grid(rules)
    frames = lo + round((max(requested, lo) - lo) / step) * step
    return frames if windows else min(longest_frames(rules), frames)


def frame_rule(rules: FrameRules) -> str:
    """The grid in words: ``"4n+1"``, or ``"a multiple of 4"`` when the minimum is on it."""
    lo, step = _grid(rules)
    offset = lo % step
    return f"{step}n+{offset}" if offset else f"a multiple of {step}"
