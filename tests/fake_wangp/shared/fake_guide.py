"""How the test double follows a shot's guide, keyframes and continued video, like WanGP 12.60.

Validation mirrors wgp.py's (L1257-1470): ``image_prompt_type`` letters the model does not allow are
dropped *silently* (a start image sent to VACE is lost without a word), ``V`` needs ``video_guide``,
``I`` needs ``image_refs``, ``frames_positions`` must lie in 1..``video_length``, ``A`` needs a mask.
Generation makes its frames from the inputs, so a test can see that a clip follows its layout:
the control is resampled by time to the task fps (the next source frame at or after each output
time); a frame with control is the control pulled toward the clip colour by the control weight (a
``U`` "identity" control, or LTX-2 raw ``VG`` without an IC-LoRA, is copied as it is); a VACE control
that is too short is padded with grey, i.e. those frames are generated freely; injected frames and
start/end images are placed exactly; a continued video's resampled frames come first, then
``video_length - 1`` new ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import imageio_ffmpeg
import numpy as np
from PIL import Image

from . import fake_media

#: Control letters per base model type, as WanGP 12.60's handlers offer them (notes §1.5).
_VACE = ("", "UV", "V", "PV", "OV", "DV", "SV", "LV", "CV", "MV", "PDV", "PSV", "PLV", "DSV", "DLV", "SLV")
_LTX2 = ("", "PVG", "OVG", "DVG", "EVG", "VG")
GUIDE_CHOICES: dict[str, tuple[str, ...]] = {
    **{base: _VACE for base in ("vace_1.3B", "vace_14B", "vace_14B_2_2", "vace_lynx_14B", "vace_standin_14B",
                                "vace_multitalk_14B")},
    **{base: _LTX2 for base in ("ltx2_19B", "ltx2_22B", "ltx2_25_22B")},
    "i2v_2_2": ("", "GUV", "GVA"),
    "t2v_2_2": ("", "GUV", "GVA"),
    "ltxv_13B": ("", "PV", "DV", "EV", "V"),
    # MiniMax H3's first/last-frame model: WanGP's own depth and pose extraction (13.141 and later).
    "minimax_h3_fl2va": ("", "PV", "DV"),
}
REF_CHOICES: dict[str, tuple[str, ...]] = {
    **{base: ("", "I", "KI", "FI") for base in GUIDE_CHOICES if base.startswith("vace")},
    **{base: ("", "KFI") for base in ("ltx2_19B", "ltx2_22B", "ltx2_25_22B")},
    # Reference-only models (wan_handler / hunyuan_handler image_ref_choices): people or objects, no control.
    **{base: ("I",) for base in ("phantom_1.3B", "phantom_14B", "minimax_h3_ref2va", "minimax_h3_ref2va_pruned")},
    **{base: ("", "I") for base in ("standin", "lynx", "hunyuan_custom", "hunyuan_custom_audio", "hunyuan_avatar")},
}
#: ``one_image_ref_needed``: one face image, no more, no less.
ONE_REF = frozenset({"standin", "lynx", "hunyuan_custom", "hunyuan_custom_audio", "hunyuan_avatar"})
#: ``audio_prompt_type`` values per base model type (A = audio_guide, B = audio_guide2; X/C/P = how two
#: speakers are combined), and the models that need an audio source (their default letters are "A").
AUDIO_CHOICES: dict[str, tuple[str, ...]] = {
    **{base: ("A", "XA", "CAB", "PAB") for base in ("multitalk", "infinitetalk", "i2v_2_2_multitalk",
                                                    "vace_multitalk_14B")},
    **{base: ("A",) for base in ("fantasy", "hunyuan_avatar", "hunyuan_custom_audio")},
    # LTX-2 and MiniMax H3 make their own sound and take a voice when given one.
    **{base: ("", "A") for base in ("ltx2_19B", "ltx2_22B", "ltx2_25_22B", "minimax_h3_fl2va",
                                    "minimax_h3_fl2va_pruned", "minimax_h3_ref2va", "minimax_h3_ref2va_pruned")},
}
#: Models whose short control is padded with grey (VACE); the others truncate it.
PADDED = frozenset(base for base in GUIDE_CHOICES if base.startswith("vace"))
#: How far a followed frame is pulled from the clip colour toward the control at full weight.
FOLLOW = 0.8


def video_setting_values(entry: dict[str, Any]) -> dict[str, Any]:
    """``setting_values.video_prompt_type`` the way WanGP reports it (None groups for absent inputs)."""
    base = str(entry["base_model_type"])
    guide = GUIDE_CHOICES.get(base)
    refs = REF_CHOICES.get(base)
    return {
        "guide_preprocessing": {"selection": list(guide)} if guide else None,
        "image_ref_choices": {"choices": [[value or "None", value] for value in refs]} if refs else None,
        "forced": "",
    }


def validate(settings: dict[str, Any], entry: dict[str, Any], allowed_image_letters: str) -> str:
    """WanGP's checks on the media settings; clears what it drops silently. Returns an error or ""."""
    # The API sets S, V and E from the media it is given; then only the model's allowed letters survive.
    media = {"S": "image_start", "E": "image_end", "V": "video_source"}
    asked = str(settings.get("image_prompt_type") or "")
    letters_given = {letter for letter, key in media.items() if settings.get(key)}
    image_prompt = "".join(c for c in "SVLE" if (c in asked or c in letters_given) and c in allowed_image_letters)
    image_prompt = "".join(c for c in image_prompt if c not in media or c in letters_given)
    if "E" in image_prompt and not ({"S", "V", "L"} & set(image_prompt)) and entry["family"] != "ltx2":
        image_prompt = image_prompt.replace("E", "")
    for letter, key in media.items():
        if letter not in image_prompt:
            settings[key] = None
    settings["image_prompt_type"] = image_prompt

    letters = str(settings.get("video_prompt_type") or "")
    base = str(entry["base_model_type"])
    if base not in GUIDE_CHOICES:
        # A model without control inputs keeps only the reference letters it offers (none: all are ignored).
        offered = set("".join(REF_CHOICES.get(base, ())))
        letters = "".join(c for c in letters if c in offered)
        settings["video_prompt_type"] = letters
    if "I" in letters and not settings.get("image_refs"):
        return "You must provide at least one Refererence Image"
    if "I" not in letters:
        settings["image_refs"] = None
    error = _audio_error(settings, base)
    if error:
        return error
    if base in ONE_REF:
        refs = settings.get("image_refs")
        if refs is None:
            return "You must provide an Image Reference"
        if len(refs) > 1:
            return "Only one Image Reference (a person) is supported for the moment by this model"
    if "V" in letters:
        if not settings.get("video_guide"):
            return "You must provide a Control Video"
        if "A" in letters and "U" not in letters and not settings.get("video_mask"):
            return "You must provide a Video Mask"
    else:
        settings["video_guide"] = None
    if "F" in letters:
        error = _positions_error(str(settings.get("frames_positions") or ""), int(settings["video_length"]))
        if error:
            return error
    return ""


