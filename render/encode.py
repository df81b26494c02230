"""Frames to files without system ffmpeg: numpy frames to PNG through one image data-block, and PNG frames
to an H.264 mp4 through a temporary scene with an image strip rendered to FFMPEG (Blender's own ffmpeg)."""

from __future__ import annotations

import os

import bpy
import numpy as np


class PngWriter:
    """Writes ``(h, w, 3)`` float RGB arrays (bottom-up, 0-1) as 8-bit PNGs, the values stored as they are."""

    def __init__(self, width: int, height: int) -> None:
        self._image = bpy.data.images.new("MD Guide Frame", width, height, alpha=False)
        self._rgba = np.ones((height, width, 4), np.float32)

    def write(self, frame: np.ndarray, path: str) -> None:
        self._rgba[..., :3] = frame
        self._image.pixels.foreach_set(self._rgba.ravel())
        self._image.filepath_raw = path
        self._image.file_format = "PNG"
        self._image.save()

    def close(self) -> None:
        bpy.data.images.remove(self._image)


def read_pixels(path: str) -> np.ndarray:
    """An image file's pixels as a ``(h, w, 4)`` float array, bottom-up (EXR values unchanged)."""
    image = bpy.data.images.load(path, check_existing=False)
    try:
        width, height = image.size
        pixels = np.empty(width * height * 4, np.float32)
        image.pixels.foreach_get(pixels)
    finally:
        bpy.data.images.remove(image)
    return pixels.reshape(height, width, 4)


def read_targa(path: str) -> np.ndarray:
    """An uncompressed true-colour Targa's pixels as a ``(h, w, 4)`` float array, bottom-up, like
    :func:`read_pixels`, without ``bpy`` (safe inside render handlers)."""
    data = np.fromfile(path, np.uint8)
    id_length, colour_map, kind = int(data[0]), int(data[1]), int(data[2])
    width, height = int(data[12]) | int(data[13]) << 8, int(data[14]) | int(data[15]) << 8
    channels, top_down = int(data[16]) // 8, bool(int(data[17]) & 0x20)
    if colour_map or kind != 2 or channels not in (3, 4):
        raise ValueError(f"{path} is not an uncompressed true-colour Targa")
    start = 18 + id_length
    bgr = data[start:start + width * height * channels].reshape(height, width, channels)
    if top_down:
        bgr = bgr[::-1]
    pixels = np.ones((height, width, 4), np.float32)
    pixels[..., :3] = bgr[..., 2::-1] / 255.0
    if channels == 4:
        pixels[..., 3] = bgr[..., 3] / 255.0
    return pixels


def encode_mp4(frames: list[str], path: str, width: int, height: int, fps: float) -> None:
    """Encode the 8-bit ``frames`` (PNG or Targa; one folder, in order) to H.264 at ``fps`` (fractional rates kept)."""
    scene = bpy.data.scenes.new("MD Guide Encode")
    try:
        render = scene.render
        render.resolution_x, render.resolution_y, render.resolution_percentage = width, height, 100
        render.fps, render.fps_base = _fps_pair(fps)
        # Standard with an sRGB strip is the identity: the frames' 8-bit values reach the mp4 unchanged.
        scene.view_settings.view_transform, scene.view_settings.look = "Standard", "None"
        editor = scene.sequence_editor_create()
        strips = editor.strips if hasattr(editor, "strips") else editor.sequences
        strip = strips.new_image(name="frames", filepath=frames[0], channel=1, frame_start=1, fit_method="ORIGINAL")
        for frame in frames[1:]:
            strip.elements.append(os.path.basename(frame))
        scene.frame_start, scene.frame_end = 1, len(frames)
        settings = render.image_settings
        if "media_type" in settings.bl_rna.properties:
            settings.media_type = "VIDEO"
        settings.file_format = "FFMPEG"
        ffmpeg = render.ffmpeg
        ffmpeg.format, ffmpeg.codec = "MPEG4", "H264"
        ffmpeg.constant_rate_factor, ffmpeg.ffmpeg_preset = "HIGH", "REALTIME"
        ffmpeg.audio_codec = "NONE"
        render.use_file_extension = False
        render.filepath = path
        bpy.ops.render.render(animation=True, scene=scene.name)
    finally:
        bpy.data.scenes.remove(scene)
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        raise RuntimeError("Blender wrote no mp4 for the guide")


def _fps_pair(fps: float) -> tuple[int, float]:
    """Blender's ``fps`` / ``fps_base`` for a rate: whole rates exactly, NTSC ones as 24000/1001 etc."""
    if abs(fps - round(fps)) < 1e-6:
        return round(fps), 1.0
    whole = round(fps * 1.001)
    return whole, whole / fps
