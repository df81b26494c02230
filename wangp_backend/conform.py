"""Conform a finished clip to the scene's frame rate on the host, so its strip needs no retiming.

Wan makes 16 fps clips, LTX-Video 30; a 24 fps timeline would play them too fast. Retiming the strip
in Blender takes an operator on the main thread, whose cost grows with the scene (measured on bpy
5.0.1: 0.3 ms in an empty scene, 1.6 s with 10,000 objects). Here ffmpeg re-times the file once, on
the host thread (or the bridge child) in WanGP's own environment: frames are repeated or dropped
(``fps`` filter), never sped up, so the clip keeps its real speed and lands frame for frame on the
timeline. The audio is copied untouched. ffmpeg comes from ``imageio-ffmpeg`` (a WanGP requirement),
else from the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from fractions import Fraction

#: Two frame rates closer than this are the same.
FPS_TOLERANCE = 1e-3
#: A clip of a few seconds takes well under a second; a stuck ffmpeg must not hold the queue.
TIMEOUT_S = 600.0


class ConformError(Exception):
    """The clip could not be conformed (no ffmpeg, or ffmpeg failed); the message says why."""


@dataclass(frozen=True)
class Conformed:
    from_fps: float
    to_fps: float
    frame_count: int


def needs_conform(clip_fps: float, play_fps: float) -> bool:
    return play_fps > 0 and clip_fps > 0 and abs(clip_fps - play_fps) > FPS_TOLERANCE


def find_ffmpeg() -> str:
    try:
        import imageio_ffmpeg  # WanGP's environment has it

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        found = shutil.which("ffmpeg")
        if found:
            return found
    raise ConformError("no ffmpeg found in WanGP's environment (imageio-ffmpeg) or on the PATH")


def _rate(fps: float) -> str:
    """ffmpeg's exact rate for an fps: 23.976 is 24000/1001."""
    fraction = Fraction(fps).limit_denominator(1001)
    return f"{fraction.numerator}/{fraction.denominator}"


def conform(path: str, clip_fps: float, play_fps: float, ffmpeg: str = "") -> Conformed:
    """Re-time the clip at ``path`` from ``clip_fps`` to ``play_fps`` in place (atomically)."""
    exe = ffmpeg or find_ffmpeg()
    stem, ext = os.path.splitext(path)
    temp = f"{stem}.conforming{ext}"
    command = [
        exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", path,
        "-map", "0:v:0", "-map", "0:a?", "-vf", f"fps={_rate(play_fps)}",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "12", "-pix_fmt", "yuv420p", "-c:a", "copy",
        "-progress", "pipe:1", "-nostats", temp,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _remove(temp)
        raise ConformError(f"ffmpeg could not run: {exc}") from exc
    if done.returncode != 0:
        _remove(temp)
        error = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise ConformError(f"ffmpeg failed: {error}")
    frames = [line.partition("=")[2] for line in done.stdout.splitlines() if line.startswith("frame=")]
    os.replace(temp, path)
    return Conformed(from_fps=clip_fps, to_fps=play_fps, frame_count=int(frames[-1]) if frames else 0)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
