"""The shot's live preview image, updated in place so the sidebar keeps showing the same image."""

from __future__ import annotations

import bpy
import numpy as np

PREFIX = "MD Preview "


def image_name(obj: bpy.types.Object) -> str:
    return f"{PREFIX}{obj.name}"


def show(obj: bpy.types.Object, width: int, height: int, pixels: np.ndarray) -> bpy.types.Image:
    """Upload float RGBA pixels (rows bottom-up) into the shot's preview image."""
    shot = obj.movie_director
    image = shot.preview_image or bpy.data.images.get(image_name(obj))
    if image is None:
        image = bpy.data.images.new(image_name(obj), width, height, alpha=True)
    elif tuple(image.size) != (width, height):
        image.scale(width, height)
    flat = np.ascontiguousarray(pixels, dtype=np.float32).ravel()
    if flat.size != width * height * 4:
        raise ValueError(f"preview has {flat.size} values, expected {width}x{height}x4")
    image.pixels.foreach_set(flat)
    image.update()
    if image.preview is not None:
        image.preview.reload()  # the sidebar shows the image through its icon, which caches old pixels
    if shot.preview_image != image:
        shot.preview_image = image
    return image
