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
from dataclasses import dataclass, field
from typing import Any

from .. import grid, wording
from ..catalog import ModelCatalog, ModelInfo
from ..guide_spec import GUIDE_MODES, KEYFRAME_MODES, GuideMedia, GuideTarget, Keyframe
from ..spec import ShotSpec
from . import guide_table
from .templates import parse_resolution

#: Frame-rate mismatch below this is the same rate (25 vs 25.0000001 from a float round trip).
FPS_TOLERANCE = 1e-3
#: The first sentence of the "render the guide first" error; the renderer looks for it.
PENDING = "The guide is not rendered yet"


@dataclass(frozen=True)
class GuidePlan:
    """What the guide step decided, beside the settings it wrote."""

    target: GuideTarget | None = None
    #: frames WanGP prepends from the continued take (to trim before the take lands)
    trim_head_frames: int = 0
    #: merged into the take's sidecar: enough to re-make the guided take exactly
    sidecar: dict[str, Any] = field(default_factory=dict)
    #: True when the guide still has to be rendered at ``target`` (an error says so too)
    pending: bool = False


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


def apply_guide(
    spec: ShotSpec,
    info: ModelInfo,
    catalog: ModelCatalog | None,
    known: bool,
    settings: dict[str, Any],
    fps: float,
    image_roles: tuple[str, ...],
    notes: list[str],
    errors: list[str],
) -> GuidePlan:
    """Write the guide's settings into ``settings``; returns the target and what the sidecar records.

    ``image_roles`` are the shot's start/end images: on a model that injects keyframes (VACE, which
    silently drops a start image) they become positioned frames instead.
    """
    if spec.guide not in GUIDE_MODES:
        errors.append(f"Unknown guide '{spec.guide}' (use {', '.join(GUIDE_MODES)})")
        return GuidePlan()
    if spec.keyframes not in KEYFRAME_MODES:
        errors.append(f"Unknown keyframes '{spec.keyframes}' (use {', '.join(KEYFRAME_MODES)})")
        return GuidePlan()
    continuing = bool(spec.continue_from)
    injected_images = image_roles if guide_table.injects_keyframes(info) else ()
    if spec.guide == "NONE" and spec.keyframes == "NONE" and not continuing and not injected_images:
        return GuidePlan()
    if not 0.0 <= spec.guide_strength <= 1.0:
        errors.append(f"Guide strength {spec.guide_strength:g} is out of range: use a value from 0 to 1")
        return GuidePlan()
    problem = guide_table.guide_problem(info, spec.guide, spec.keyframes, continuing)
    if problem:
        errors.append(_refusal(info, problem, spec, catalog))
        return GuidePlan()

    target = _target(info, settings, fps, notes)
    family = guide_table.guide_family(info)
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
    sidecar: dict[str, Any] = {"guide": record}
    trim = _continuation(spec, info, settings, letters, target, sidecar, notes, errors) if continuing else 0

    needs_media = spec.guide != "NONE" or spec.keyframes != "NONE"
    media = spec.guide_media
    if needs_media and media is None:
        errors.append(
            f"{PENDING}: render it at {target.width}x{target.height}, {target.frame_count} frames "
            f"at {target.fps:g} fps, then build the shot again"
        )
        return GuidePlan(target=target, trim_head_frames=trim, sidecar=sidecar, pending=True)
    keyframes = _checked_media(spec, media, target, errors) if media is not None else ()
    if errors:
        return GuidePlan(target=target, trim_head_frames=trim, sidecar=sidecar)
    if media is not None:
        record.update(control_video=media.control_video, content_hash=media.content_hash)

    video_letters = letters
    if letters:
        settings["video_guide"] = media.control_video
        for lora in (family.loras.get(letters, ()) if family else ()):
            settings.setdefault("activated_loras", []).append(lora)
        if settings.get("activated_loras"):
            settings["loras_multipliers"] = " ".join("1" for _ in settings["activated_loras"])
        if family and family.strength:
            settings[family.strength.key] = family.strength.value(spec.guide_strength)
    frames = list(keyframes)
    if injected_images:
        frames.extend(_images_as_keyframes(spec, injected_images, target, frames, notes))
    if continuing and any(k.clip_frame == 0 for k in frames):
        frames = [k for k in frames if k.clip_frame != 0]
        notes.append("The first keyframe is not used: a continued shot starts from the previous take")
    if frames and guide_table.injects_keyframes(info):
        video_letters += "FI"
        windowed = "sliding_window_size" in settings
        settings["image_refs"] = [k.path for k in frames]
        settings["frames_positions"] = " ".join(_position(k, target, windowed) for k in frames)
        settings["remove_background_images_ref"] = 0
    elif frames:
        _start_end(spec, frames, target, settings, notes)
    if continuing and letters:
        # The control starts at the first generated frame, not at the start of the continued take.
        video_letters += "T"
    if video_letters:
        settings["video_prompt_type"] = video_letters
    record["keyframe_files"] = [
        {"frame": k.clip_frame, "path": k.path, "user": k.user, "blockout": k.blockout} for k in frames
    ]
    if any(k.blockout and not k.user for k in frames):
        notes.append("A keyframe is a blockout render: the clip takes its grey look. Paint over it or render it lit")
    return GuidePlan(target=target, trim_head_frames=trim, sidecar=sidecar)


