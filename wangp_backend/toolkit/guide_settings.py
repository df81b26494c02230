"""The layout as the source: a shot's guide, keyframes and continuation turned into WanGP settings.

One step of :func:`~wangp_backend.toolkit.builder.build_settings`, run once the model, size, fps and
length are known. It computes the :class:`GuideTarget` (the exact size, fps and frame count the
model uses, so the renderer makes what WanGP consumes, and WanGP never squashes the control or
pads a short one with grey), checks the rendered guide against it, and emits the letters and keys
of the model's family (``guides.json``). A guide the model cannot take is refused here, naming the
models of this install that can.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from .. import grid, wording
from ..catalog import ModelCatalog, ModelInfo
from ..guide_spec import GUIDE_MODES, KEYFRAME_MODES, GuideMedia, GuideTarget, Keyframe
from ..spec import ShotSpec
from . import guide_table
from .draft import Draft
from .templates import parse_resolution

#: Frame-rate mismatch below this is the same rate (25 vs 25.0000001 from a float round trip).
FPS_TOLERANCE = 1e-3


def wants_layout(spec: ShotSpec) -> bool:
    """Whether the shot follows its layout (a control video or keyframes): guided models only."""
    return spec.guide != "NONE" or spec.keyframes == "CAMERA_KEYS"


def can_use(spec: ShotSpec):
    """The test a tier candidate must pass for this shot (guide, keyframes, continuation)."""
    continuing = bool(spec.continue_from)
    return lambda info: not guide_table.guide_problem(info, spec.guide, spec.keyframes, continuing)


def resampled_count(frames: int, source_fps: float, target_fps: float) -> int:
    """How many frames WanGP keeps of ``frames`` source frames resampled by time to ``target_fps``.

    WanGP picks, for each output time ``k / target_fps``, the next source frame at or after it
    (shared/utils/utils.py ``_resample_frame_indices``), until the source runs out.
    """
    if frames <= 0:
        return 0
    if not source_fps or not target_fps or abs(source_fps - target_fps) < FPS_TOLERANCE:
        return frames
    ratio = source_fps / target_fps
    count = 0
    while math.ceil(round(count * ratio, 5)) < frames:
        count += 1
    return count


def scene_to_clip_frame(scene_frame: float, spec: ShotSpec, target: GuideTarget) -> int:
    """The clip frame (0-based, at ``target.fps``) showing the shot's ``scene_frame``: for keyframes
    placed at the camera's own keys."""
    seconds = (scene_frame - spec.frame_start) / (spec.scene_fps or 24.0)
    return min(target.frame_count - 1, max(0, round(seconds * target.fps)))


def apply_guide(d: Draft) -> None:
    """Write the guide's settings into the draft: the target, the control video, keyframes, continuation.

    The shot's start/end images, on a model that injects keyframes (VACE, which silently drops a start
    image), become positioned frames here instead.
    """
    if not _wanted(d):
        return
    spec, info, settings = d.spec, d.model, d.settings
    target = d.guide_target = _target(d)
    letters = guide_table.control_letters(info, spec.guide) if spec.guide != "NONE" else ""
    record: dict[str, Any] = {
        "mode": spec.guide,
        "keyframes": spec.keyframes,
        "strength": spec.guide_strength,
        "width": target.width,
        "height": target.height,
        "fps": target.fps,
        "frames": target.frame_count,
        "letters": letters,
    }
    d.sidecar["guide"] = record
    if spec.continue_from:
        d.trim_head_frames = _continuation(d)
    media = spec.guide_media
    if (spec.guide != "NONE" or spec.keyframes != "NONE") and media is None:
        d.errors.append(wording.guide_pending(target.width, target.height, target.frame_count, target.fps))
        d.guide_pending = True
        return
    keyframes = _checked_media(d, media) if media is not None else ()
    if d.errors:
        return
    if media is not None:
        record.update(control_video=media.control_video, content_hash=media.content_hash)
    if letters:
        _control_video(d, media.control_video, letters)
    frames = _keyframes(d, keyframes)
    video_letters = letters + _place_keyframes(d, frames)
    if spec.continue_from and letters:
        # The control starts at the first generated frame, not at the start of the continued take.
        video_letters += "T"
    if video_letters:
        settings["video_prompt_type"] = video_letters
    record["keyframe_files"] = [
        {"frame": k.clip_frame, "path": k.path, "user": k.user, "blockout": k.blockout} for k in frames
    ]
    if any(k.blockout and not k.user for k in frames):
        d.notes.append(wording.keyframe_blockout())


def _injected_images(d: Draft) -> tuple[str, ...]:
    """The shot's start/end images a keyframe-injecting model takes as positioned frames."""
    return d.image_roles if d.injects_keyframes else ()


