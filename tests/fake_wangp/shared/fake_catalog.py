"""The model catalog of the test double: WanGP 12.60's video models, shaped like the real records.

Served from the repository-independent snapshot ``<repo>/../shared/reference/wangp-video-models.json``
(or the file named by ``FAKE_WANGP_CATALOG``), so the fake offers exactly the models and frame rules
the real install reported. Without the snapshot a few real models are built in.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import fake_guide

CATALOG_ENV_VAR = "FAKE_WANGP_CATALOG"

_REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SNAPSHOT = _REPO_ROOT.parent / "shared" / "reference" / "wangp-video-models.json"

_WAN_RULES = {"fps": 16, "frames_minimum": 5, "frames_steps": 4, "frames_maximum": 97}

#: Real entries of the snapshot (descriptions shortened), used when no snapshot file is found.
BUILTIN_MODELS: tuple[dict[str, Any], ...] = (
    {
        "model_type": "t2v_1.3B", "name": "Wan2.1 Text2video 1.3B", "family": "wan", "family_label": "Wan2.1",
        "base_model_type": "t2v_1.3B", "finetune": False, "inputs": ["text"], "outputs": ["video"],
        "capabilities": {"text_to_video": True, "lora": True}, **_WAN_RULES,
        "description": "The light version of the original Wan Text 2 video model.",
        "default_resolution": "832x480", "default_video_length": 81, "default_num_inference_steps": 30,
        "default_guidance_scale": 5,
    },
    {
        "model_type": "i2v", "name": "Wan2.1 Image2video 480p 14B", "family": "wan", "family_label": "Wan2.1",
        "base_model_type": "i2v", "finetune": False, "inputs": ["text", "image", "video"], "outputs": ["video"],
        "capabilities": {"text_to_video": True, "image_to_video": True, "video_to_video": True,
                         "video_continuation": True, "sliding_window": True, "lora": True},
        **_WAN_RULES, "description": "The standard Wan Image 2 Video model.",
        "default_resolution": "832x480", "default_video_length": 81, "default_num_inference_steps": 30,
        "default_guidance_scale": 5,
    },
    {
        "model_type": "flf2v_720p", "name": "First Last Frame to Video 720p (FLF2V) 14B", "family": "wan",
        "family_label": "Wan2.1", "base_model_type": "flf2v_720p", "finetune": False,
        "inputs": ["text", "image", "video"], "outputs": ["video"],
        "capabilities": {"text_to_video": True, "image_to_video": True, "video_to_video": True,
                         "video_continuation": True, "sliding_window": True, "lora": True},
        **_WAN_RULES, "description": "Generates a video that goes from a first frame to a last frame.",
        "default_resolution": "1280x720", "default_video_length": 81, "default_num_inference_steps": 30,
        "default_guidance_scale": 5,
    },
    {
        "model_type": "hunyuan_t2v_fast", "name": "Hunyuan Video Text2video 720p FastHunyuan 13B",
        "family": "hunyuan", "family_label": "Hunyuan Video", "base_model_type": "hunyuan", "finetune": False,
        "inputs": ["text"], "outputs": ["video"], "capabilities": {"text_to_video": True, "lora": True},
        "fps": 24, "frames_minimum": 5, "frames_steps": 4, "frames_maximum": 97,
        "description": "Fast Hunyuan Video, a distilled version that needs only 6 steps.",
        "default_resolution": "832x480", "default_video_length": 81, "default_num_inference_steps": 6,
        "default_guidance_scale": 7.0,
    },
    {
        "model_type": "ltxv_distilled", "name": "LTX Video 0.9.8 Distilled 13B", "family": "ltxv",
        "family_label": "LTX Video", "base_model_type": "ltxv_13B", "finetune": False,
        "inputs": ["text", "image", "video"], "outputs": ["video"],
        "capabilities": {"text_to_video": True, "image_to_video": True, "video_to_video": True, "inpainting": True,
                         "control_video": True, "video_continuation": True, "sliding_window": True, "lora": True},
        "fps": 30, "frames_minimum": 17, "frames_steps": 8, "frames_maximum": 97,
        "description": "LTX Video distilled: fast generation in a few steps.",
        "default_resolution": "832x480", "default_video_length": 81, "default_num_inference_steps": 6,
        "default_guidance_scale": 5,
    },
    {
        "model_type": "ltx2_22B_distilled", "name": "LTX-2 2.3 Distilled 1.0 22B", "family": "ltx2",
        "family_label": "LTX-2", "base_model_type": "ltx2_22B", "finetune": False,
        "inputs": ["text", "audio", "image", "video"], "outputs": ["image", "video", "audio"],
        "capabilities": {"text_to_video": True, "image_to_video": True, "video_to_video": True,
                         "text_to_image": True, "image_to_image": True, "audio_to_video": True,
                         "audio_output": True, "inpainting": True, "outpainting": True, "reference_images": True,
                         "background_image": True, "injected_frames": True, "control_video": True,
                         "video_continuation": True, "sliding_window": True, "lora": True},
        "fps": 24, "frames_minimum": 17, "frames_steps": 8, "frames_maximum": 481,
        "description": "LTX-2 distilled: video with synchronised audio in 8 steps.",
        "default_resolution": "1280x720", "default_video_length": 241, "default_num_inference_steps": 8,
        "default_guidance_scale": 5,
    },
)


def snapshot_path() -> Path | None:
    """The snapshot file to serve, or None when neither the override nor the default exists."""
    override = os.environ.get(CATALOG_ENV_VAR)
    for candidate in (Path(override) if override else None, DEFAULT_SNAPSHOT):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=4)
def _read_snapshot(path: str) -> tuple[dict[str, Any], ...]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return tuple(data["models"] if isinstance(data, dict) else data)


def entries() -> tuple[dict[str, Any], ...]:
    """The raw catalog entries (snapshot shape); callers must not mutate them."""
    path = snapshot_path()
    return BUILTIN_MODELS if path is None else _read_snapshot(str(path))


def find(model_type: str | None) -> dict[str, Any] | None:
    for entry in entries():
        if entry["model_type"] == model_type:
            return entry
    return None


# Base model types whose image-to-video mode allows an end image ("SEVL" in WanGP's Wan handler);
# i2v_2_2_multitalk, fantasy ("SVL"), ti2v_2_2 and infinitetalk ("TSVL") take a start image only.
_END_IMAGE_BASES = frozenset({"i2v", "i2v_2_2", "fun_inp", "fun_inp_1.3B", "flf2v_720p"})


def _has_end_image(entry: dict[str, Any]) -> bool:
    return str(entry["base_model_type"]) in _END_IMAGE_BASES or entry["family"] == "ltx2"


def media_inputs(entry: dict[str, Any]) -> dict[str, dict[str, bool]]:
    caps = entry.get("capabilities", {})
    start = bool(caps.get("image_to_video"))
    return {
        "image": {
            "start": start,
            "end": start and _has_end_image(entry),
            "reference": bool(caps.get("reference_images")),
            "background": bool(caps.get("background_image")),
            "injected_frames": bool(caps.get("injected_frames")),
        },
        "video": {"continue": bool(caps.get("video_continuation")), "control": bool(caps.get("control_video"))},
        "audio": {"prompt": bool(caps.get("audio_to_video")), "output": bool(caps.get("audio_output"))},
    }


def image_letters(entry: dict[str, Any]) -> str:
    """``image_prompt_types_allowed``: T (text), V (continue a video), S (start image), E (end image)."""
    media = media_inputs(entry)
    return "T" + "V" * media["video"]["continue"] + "S" * media["image"]["start"] + "E" * media["image"]["end"]


def _setting_values(entry: dict[str, Any]) -> dict[str, Any]:
    letters = image_letters(entry)
    values: dict[str, Any] = {} if letters == "T" else {"image_prompt_type": {"allowed": letters}}
    base = str(entry["base_model_type"])
    if fake_guide.GUIDE_CHOICES.get(base) or fake_guide.REF_CHOICES.get(base):
        values["video_prompt_type"] = fake_guide.video_setting_values(entry)
    if base in fake_guide.AUDIO_CHOICES:
        choices = fake_guide.AUDIO_CHOICES[base]
        values["audio_prompt_type"] = {"choices": [[value or "None", value] for value in choices]}
    return values


def metadata(entry: dict[str, Any]) -> dict[str, Any]:
    """The compact record of ``list_model_metadata`` (without availability)."""
    media = media_inputs(entry)
    return {
        "model_type": entry["model_type"],
        "family": entry["family"],
        "family_label": entry["family_label"],
        "base_model_type": entry["base_model_type"],
        "finetune": bool(entry["finetune"]),
        "main_output": ["video"],
        "outputs": list(entry["outputs"]),
        "inputs": list(entry["inputs"]),
        "media_inputs": media,
        "capabilities": dict(entry["capabilities"]),
        "setting_values": _setting_values(entry),
        "name": entry["name"],
    }


def schema_metadata(entry: dict[str, Any]) -> dict[str, Any]:
    """``get_model_schema(t)["metadata"]``: the compact record plus description, frame rules, sliding window."""
    record = metadata(entry)
    record.update(
        description=entry.get("description", ""),
        fps=entry["fps"],
        frames_minimum=entry["frames_minimum"],
        frames_steps=entry["frames_steps"],
        frames_maximum=entry["frames_maximum"],
        sliding_window=bool(entry["capabilities"].get("sliding_window")),
    )
    return record


def model_def(entry: dict[str, Any]) -> dict[str, Any]:
    """A model definition shaped like WanGP's in-memory one (with the inferred ``metadata``)."""
    return {
        "name": entry["name"],
        "architecture": entry["base_model_type"],
        "description": entry.get("description", ""),
        "fps": entry["fps"],
        "frames_minimum": entry["frames_minimum"],
        "frames_steps": entry["frames_steps"],
        "frames_maximum": entry["frames_maximum"],
        "sliding_window": bool(entry["capabilities"].get("sliding_window")),
        "metadata": metadata(entry),
    }


