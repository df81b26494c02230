"""Test double of WanGP's ``wgp.py``: the module ``shared.api`` imports from the install root.

Like the real one it reads ``sys.argv`` and the cwd at import time (``shared.api.init`` sets both),
creates ``wgp_config.json`` and ``settings/``, and offers the catalog and generation functions the
API calls. Generation is simulated: timed phases, scripted failures, and a real mp4 at the end.
Everything WanGP prints goes through ``print`` on purpose: during a job the API turns stdout into
``stream`` events, and tests rely on that path being the real one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from shared import fake_cast, fake_catalog, fake_config, fake_guide, fake_media, fake_postprocess

WanGP_version = "12.60"
settings_version = 2.58

#: Settings that hold file paths; the API resolves relative ones against the caller's cwd at submit.
ATTACHMENT_KEYS = (
    "image_start",
    "image_end",
    "image_refs",
    "image_guide",
    "image_mask",
    "video_source",
    "video_guide",
    "video_mask",
    "audio_guide",
    "audio_guide2",
    "audio_source",
)

#: huggingface_hub's message when HF_HUB_OFFLINE=1 and a weight file is not in the local cache.
MISSING_WEIGHTS_MESSAGE = (
    "An error happened while trying to locate the file on the Hub and we cannot find the requested files in the "
    "local cache. Please check your connection and try again or make sure your Internet connection is on."
)
OOM_MESSAGE = (
    "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.99 GiB of which 1.12 GiB is "
    "free. Of the allocated memory 20.51 GiB is allocated by PyTorch, and 1.02 GiB is reserved by PyTorch but "
    "unallocated."
)
RUNTIME_MESSAGE = "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"
LOAD_ABORTED_MESSAGE = "Model loading was aborted"
DECODE_MESSAGE = "VAE decode failed: cuDNN error: CUDNN_STATUS_INTERNAL_ERROR"

#: Scripted failures, by prompt marker ``[fake:<name>]`` or ``fail_models``: where a real install fails.
#: oom: CUDA OOM while denoising; oom_loading: while loading the weights; runtime: a device mismatch
#: before denoising; decode_error: the VAE decode raises; missing_weights: offline without the file;
#: no_output: the job succeeds and names a file that is not there (deleted by another process);
#: empty_output: the file is written empty (a full disk); elsewhere: the file lands outside save_path
#: (an older config's output folder).
_FAILURE_MARKERS = (
    "oom_loading", "oom", "missing_weights", "runtime", "decode_error", "no_output", "empty_output", "elsewhere",
)


class LocalEntryNotFoundError(OSError):
    """What huggingface_hub raises for a weight file that is neither local nor downloadable."""


class OutOfMemoryError(RuntimeError):
    """What torch raises when CUDA runs out of memory."""


# --- import-time side effects, like the real module (argv and cwd are set by shared.api.init) ---
time.sleep(float(fake_config.load()["init_delay_s"]))
if fake_config.load().get("init_error"):
    # What a broken environment does on import (a torch built for another CUDA, a missing package).
    raise ImportError(str(fake_config.load()["init_error"]))
launch_argv = list(sys.argv)
launch_cwd = os.getcwd()
_parser = argparse.ArgumentParser(add_help=False)
_parser.add_argument("--config", default="")
_args, _ = _parser.parse_known_args(sys.argv[1:])

server_config_filename = str((Path(_args.config or ".") / "wgp_config.json").resolve())
if not os.path.isfile(server_config_filename):
    with open(server_config_filename, "w", encoding="utf-8") as _handle:
        json.dump({"save_path": "outputs", "image_save_path": "outputs", "audio_save_path": "outputs",
                   "attention_mode": "auto", "profile": 4, "notification_sound_enabled": 1}, _handle, indent=4)
with open(server_config_filename, encoding="utf-8") as _handle:
    server_config: dict[str, Any] = json.load(_handle)
os.makedirs("settings", exist_ok=True)
save_path = str(Path(server_config["save_path"]).resolve())
image_save_path = str(Path(server_config["image_save_path"]).resolve())
audio_save_path = str(Path(server_config["audio_save_path"]).resolve())

#: The model type whose weights are "in memory"; jobs with another type load first.
wan_model: str | None = None
gen_in_progress = False


# --- catalog ---
def list_model_defs(**filters: Any) -> list[dict[str, Any]]:
    return [
        {"model_type": entry["model_type"], **fake_catalog.model_def(entry)} for entry in fake_catalog.select(**filters)
    ]


def get_model_def(model_type: str) -> dict[str, Any] | None:
    entry = fake_catalog.find(model_type)
    return None if entry is None else fake_catalog.model_def(entry)


def get_default_settings(model_type: str) -> dict[str, Any]:
    return fake_catalog.default_settings(fake_catalog.find(model_type))


def get_schema_metadata(model_type: str) -> dict[str, Any]:
    return fake_catalog.schema_metadata(fake_catalog.find(model_type))


def is_model_available(model_type: str) -> bool:
    return model_type in fake_config.load()["available"]


def release_model() -> None:
    global wan_model
    wan_model = None


# --- generation ---
def validate_task(task: dict[str, Any], state: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """Merge a task over its model's defaults; an unknown type fails the way the real one does."""
    params = task.get("params", {})
    if params.get("mode") == "edit_postprocessing":  # an edit task needs no model, only its media
        error = fake_postprocess.validate(params)
        return (None, error) if error else (dict(params), "")
    model_type = params.get("model_type")
    if not model_type:
        return None, "No model_type specified"
    model_def = get_model_def(model_type)
    # The real validate_task dereferences the definition without a check: AttributeError on NoneType.
    model_def.get("metadata")
    settings = get_default_settings(model_type)
    settings.update(params)
    entry = fake_catalog.find(model_type)
    settings["video_length"] = _frame_count(settings, entry, _fps(settings, entry))
    error = fake_guide.validate(settings, entry, fake_catalog.image_letters(entry))
    return (None, error) if error else (settings, "")