def _wanted(d: Draft) -> bool:
    """Whether the shot has a guide, keyframes or a continuation this model can take (else its error)."""
    spec = d.spec
    if spec.guide not in GUIDE_MODES:
        d.errors.append(wording.guide_unknown(spec.guide, list(GUIDE_MODES)))
        return False
    if spec.keyframes not in KEYFRAME_MODES:
        d.errors.append(wording.keyframes_unknown(spec.keyframes, list(KEYFRAME_MODES)))
        return False
    if spec.guide == "NONE" and spec.keyframes == "NONE" and not spec.continue_from and not _injected_images(d):
        return False
    if not 0.0 <= spec.guide_strength <= 1.0:
        d.errors.append(wording.guide_strength_out_of_range(spec.guide_strength))
        return False
    problem = guide_table.guide_problem(d.model, spec.guide, spec.keyframes, bool(spec.continue_from))
    if problem:
        d.errors.append(_refusal(d.model, problem, spec, d.catalog))
        return False
    return True


def _control_video(d: Draft, control_video: str, letters: str) -> None:
    """``video_guide``, the family's LoRAs for these letters, and its strength setting."""
    settings, family = d.settings, guide_table.guide_family(d.model)
    settings["video_guide"] = control_video
    for lora in (family.loras.get(letters, ()) if family else ()):
        settings.setdefault("activated_loras", []).append(lora)
    if settings.get("activated_loras"):
        settings["loras_multipliers"] = " ".join("1" for _ in settings["activated_loras"])
    if family and family.strength:
        settings[family.strength.key] = family.strength.value(d.spec.guide_strength)


def _keyframes(d: Draft, rendered: tuple[Keyframe, ...]) -> list[Keyframe]:
    """The rendered stills, the shot's images a VACE model injects, minus frame 0 of a continued shot."""
    frames = list(rendered)
    injected = _injected_images(d)
    if injected:
        frames.extend(_images_as_keyframes(d, injected, frames))
    if d.spec.continue_from and any(k.clip_frame == 0 for k in frames):
        frames = [k for k in frames if k.clip_frame != 0]
        d.notes.append(wording.first_keyframe_dropped())
    return frames


def _place_keyframes(d: Draft, frames: list[Keyframe]) -> str:
    """Positioned frames (``image_refs`` + ``frames_positions``) on VACE, else start/end images; returns the
    reference letters it needs (``"FI"`` or ``""``)."""
    if not frames:
        return ""
    if not d.injects_keyframes:
        _start_end(d, frames)
        return ""
    settings, target = d.settings, d.guide_target
    windowed = "sliding_window_size" in settings
    settings["image_refs"] = [k.path for k in frames]
    settings["frames_positions"] = " ".join(_position(k, target, windowed) for k in frames)
    settings["remove_background_images_ref"] = 0
    return "FI"


def _target(d: Draft) -> GuideTarget:
    """The size, fps and length the model really uses (floored to its VAE block; long shots in windows)."""
    info, settings = d.model, d.settings
    block = guide_table.block_size(info)
    width, height = parse_resolution(str(settings["resolution"]))
    snapped = grid.floor_to_block(width, height, block)
    if snapped != (width, height):
        settings["resolution"] = grid.format_resolution(*snapped)
        d.notes.append(wording.resolution_floored(grid.format_resolution(width, height), settings["resolution"],
                                                  _label(info), block))
    frames = int(settings["video_length"])
    window = grid.longest_frames(info)
    if frames > window and info.can("sliding_window"):
        settings["sliding_window_size"] = window
        settings["sliding_window_overlap"] = guide_table.continue_overlap(info)
        d.notes.append(wording.guide_windows(frames, window))
    return GuideTarget(width=snapped[0], height=snapped[1], fps=float(d.fps), frame_count=frames)


def _continuation(d: Draft) -> int:
    """``image_prompt_type="V"`` with the tail of the previous take; returns the frames to trim."""
    spec, settings, target = d.spec, d.settings, d.guide_target
    if not os.path.isfile(spec.continue_from):
        d.errors.append(wording.continue_missing(spec.continue_from))
        return 0
    if "image_start" in settings:
        d.errors.append(wording.continue_with_start_image())
        return 0
    overlap = guide_table.continue_overlap(d.model)
    settings["image_prompt_type"] = "V" + ("E" if "image_end" in settings else "")
    settings["video_source"] = f"{spec.continue_from}|start_frame=-{overlap}"
    settings["sliding_window_overlap"] = overlap
    source_fps = _take_fps(spec.continue_from) or target.fps
    trim = resampled_count(overlap, source_fps, target.fps)
    d.sidecar["continue_from"] = spec.continue_from
    d.sidecar["trim_head_frames"] = trim
    d.notes.append(wording.continued(overlap, trim, target.frame_count - 1))
    return trim