def default_settings(entry: dict[str, Any]) -> dict[str, Any]:
    """Pristine defaults like ``get_default_settings`` (a representative subset of the real 115 keys)."""
    media = media_inputs(entry)
    sliding = bool(entry["capabilities"].get("sliding_window"))
    return {
        "prompt": "",
        "negative_prompt": "",
        "resolution": entry["default_resolution"],
        "video_length": entry["default_video_length"],
        "duration_seconds": 0,
        "num_inference_steps": entry["default_num_inference_steps"],
        "seed": -1,
        "guidance_scale": entry["default_guidance_scale"],
        "guidance2_scale": entry["default_guidance_scale"],
        "flow_shift": 5.0,
        "embedded_guidance_scale": 6.0,
        "repeat_generation": 1,
        "multi_prompts_gen_type": 0,
        "multi_images_gen_type": 0,
        "batch_size": 1,
        "force_fps": "",
        "image_mode": 0,
        "image_prompt_type": "S" if media["image"]["start"] else "",
        "video_prompt_type": "",
        "image_start": None,
        "image_end": None,
        "image_refs": None,
        "video_source": None,
        "video_guide": None,
        "audio_source": None,
        # An audio-driven model's default asks for its audio source (wgp.py: "You must provide an Audio Source").
        "audio_prompt_type": fake_guide.AUDIO_CHOICES.get(str(entry["base_model_type"]), ("",))[0],
        "audio_guide": None,
        "audio_guide2": None,
        "activated_loras": [],
        "loras_multipliers": "",
        "sliding_window_size": entry["frames_maximum"] if sliding else 0,
        "sliding_window_overlap": 5 if sliding else 0,
        "temporal_upsampling": "",
        "spatial_upsampling": "",
        "film_grain_intensity": 0,
        "film_grain_saturation": 0.5,
        "postprocess_audio": "",
        "model_type": entry["model_type"],
    }