def _scripted_failure(model_type: str, prompt: str) -> str | None:
    for marker in _FAILURE_MARKERS:
        if f"[fake:{marker}]" in prompt:
            return marker
    failure = fake_config.load()["fail_models"].get(model_type)
    if failure is None and os.environ.get("HF_HUB_OFFLINE") == "1" and not is_model_available(model_type):
        return "missing_weights"
    return failure


def _resolution(text: str) -> tuple[int, int]:
    width, height = (int(part) for part in str(text).lower().split("x"))
    return max(2, width - width % 2), max(2, height - height % 2)


def _fps(settings: dict[str, Any], entry: dict[str, Any]) -> float:
    try:
        return float(settings.get("force_fps") or entry["fps"])
    except ValueError:  # "auto", "control", ... follow the model
        return float(entry["fps"])


def _frame_count(settings: dict[str, Any], entry: dict[str, Any], fps: float) -> int:
    length = settings.get("video_length", entry["default_video_length"])
    if isinstance(length, str) and length.strip().lower().endswith("s"):
        length = round(float(length.strip()[:-1]) * fps)
    length = int(length)
    windowed = entry["capabilities"].get("sliding_window") and int(settings.get("sliding_window_size") or 0) > 0
    if windowed and length > int(entry["frames_maximum"]):
        # Sliding windows lift the one-window maximum; the length stays on the model's frame grid.
        lo, step = int(entry["frames_minimum"]), int(entry["frames_steps"])
        return lo + (length - lo) // step * step
    return fake_catalog.normalize_frames(entry, length)


def _output_path(folder: str, seed: int, prompt: str) -> str:
    time_flag = datetime.now().strftime("%Y-%m-%d-%Hh%Mm%Ss")
    slug = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", prompt).strip()[:50].strip() or "video"
    stem = f"{time_flag}_seed{seed}_{slug}"
    path, n = os.path.join(folder, stem + ".mp4"), 1
    while os.path.exists(path):
        n += 1
        path = os.path.join(folder, f"{stem}_{n}.mp4")
    return path


def _load_model(model_type: str, delay_s: float, failure: str | None = None) -> None:
    """Print WanGP's loading lines and take the load time; loading cannot be interrupted."""
    family = fake_catalog.find(model_type)["family"]
    print(f"Loading Model 'ckpts/{model_type.lower()}_quanto_mbf16_int8.safetensors' ...")
    if failure == "oom_loading":
        raise OutOfMemoryError(OOM_MESSAGE)
    print(f"Loading Model 'ckpts/{family}_text_encoder_bf16.safetensors' ...")
    time.sleep(delay_s)


def generate_preview(model_type: str, payload: dict[str, Any]) -> Image.Image:
    """Decode a preview "latent" into an RGB image."""
    return fake_media.preview_image(**payload)


