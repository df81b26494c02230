"""Media the test double produces: real mp4 clips (optionally with audio) and preview images.

Content is a deterministic function of prompt and seed (a flat colour from a hash, plus a bar that
moves across the frame), so tests can tell takes apart and see motion without any model.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import struct
import tempfile
import wave

import imageio_ffmpeg
import numpy as np
from PIL import Image

AUDIO_RATE = 48000


def clip_colour(prompt: str, seed: int) -> tuple[int, int, int]:
    """An RGB colour that changes with prompt and seed, kept mid-range so encoding cannot clip it."""
    digest = hashlib.sha256(f"{prompt}\0{seed}".encode()).digest()
    return tuple(40 + digest[i] * 175 // 255 for i in range(3))  # type: ignore[return-value]


def frame(width: int, height: int, colour: tuple[int, int, int], index: int, count: int) -> np.ndarray:
    """One ``(height, width, 3)`` uint8 frame: the clip colour with a white bar at a time-dependent place."""
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = colour
    bar = max(2, width // 16)
    x = (width - bar) * index // max(1, count - 1)
    image[:, x : x + bar] = 255
    return image


def _write_tone(path: str, seconds: float, frequency: float) -> None:
    samples = max(1, int(seconds * AUDIO_RATE))
    pcm = struct.pack(
        f"<{samples}h", *(int(12000 * math.sin(2 * math.pi * frequency * i / AUDIO_RATE)) for i in range(samples))
    )
    with wave.open(path, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(AUDIO_RATE)
        handle.writeframes(pcm)


def write_video(
    path: str,
    width: int,
    height: int,
    frame_count: int,
    fps: float,
    colour: tuple[int, int, int],
    with_audio: bool = False,
) -> None:
    """Encode the clip as H.264/yuv420p, with an AAC tone when ``with_audio`` (as LTX-2 outputs sound)."""
    audio_path = None
    if with_audio:
        handle, audio_path = tempfile.mkstemp(suffix=".wav", dir=os.path.dirname(path))
        os.close(handle)
        _write_tone(audio_path, frame_count / fps, 220.0 + colour[0])
    try:
        writer = imageio_ffmpeg.write_frames(
            path,
            (width, height),
            fps=fps,
            codec="libx264",
            pix_fmt_out="yuv420p",
            macro_block_size=2,  # sizes are already even; never let ffmpeg rescale
            audio_path=audio_path,
            audio_codec="aac" if audio_path else None,
            ffmpeg_log_level="error",
        )
        writer.send(None)
        for index in range(frame_count):
            writer.send(frame(width, height, colour, index, frame_count).tobytes())
        writer.close()
    finally:
        if audio_path is not None:
            os.remove(audio_path)


def write_frames(path: str, frames: np.ndarray, fps: float, with_audio: bool = False, voice: str = "") -> None:
    """Encode given ``(F, H, W, 3)`` uint8 frames like :func:`write_video` (a guided clip's own frames);
    ``voice`` (a WAV) is muxed in as the clip's sound, as WanGP does with an audio-driven model's input."""
    count, height, width = frames.shape[:3]
    audio_path = None
    if voice:
        handle, audio_path = tempfile.mkstemp(suffix=".wav", dir=os.path.dirname(path))
        os.close(handle)
        shutil.copyfile(voice, audio_path)
    elif with_audio:
        handle, audio_path = tempfile.mkstemp(suffix=".wav", dir=os.path.dirname(path))
        os.close(handle)
        _write_tone(audio_path, count / fps, 330.0)
    try:
        writer = imageio_ffmpeg.write_frames(
            path, (width, height), fps=fps, codec="libx264", pix_fmt_out="yuv420p", macro_block_size=2,
            audio_path=audio_path, audio_codec="aac" if audio_path else None, ffmpeg_log_level="error",
            output_params=["-crf", "1"],
        )
        writer.send(None)
        for image in frames:
            writer.send(np.ascontiguousarray(image).tobytes())
        writer.close()
    finally:
        if audio_path is not None:
            os.remove(audio_path)


def preview_size(width: int, height: int) -> tuple[int, int]:
    """A latent preview's size: the output on the 8-pixel latent grid, long side at most 832."""
    scale = min(1.0, 832 / max(width, height))
    return max(8, int(width * scale) // 8 * 8), max(8, int(height * scale) // 8 * 8)


def preview_image(
    width: int, height: int, colour: tuple[int, int, int], seed: int, step: int, total: int
) -> Image.Image:
    """An RGB preview: noise that fades into the clip colour as denoising advances."""
    w, h = preview_size(width, height)
    noise = np.random.default_rng([seed & 0xFFFFFFFF, step]).integers(0, 256, size=(h, w, 3))
    mix = step / max(1, total)
    pixels = (1 - mix) * noise + mix * np.asarray(colour, dtype=np.float64)
    return Image.fromarray(pixels.astype(np.uint8), mode="RGB")
