"""A white bar walking across black: the control video the guide tests send, and how they find it again."""

from __future__ import annotations

import imageio_ffmpeg
import numpy as np

#: the bar's width in pixels
BAR = 4


def bar_x(frame: np.ndarray) -> int:
    """Where the brightest bar of a frame is (its left edge)."""
    columns = frame.astype(np.float64).mean(axis=(0, 2))
    return int(np.argmax(np.convolve(columns, np.ones(BAR), mode="valid")))


def read_mp4(path: str) -> np.ndarray:
    """Every frame of an mp4 as ``(F, H, W, 3)`` uint8."""
    reader = imageio_ffmpeg.read_frames(path)
    meta = next(reader)
    width, height = meta["size"]
    return np.stack([np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3) for raw in reader])