def _take_fps(take: str) -> float:
    """The previous take's fps from its sidecar (``<take>.json``), 0 when unknown."""
    try:
        with open(os.path.splitext(take)[0] + ".json", encoding="utf-8") as fh:
            return float(json.load(fh).get("fps") or 0)
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0


def _checked_media(d: Draft, media: GuideMedia) -> tuple[Keyframe, ...]:
    """The media's keyframes, after checking it is what the model will use (else errors)."""
    spec, target, errors = d.spec, d.guide_target, d.errors
    if media.mode != spec.guide:
        errors.append(wording.guide_mode_mismatch(media.mode, spec.guide))
        return ()
    got = media.target
    if (got.width, got.height, got.frame_count) != (target.width, target.height, target.frame_count) or abs(
        got.fps - target.fps
    ) > FPS_TOLERANCE:
        errors.append(wording.guide_size_mismatch(
            [got.width, got.height, got.frame_count, got.fps],
            [target.width, target.height, target.frame_count, target.fps],
        ))
        return ()
    if spec.guide != "NONE" and not os.path.isfile(media.control_video):
        errors.append(wording.control_video_missing(media.control_video))
    last = target.frame_count - 1
    frames = tuple(sorted(media.keyframes, key=lambda k: k.clip_frame))
    wanted = {"NONE": None, "FIRST": [0], "FIRST_LAST": [0, last], "CAMERA_KEYS": None}[spec.keyframes]
    positions = [k.clip_frame for k in frames]
    if spec.keyframes == "NONE" and frames:
        errors.append(wording.keyframes_unexpected())
    elif wanted is not None and positions != wanted:
        errors.append(wording.keyframes_misplaced(spec.keyframes, wanted, positions))
    elif spec.keyframes == "CAMERA_KEYS" and (not frames or len(set(positions)) != len(positions)):
        errors.append(wording.camera_keys_need_stills())
    for k in frames:
        if not 0 <= k.clip_frame <= last:
            errors.append(wording.keyframe_outside(k.clip_frame, last))
        elif not os.path.isfile(k.path):
            errors.append(wording.keyframe_missing(k.path))
    return frames


def _images_as_keyframes(d: Draft, roles: tuple[str, ...], frames: list[Keyframe]) -> list[Keyframe]:
    """The shot's start/end images as positioned frames (VACE drops a start image without a word)."""
    spec, target = d.spec, d.guide_target
    taken = {k.clip_frame for k in frames}
    found = []
    for role, path, frame in (("start", spec.start_image, 0), ("end", spec.end_image, target.frame_count - 1)):
        if role in roles and frame not in taken:
            found.append(Keyframe(clip_frame=frame, path=path, user=True))
    if found:
        d.notes.append(wording.images_injected())
    return found


def _position(keyframe: Keyframe, target: GuideTarget, windowed: bool) -> str:
    """WanGP's 1-based ``frames_positions`` entry; ``L`` (a window's last frame) only without windows."""
    if keyframe.clip_frame == target.frame_count - 1 and not windowed:
        return "L"
    return str(keyframe.clip_frame + 1)


def _start_end(d: Draft, frames: list[Keyframe]) -> None:
    spec, settings, target = d.spec, d.settings, d.guide_target
    by_frame = {k.clip_frame: k for k in frames}
    if 0 in by_frame:
        if spec.start_image:
            d.notes.append(wording.keyframe_replaces_start())
        settings["image_start"] = by_frame[0].path
    last = by_frame.get(target.frame_count - 1)
    if last is not None:
        if spec.end_image:
            d.notes.append(wording.keyframe_replaces_end())
        settings["image_end"] = last.path
    prompt = settings.get("image_prompt_type", "")
    start = "V" if "V" in prompt else "S" if "image_start" in settings else ""
    settings["image_prompt_type"] = start + ("E" if "image_end" in settings else "")


def _refusal(info: ModelInfo, problem: str, spec: ShotSpec, catalog: ModelCatalog | None) -> str:
    continuing = bool(spec.continue_from)
    able = [
        m for m in (catalog if catalog is not None else ())
        if not guide_table.guide_problem(m, spec.guide, spec.keyframes, continuing)
    ]
    order = {family.id: i for i, family in enumerate(guide_table.guide_families())}

    def rank(m: ModelInfo) -> tuple:
        family = guide_table.guide_family(m)
        return (not m.available, order.get(family.id if family else "", 99), m.model_type)

    able.sort(key=rank)
    names = [m.model_type for m in able[:6]]
    if catalog is None:
        labels = guide_table.families_for(spec.guide, spec.keyframes)
        return wording.guide_refused_no_catalog(info.model_type, problem, labels[:2])
    return wording.guide_refused(info.model_type, problem, names, len(able) - len(names))


def _label(info: ModelInfo) -> str:
    family = guide_table.guide_family(info)
    return family.label if family else (info.family_label or info.model_type)