def _target(info: ModelInfo, settings: dict[str, Any], fps: float, notes: list[str]) -> GuideTarget:
    block = guide_table.block_size(info)
    width, height = parse_resolution(str(settings["resolution"]))
    snapped = grid.floor_to_block(width, height, block)
    if snapped != (width, height):
        settings["resolution"] = grid.format_resolution(*snapped)
        notes.append(wording.resolution_floored(grid.format_resolution(width, height), settings["resolution"],
                                                _label(info), block))
    frames = int(settings["video_length"])
    window = grid.longest_frames(info)
    if frames > window and info.can("sliding_window"):
        settings["sliding_window_size"] = window
        settings["sliding_window_overlap"] = guide_table.continue_overlap(info)
        notes.append(f"{frames} frames in sliding windows of {window}: each window follows its part of the guide")
    return GuideTarget(width=snapped[0], height=snapped[1], fps=float(fps), frame_count=frames)


def _continuation(
    spec: ShotSpec,
    info: ModelInfo,
    settings: dict[str, Any],
    letters: str,
    target: GuideTarget,
    sidecar: dict[str, Any],
    notes: list[str],
    errors: list[str],
) -> int:
    """``image_prompt_type="V"`` with the tail of the previous take; returns the frames to trim."""
    if not os.path.isfile(spec.continue_from):
        errors.append(f"The take to continue is missing: {spec.continue_from}")
        return 0
    if "image_start" in settings:
        errors.append("A continued shot starts from the previous take: clear the shot's start image")
        return 0
    overlap = guide_table.continue_overlap(info)
    settings["image_prompt_type"] = "V" + ("E" if "image_end" in settings else "")
    settings["video_source"] = f"{spec.continue_from}|start_frame=-{overlap}"
    settings["sliding_window_overlap"] = overlap
    source_fps = _take_fps(spec.continue_from) or target.fps
    trim = resampled_count(overlap, source_fps, target.fps)
    sidecar["continue_from"] = spec.continue_from
    sidecar["trim_head_frames"] = trim
    notes.append(
        f"Continues the previous take from its last {overlap} frames; WanGP returns them first, "
        f"{trim} frames to trim, then {target.frame_count - 1} new frames"
    )
    return trim


def _take_fps(take: str) -> float:
    """The previous take's fps from its sidecar (``<take>.json``), 0 when unknown."""
    try:
        with open(os.path.splitext(take)[0] + ".json", encoding="utf-8") as fh:
            return float(json.load(fh).get("fps") or 0)
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0


