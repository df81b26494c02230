"""How the test double shows that a shot's cast and dialogue reached the model.

A reference image (a person or object ref, not a positioned frame) tints the clip toward its mean
colour, so a test can see which character was sent; the dialogue's length decides the frame count of
an audio-driven model (WanGP generates as long as the voice speaks, within the asked length), and the
voice is muxed into the clip as WanGP does, so the take carries its dialogue.
"""

from __future__ import annotations

import math
import wave
from typing import Any

import numpy as np
from PIL import Image

#: How far the clip colour moves toward the references' mean colour.
TINT = 0.5


def people_refs(settings: dict[str, Any]) -> list[str]:
    """The references that are people/objects: past the positioned frames, past a K background."""
    refs = [str(r) for r in settings.get("image_refs") or ()]
    letters = str(settings.get("video_prompt_type") or "")
    if "F" in letters:
        refs = refs[len(str(settings.get("frames_positions") or "").split()):]
    if "K" in letters and refs:
        refs = refs[1:]
    return refs


def tinted(colour: tuple[int, int, int], settings: dict[str, Any]) -> tuple[int, int, int]:
    refs = people_refs(settings)
    if not refs:
        return colour
    means = []
    for path in refs:
        with Image.open(path) as image:
            means.append(np.asarray(image.convert("RGB"), dtype=np.float64).reshape(-1, 3).mean(axis=0))
    target = np.mean(means, axis=0)
    mixed = np.asarray(colour, dtype=np.float64) * (1 - TINT) + target * TINT
    return tuple(int(round(v)) for v in mixed)


def audio_path(settings: dict[str, Any]) -> str:
    """The first audio source, without a virtual-media suffix ("" = none)."""
    return str(settings.get("audio_guide") or "").partition("|")[0]


def audio_seconds(path: str) -> float:
    with wave.open(path, "rb") as fh:
        return fh.getnframes() / float(fh.getframerate())


def frames_for_audio(settings: dict[str, Any], entry: dict[str, Any], fps: float, frame_count: int) -> int:
    """An audio-driven clip covers its voice: the first count of the model's frame grid that holds it, at most
    ``frame_count``."""
    path = audio_path(settings)
    if not path:
        return frame_count
    wanted = math.ceil(audio_seconds(path) * fps - 1e-6)
    lo, step = max(1, int(entry["frames_minimum"])), max(1, int(entry["frames_steps"]))
    fitted = lo + max(0, math.ceil((wanted - lo) / step)) * step
    return min(frame_count, fitted)