def _audio_error(settings: dict[str, Any], base: str) -> str:
    """wgp.py's audio checks: A needs audio_guide, B audio_guide2; without the letter the input is dropped."""
    letters = str(settings.get("audio_prompt_type") or "")
    if base not in AUDIO_CHOICES:
        letters = ""
    settings["audio_prompt_type"] = letters
    if "A" in letters:
        if not settings.get("audio_guide"):
            return "You must provide an Audio Source"
    else:
        settings["audio_guide"] = None
    if "B" in letters:
        if not settings.get("audio_guide2"):
            return "You must provide a second Audio Source"
    else:
        settings["audio_guide2"] = None
    return ""


def _positions_error(text: str, max_frames: int) -> str:
    for token in text.split():
        if token.upper() == "L":
            continue
        if not token.isdigit() or not 1 <= int(token) <= max_frames:
            return f"Invalid frame position '{token}' in frames_positions: use 1 to {max_frames} or L"
    return ""


@dataclass(frozen=True)
class Clip:
    width: int
    height: int
    fps: float
    frame_count: int
    colour: tuple[int, int, int]


def wants_media(settings: dict[str, Any]) -> bool:
    """Whether the task has inputs that shape its frames (otherwise the plain clip is made)."""
    return bool(settings.get("video_guide") or settings.get("image_start") or settings.get("image_end")
                or settings.get("video_source") or "F" in str(settings.get("video_prompt_type") or "")
                or settings.get("image_refs") or settings.get("audio_guide"))


def make_frames(settings: dict[str, Any], entry: dict[str, Any], clip: Clip) -> np.ndarray:
    """The output frames ``(F, H, W, 3)`` uint8 of a task with media inputs."""
    prefix = _source_frames(settings, clip) if settings.get("video_source") else None
    count = clip.frame_count
    generated = [fake_media.frame(clip.width, clip.height, clip.colour, i, count) for i in range(count)]
    letters = str(settings.get("video_prompt_type") or "")
    if settings.get("video_guide"):
        control = _control_frames(settings, entry, clip, prefix)
        weight = _weight(settings, entry, letters)
        for i in range(min(count, len(control))):
            if control[i] is None:
                continue  # grey padding: generated freely
            if weight is None:
                generated[i] = control[i]
            else:
                mixed = clip.colour + (control[i].astype(np.float64) - clip.colour) * FOLLOW * weight
                generated[i] = np.clip(mixed, 0, 255).astype(np.uint8)
    for position, path in _injected(settings, count):
        generated[position] = _image(path, clip)
    if prefix is None:
        return np.stack(generated)
    # The window starts on the source's last frame (the overlap), which is not repeated.
    return np.stack([*prefix, *generated[1:]])