def _checked_media(spec: ShotSpec, media: GuideMedia, target: GuideTarget, errors: list[str]) -> tuple[Keyframe, ...]:
    """The media's keyframes, after checking it is what the model will use (else errors)."""
    if media.mode != spec.guide:
        errors.append(f"The rendered guide is {media.mode}, the shot asks for {spec.guide}: render the guide again")
        return ()
    got = media.target
    if (got.width, got.height, got.frame_count) != (target.width, target.height, target.frame_count) or abs(
        got.fps - target.fps
    ) > FPS_TOLERANCE:
        errors.append(
            f"The guide was rendered at {got.width}x{got.height}, {got.frame_count} frames at {got.fps:g} fps; "
            f"the model uses {target.width}x{target.height}, {target.frame_count} frames at {target.fps:g} fps: "
            "render the guide again"
        )
        return ()
    if spec.guide != "NONE" and not os.path.isfile(media.control_video):
        errors.append(f"The guide's control video is missing: {media.control_video or '(none)'}")
    last = target.frame_count - 1
    frames = tuple(sorted(media.keyframes, key=lambda k: k.clip_frame))
    wanted = {"NONE": None, "FIRST": [0], "FIRST_LAST": [0, last], "CAMERA_KEYS": None}[spec.keyframes]
    positions = [k.clip_frame for k in frames]
    if spec.keyframes == "NONE" and frames:
        errors.append("The guide has keyframes but the shot's Keyframes is None: render the guide again")
    elif wanted is not None and positions != wanted:
        errors.append(f"Keyframes {spec.keyframes} need stills at clip frames {wanted}, the guide has {positions}")
    elif spec.keyframes == "CAMERA_KEYS" and (not frames or len(set(positions)) != len(positions)):
        errors.append("Keyframes at the camera's keys need at least one still, one per clip frame")
    for k in frames:
        if not 0 <= k.clip_frame <= last:
            errors.append(f"Keyframe at clip frame {k.clip_frame} is outside the clip (0 to {last})")
        elif not os.path.isfile(k.path):
            errors.append(f"Keyframe still is missing: {k.path}")
    return frames


def _images_as_keyframes(
    spec: ShotSpec, roles: tuple[str, ...], target: GuideTarget, frames: list[Keyframe], notes: list[str]
) -> list[Keyframe]:
    """The shot's start/end images as positioned frames (VACE drops a start image without a word)."""
    taken = {k.clip_frame for k in frames}
    found = []
    for role, path, frame in (("start", spec.start_image, 0), ("end", spec.end_image, target.frame_count - 1)):
        if role in roles and frame not in taken:
            found.append(Keyframe(clip_frame=frame, path=path, user=True))
    if found:
        notes.append("Start/end images sent as injected frames (this model has no start image input)")
    return found


def _position(keyframe: Keyframe, target: GuideTarget, windowed: bool) -> str:
    """WanGP's 1-based ``frames_positions`` entry; ``L`` (a window's last frame) only without windows."""
    if keyframe.clip_frame == target.frame_count - 1 and not windowed:
        return "L"
    return str(keyframe.clip_frame + 1)


def _start_end(
    spec: ShotSpec, frames: list[Keyframe], target: GuideTarget, settings: dict[str, Any], notes: list[str]
) -> None:
    by_frame = {k.clip_frame: k for k in frames}
    if 0 in by_frame:
        if spec.start_image:
            notes.append("The first keyframe replaces the shot's start image")
        settings["image_start"] = by_frame[0].path
    last = by_frame.get(target.frame_count - 1)
    if last is not None:
        if spec.end_image:
            notes.append("The last keyframe replaces the shot's end image")
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
        return f"{info.model_type} {problem}: choose a {' or '.join(labels[:2]) or 'VACE'} model"
    if not names:
        return f"{info.model_type} {problem}, and no model of this WanGP install can"
    more = f" and {len(able) - len(names)} more" if len(able) > len(names) else ""
    return f"{info.model_type} {problem}. Models on this install that can: {', '.join(names)}{more}"


def _label(info: ModelInfo) -> str:
    family = guide_table.guide_family(info)
    return family.label if family else (info.family_label or info.model_type)