def generate_video(
    task: dict[str, Any],
    send_cmd: Callable[[str, Any], None],
    settings: dict[str, Any],
    state: dict[str, Any],
    plugin_data: dict[str, Any] | None = None,
) -> bool:
    """Run one task; returns False when it stopped early (the caller checks the abort flag)."""
    global wan_model
    config = fake_config.load()
    gen = state["gen"]
    if settings.get("mode") == "edit_postprocessing":
        return _postprocess(settings, send_cmd, gen)
    model_type = settings["model_type"]
    entry = fake_catalog.find(model_type)
    prompt = str(settings.get("prompt") or "")
    send_cmd("status", f"Loading model {entry['name']}...")

    needs_load = wan_model != model_type
    failure = _scripted_failure(model_type, prompt)
    if failure in ("missing_weights", "runtime"):
        if needs_load:
            _load_model(model_type, float(config["load_delay_s"]))
        if failure == "missing_weights":
            raise LocalEntryNotFoundError(MISSING_WEIGHTS_MESSAGE)
        raise RuntimeError(RUNTIME_MESSAGE)

    send_cmd("progress", [0, "Loading Model"])
    if needs_load or failure == "oom_loading":
        wan_model = None
        _load_model(model_type, float(config["load_delay_s"]), failure)
        if gen.get("abort"):
            send_cmd("error", LOAD_ABORTED_MESSAGE)
            return False
        wan_model = model_type

    seed = int(settings.get("seed", -1))
    if seed < 0:
        seed = random.randint(0, 999999999)
    width, height = _resolution(settings["resolution"])
    fps = _fps(settings, entry)
    frame_count = _frame_count(settings, entry, fps)
    colour = fake_cast.tinted(fake_media.clip_colour(prompt, seed), settings)
    frame_count = fake_cast.frames_for_audio(settings, entry, fps, frame_count)
    total = max(1, min(int(settings.get("num_inference_steps") or 1), int(config["steps_cap"])))
    step_delay = float(config["slow_step_delay_s" if "[fake:slow]" in prompt else "step_delay_s"])
    prompt_label = f"Prompt {gen.get('prompt_no', 1)}/{gen.get('prompts_max', 1)}"

    send_cmd("progress", [0, "Encoding Prompt"])
    started = time.monotonic()
    for step in range(1, total + 1):
        if gen.get("abort"):
            send_cmd("progress", [0, "Aborted"])
            return False
        time.sleep(step_delay)
        send_cmd("progress", [(step, total), f"{prompt_label} | Denoising | {time.monotonic() - started:.1f}s"])
        if config["previews"] and (step % int(config["preview_every"]) == 0 or step == total):
            send_cmd("preview", {"width": width, "height": height, "colour": colour, "seed": seed, "step": step,
                                 "total": total})
        if failure == "oom" and step == min(2, total):
            raise OutOfMemoryError(OOM_MESSAGE)

    send_cmd("progress", [0, "VAE Decoding"])
    time.sleep(float(config.get("decode_delay_s", 0.0)))
    if failure == "decode_error":
        raise RuntimeError(DECODE_MESSAGE)
    folder = save_path
    if failure == "elsewhere":
        folder = os.path.join(launch_cwd, "outputs_elsewhere")
        os.makedirs(folder, exist_ok=True)
    path = _output_path(folder, seed, prompt)
    with_audio = "audio" in entry["outputs"]
    frames = None
    if failure in ("empty_output", "no_output"):
        if failure == "empty_output":
            open(path, "wb").close()
    elif fake_guide.wants_media(settings):
        clip = fake_guide.Clip(width, height, fps, frame_count, colour)
        frames = fake_guide.make_frames(settings, entry, clip)
        fake_media.write_frames(path, frames, fps, with_audio=with_audio, voice=fake_cast.audio_path(settings))
        frame_count = len(frames)
    else:
        fake_media.write_video(path, width, height, frame_count, fps, colour, with_audio=with_audio)
    print(f"New video saved to Path: {path}")
    gen["file_list"].append(path)
    _store_artifact(gen, settings, plugin_data or {}, path, frame_count, fps, width, height, colour, frames)
    send_cmd("output")
    return True


def _postprocess(settings: dict[str, Any], send_cmd: Callable[[str, Any], None], gen: dict[str, Any]) -> bool:
    stem = os.path.splitext(os.path.basename(settings["video_source"]))[0]
    path = _output_path(save_path, int(settings.get("seed", -1)), f"{stem}_post")
    delay = float(fake_config.load()["step_delay_s"])
    if not fake_postprocess.run(settings, send_cmd, path, lambda: bool(gen.get("abort")), delay):
        send_cmd("progress", [0, "Aborted"])
        return False
    print(f"Postprocessed video saved to Path: {path}")
    gen["file_list"].append(path)
    send_cmd("output")
    return True


def _store_artifact(
    gen: dict[str, Any],
    settings: dict[str, Any],
    plugin_data: dict[str, Any],
    path: str,
    frame_count: int,
    fps: float,
    width: int,
    height: int,
    colour: tuple[int, int, int],
    frames: np.ndarray | None = None,
) -> None:
    """Keep the decoded frames for ``_api={"return_media": True}`` as a ``[3, F, H, W]`` uint8 array."""
    if not plugin_data.get("api", {}).get("return_media"):
        return
    if frames is None:
        frames = np.stack([fake_media.frame(width, height, colour, i, frame_count) for i in range(frame_count)])
    gen["api_output_artifacts"][settings["client_id"]] = {
        "client_id": settings["client_id"],
        "path": path,
        "media_type": "video",
        "video_tensor_uint8": frames.transpose(3, 0, 1, 2).copy(),
        "fps": fps,
    }
