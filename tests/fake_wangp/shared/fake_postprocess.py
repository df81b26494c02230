"""The double's late post-processing (``mode="edit_postprocessing"``), done for real on the clip's pixels.

WanGP's lanczos upsampling and film grain need no model weights, so the double really does them
(Pillow's Lanczos filter; seeded Gaussian grain mixed between luminance and colour by the
saturation); RIFE is simulated by blending neighbouring frames (WanGP runs a network there). The
validation messages are WanGP's. The sound track of the source is kept.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from typing import Any

import imageio_ffmpeg
import numpy as np
from PIL import Image

SPATIAL = {"lanczos1.5": 1.5, "lanczos2": 2.0}
TEMPORAL = {"rife2": 2, "rife4": 4}


def build_settings(media_source: Any, *, temporal_upsampling: str = "", spatial_upsampling: str = "",
                   film_grain_intensity: float = 0, film_grain_saturation: float = 0.5, seed: int = -1,
                   api_options: dict[str, Any] | None = None, return_media: bool = False,
                   **settings_overrides: Any) -> dict[str, Any]:
    """The task WanGP builds for ``submit_media_postprocessing`` (an edit task: no model_type)."""
    settings: dict[str, Any] = {
        "mode": "edit_postprocessing",
        "prompt": "Media postprocessing",
        "image_mode": 0,
        "video_source": os.fspath(media_source),
        "temporal_upsampling": temporal_upsampling or "",
        "spatial_upsampling": spatial_upsampling or "",
        "film_grain_intensity": film_grain_intensity,
        "film_grain_saturation": film_grain_saturation,
        "postprocess_audio": "",
        "repeat_generation": 1,
        "batch_size": 1,
        "seed": int(seed),
    }
    api = settings_overrides.pop("_api", None)
    settings.update(settings_overrides)
    settings.pop("model_type", None)
    options = dict(api_options if api_options is not None else api or {})
    if return_media:
        options["return_media"] = True
    if options:
        settings["_api"] = options
    return settings


def validate(settings: dict[str, Any]) -> str:
    """WanGP's checks of a post-processing task, in its order and words."""
    source = settings.get("video_source") or ""
    temporal, spatial = settings.get("temporal_upsampling") or "", settings.get("spatial_upsampling") or ""
    if not source or not os.path.isfile(source):
        return "Selected video or image file is missing"
    if not source.lower().endswith((".mp4", ".mkv", ".mov", ".webm", ".avi")):
        return "Post processing is only available with Videos or Images"
    if temporal and temporal not in TEMPORAL:
        return f"Unsupported temporal upsampling method: {temporal}"
    if spatial and spatial not in SPATIAL:
        return f"Unsupported spatial upsampling method: {spatial}"
    if not temporal and not spatial and not float(settings.get("film_grain_intensity") or 0) > 0:
        return "You must choose at least one Post Processing Method"
    return ""


def _read(path: str) -> tuple[list[np.ndarray], float]:
    reader = imageio_ffmpeg.read_frames(path)
    meta = next(reader)
    width, height = meta["size"]
    frames = [np.frombuffer(data, np.uint8).reshape(height, width, 3) for data in reader]
    return frames, float(meta["fps"])


def _has_audio(path: str) -> bool:
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", path], capture_output=True,
                          text=True, check=False)
    return "Audio:" in done.stderr


def _blend(frames: list[np.ndarray], times: int) -> list[np.ndarray]:
    out = []
    for a, b in zip(frames, frames[1:], strict=False):
        for k in range(times):
            out.append(((a.astype(np.float32) * (times - k) + b.astype(np.float32) * k) / times).astype(np.uint8))
    out.append(frames[-1])
    return out


def _lanczos(frame: np.ndarray, factor: float) -> np.ndarray:
    height, width = frame.shape[:2]
    size = (int(round(width * factor / 2)) * 2, int(round(height * factor / 2)) * 2)
    return np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.LANCZOS))


def _grain(frame: np.ndarray, rng: np.random.Generator, intensity: float, saturation: float) -> np.ndarray:
    mono = rng.normal(0.0, 1.0, frame.shape[:2] + (1,))
    colour = rng.normal(0.0, 1.0, frame.shape)
    noise = (1 - saturation) * mono + saturation * colour
    return np.clip(frame.astype(np.float32) + noise * intensity * 255.0 * 0.5, 0, 255).astype(np.uint8)


def run(settings: dict[str, Any], send_cmd: Callable[[str, Any], None], out_path: str,
        aborted: Callable[[], bool], frame_delay_s: float = 0.0) -> bool:
    """Post-process ``video_source`` into ``out_path``; False when cancelled (checked between frames)."""
    source = settings["video_source"]
    send_cmd("progress", [0, "Loading Video"])
    frames, fps = _read(source)
    temporal, spatial = settings.get("temporal_upsampling") or "", settings.get("spatial_upsampling") or ""
    if temporal:
        send_cmd("progress", [0, "Temporal Upsampling"])
        frames, fps = _blend(frames, TEMPORAL[temporal]), fps * TEMPORAL[temporal]
    intensity = float(settings.get("film_grain_intensity") or 0)
    seed = int(settings.get("seed", -1))
    rng = np.random.default_rng(None if seed < 0 else seed)
    out = []
    total = len(frames)
    for index, frame in enumerate(frames, start=1):
        if aborted():
            return False
        time.sleep(frame_delay_s)  # stands in for the real work's time, so a cancel can land mid-job
        if spatial:
            frame = _lanczos(frame, SPATIAL[spatial])
        if intensity > 0:
            frame = _grain(frame, rng, intensity, float(settings.get("film_grain_saturation", 0.5)))
        out.append(frame)
        send_cmd("progress", [(index, total), "Postprocessing"])
    height, width = out[0].shape[:2]
    writer = imageio_ffmpeg.write_frames(
        out_path, (width, height), fps=fps, codec="libx264", pix_fmt_out="yuv420p", macro_block_size=2,
        audio_path=source if _has_audio(source) else None, audio_codec="aac", ffmpeg_log_level="error",
    )
    writer.send(None)
    for frame in out:
        writer.send(np.ascontiguousarray(frame).tobytes())
    writer.close()
    return True