def _weight(settings: dict[str, Any], entry: dict[str, Any], letters: str) -> float | None:
    """How strongly the control pulls each frame; None copies it (identity or an unexplained raw control)."""
    if "U" in letters and "G" not in letters:
        return None
    if entry["family"] == "ltx2":
        raw = not (set("PDEO") & set(letters))
        ic_lora = any("ic-lora" in str(lora).lower() for lora in settings.get("activated_loras") or ())
        if raw and not ic_lora:
            print("LTX-2 raw control without an IC-LoRA: the control frames are injected as they are")
            return None
        return float(settings.get("denoising_strength", 1.0))
    if "G" in letters:  # Wan V2V: the first steps*(1-s) steps are skipped, lower s = closer
        return min(1.0, max(0.0, 2 * (1 - float(settings.get("denoising_strength", 1.0)))))
    return float(settings.get("control_net_weight", 1.0))


def _control_frames(
    settings: dict[str, Any], entry: dict[str, Any], clip: Clip, prefix: list[np.ndarray] | None
) -> list[np.ndarray | None]:
    frames, fps = read_video(str(settings["video_guide"]), clip)
    frames = [frames[i] for i in resample_indices(len(frames), fps, clip.fps)]
    letters = str(settings.get("video_prompt_type") or "")
    if set("PDESLCO") & set(letters):
        frames = [_extracted(f) for f in frames]
    if prefix is not None and "T" not in letters:
        # Without T the control is counted from the start of the continued video.
        frames = frames[max(0, len(prefix) - 1):]
    if len(frames) < clip.frame_count:
        if str(entry["base_model_type"]) in PADDED:
            print(f"Control video has {len(frames)} frames for {clip.frame_count}: padded with grey")
        else:
            print(f"Invalid number of control frames ({len(frames)}), the remaining frames will be lost")
    return [*frames, *([None] * max(0, clip.frame_count - len(frames)))]


def _extracted(frame: np.ndarray) -> np.ndarray:
    """A stand-in annotator (depth/pose/edges from a shaded render): the frame's luminance."""
    grey = frame.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    return np.repeat(grey[..., None], 3, axis=2).astype(np.uint8)


def _injected(settings: dict[str, Any], count: int) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    if settings.get("image_start"):
        found.append((0, _first(settings["image_start"])))
    if settings.get("image_end"):
        found.append((count - 1, _first(settings["image_end"])))
    letters = str(settings.get("video_prompt_type") or "")
    if "F" in letters:
        refs = list(settings.get("image_refs") or ())
        # Refs past the positions are people/object references, not frames: zip stops at the shorter.
        for token, path in zip(str(settings.get("frames_positions") or "").split(), refs, strict=False):
            found.append((count - 1 if token.upper() == "L" else int(token) - 1, str(path)))
    return found


def _first(value: Any) -> str:
    return str(value[0] if isinstance(value, (list, tuple)) else value)


def _image(path: str, clip: Clip) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB").resize((clip.width, clip.height), Image.NEAREST), dtype=np.uint8)


def _source_frames(settings: dict[str, Any], clip: Clip) -> list[np.ndarray]:
    path, start, end = parse_virtual(str(settings["video_source"]))
    frames, fps = read_video(path, clip)
    total = len(frames)
    first = start + total if start < 0 else start
    last = (end + total if end < 0 else end) if end is not None else total - 1
    frames = frames[max(0, first): last + 1]
    return [frames[i] for i in resample_indices(len(frames), fps, clip.fps)]


def parse_virtual(value: str) -> tuple[str, int, int | None]:
    """``"clip.mp4|start_frame=-17,end_frame=40"``: path, 0-based start, inclusive end (negatives from the end)."""
    path, _, suffix = value.partition("|")
    start, end = 0, None
    for part in filter(None, suffix.split(",")):
        key, _, number = part.partition("=")
        if key.strip() == "start_frame":
            start = int(number)
        elif key.strip() == "end_frame":
            end = int(number)
    return path, start, end


def read_video(path: str, clip: Clip) -> tuple[list[np.ndarray], float]:
    """Every frame of ``path`` resized to the clip's size (Lanczos in WanGP, nearest here), and its fps."""
    reader = imageio_ffmpeg.read_frames(path, output_params=["-s", f"{clip.width}x{clip.height}"])
    meta = next(reader)
    frames = [np.frombuffer(raw, dtype=np.uint8).reshape(clip.height, clip.width, 3).copy() for raw in reader]
    return frames, float(meta.get("fps") or clip.fps)


def resample_indices(count: int, source_fps: float, target_fps: float) -> list[int]:
    """WanGP's time resampling: for each output time, the next source frame at or after it."""
    if count <= 0:
        return []
    ratio = source_fps / target_fps
    indices, k = [], 0
    while (index := math.ceil(round(k * ratio, 5))) < count:
        indices.append(index)
        k += 1
    return indices