def normalize_frames(entry: dict[str, Any], requested: int) -> int:
    """The allowed frame count nearest ``requested``: ``minimum + k * steps``, clamped to the maximum."""
    lo, step = max(1, int(entry["frames_minimum"])), max(1, int(entry["frames_steps"]))
    hi = max(lo, lo + (max(lo, int(entry["frames_maximum"])) - lo) // step * step)
    k = round((max(requested, lo) - lo) / step)
    return min(hi, lo + k * step)


def _as_patterns(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [str(value).lower()] if isinstance(value, str) else [str(v).lower() for v in value]


def _matches(value: str, patterns: list[str] | None) -> bool:
    return patterns is None or any(fnmatch.fnmatchcase(value.lower(), pattern) for pattern in patterns)


def _matches_any(values: Sequence[str], patterns: list[str] | None) -> bool:
    return patterns is None or any(_matches(value, patterns) for value in values)


def select(
    *,
    family: str | Sequence[str] | None = None,
    base_model_type: str | Sequence[str] | None = None,
    finetune: bool | str | None = None,
    model_type: str | Sequence[str] | None = None,
    main_output: str | Sequence[str] | None = None,
    inputs: str | Sequence[str] | None = None,
    name: str | Sequence[str] | None = None,
    query: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Entries matching WanGP's filters (case-insensitive ``*``/``?`` globs, lists are OR)."""
    if isinstance(finetune, str):
        finetune = finetune.strip().lower() in ("1", "true", "yes")
    family_p, base_p, type_p = _as_patterns(family), _as_patterns(base_model_type), _as_patterns(model_type)
    output_p, input_p, name_p = _as_patterns(main_output), _as_patterns(inputs), _as_patterns(name)
    needle = (query or "").lower()
    found = []
    for entry in entries():
        haystack = " ".join(
            str(entry.get(key, "")) for key in ("name", "model_type", "base_model_type", "family", "family_label",
                                                "description")
        ).lower()
        if (
            _matches_any([entry["family"], entry["family_label"]], family_p)
            and _matches(entry["base_model_type"], base_p)
            and (finetune is None or bool(entry["finetune"]) == finetune)
            and _matches(entry["model_type"], type_p)
            and _matches_any(["video"], output_p)
            and _matches_any(entry["inputs"], input_p)
            and _matches(entry["name"], name_p)
            and needle in haystack
        ):
            found.append(entry)
    found = found[max(0, offset):]
    return copy.deepcopy(found if limit is None else found[: max(0, limit)])
