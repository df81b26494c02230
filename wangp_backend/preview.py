"""Live previews: WanGP's PIL images turned into Blender-ready pixels, at a bounded size and rate.

The conversion runs on the host thread so the main thread only copies a ready float buffer into an
``Image`` (``pixels.foreach_set``). Previews arrive faster than anyone can watch; the throttle keeps
the newest one back instead of dropping it, so the last preview of a job is always shown.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def to_rgba_bottom_up(image: Any, max_side: int) -> tuple[int, int, np.ndarray]:
    """``(width, height, pixels)``: a flat float32 RGBA array in 0..1, rows bottom-up, long side <= ``max_side``.

    ``image`` is a ``PIL.Image.Image``. PIL is imported here, not at module level, because it comes
    with WanGP's environment: Blender imports this package before WanGP's packages are on the path.
    """
    from PIL import Image

    width, height = image.size
    scale = max_side / max(width, height, 1)
    if scale < 1.0:
        width, height = max(1, round(width * scale)), max(1, round(height * scale))
        image = image.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=2.0)
    # Blender stores images from the bottom row up, PIL from the top row down. Flipping and adding the
    # alpha in PIL, then one contiguous multiply, is about four times faster than strided numpy writes.
    rgba = np.asarray(image.transpose(Image.Transpose.FLIP_TOP_BOTTOM).convert("RGBA"))
    out = np.empty(rgba.shape, dtype=np.float32)
    np.multiply(rgba, np.float32(1.0 / 255.0), out=out, casting="unsafe")
    return width, height, out.reshape(-1)


class PreviewThrottle:
    """At most one preview per ``1 / max_fps`` seconds; the newest held-back one is delivered later."""

    def __init__(self, max_fps: float) -> None:
        self._interval = 1.0 / max_fps if max_fps > 0 else 0.0
        self._last_sent: float | None = None
        self._held: Any = None

    def offer(self, image: Any, now: float) -> Any:
        """The image to send now, or ``None`` when it is held back until :meth:`due`."""
        if self._ready(now):
            self._held = None
            self._last_sent = now
            return image
        self._held = image
        return None

    def due(self, now: float) -> Any:
        """The held-back image once the interval has passed, else ``None``."""
        if self._held is None or not self._ready(now):
            return None
        return self.flush(now)

    def flush(self, now: float) -> Any:
        """The held-back image regardless of the interval (at job end), else ``None``."""
        image, self._held = self._held, None
        if image is not None:
            self._last_sent = now
        return image

    def _ready(self, now: float) -> bool:
        return self._last_sent is None or now - self._last_sent >= self._interval
