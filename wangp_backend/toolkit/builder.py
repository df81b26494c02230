"""ShotSpec -> WanGP settings: the one place that decides what a shot asks WanGP for.

A pipeline of small steps over one :class:`~wangp_backend.toolkit.draft.Draft`, run in the order of
:data:`STEPS`. Precedence everywhere is :mod:`precedence`'s: what the shot says, then its template, then the
quality tier, then the model's own default. Everything the builder changed or assumed is said in ``notes``
(shown to the user); anything that would make WanGP fail or ignore an input is an ``error`` that blocks
generation. The result is deterministic: the same spec, catalog and VRAM give the same dict.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .. import grid, wording
from ..catalog import ALIASES, ModelCatalog, ModelInfo
from ..guide_spec import GuideTarget
from ..hashing import settings_hash
from ..spec import CAMERA_MODES, QUALITY_TIERS, CameraSample, ShotSpec
from . import cast_settings, guide_settings, guide_table, tiers
from .camera_moves import describe_manual_moves
from .camera_path import describe_camera_samples
from .draft import Draft
from .precedence import first, said_by
from .templates import TemplateLibrary, load_templates, parse_resolution

#: Few-step (distilled) models have their step count and guidance baked in: a tier's or template's
#: step count or guidance meant for a full model would ruin them. A default this low marks one.
DISTILLED_MAX_STEPS = 12
#: The output is re-timed to the scene's frame rate when the model's differs by at most this
#: share: a 4% speed change nobody sees buys clips that land frame-for-frame on the timeline.
FORCE_FPS_TOLERANCE = 0.05
#: Frame rates a shot can be timed at (Blender allows 1e-6 to 3e8 fps through Base; clips cannot).
SCENE_FPS_RANGE = (0.1, 1000.0)
#: The tier of a shot and template that name none.
DEFAULT_QUALITY = "STANDARD"


@dataclass(frozen=True)
class BuiltShot:
    """What to submit for a shot, and what the user should know about it."""

    settings: dict[str, Any]
    model_type: str
    fallbacks: tuple[str, ...] = ()
    camera_wording: str = ""
    notes: tuple[str, ...] = ()
    #: ``hashing.settings_hash`` of ``settings`` with the seed as given (-1 stays -1)
    settings_hash: str = ""
    #: problems that must block generation (the shot's error message)
    errors: tuple[str, ...] = ()
    #: what a guided shot's control video and keyframes must be rendered at (None: no guide)
    guide_target: GuideTarget | None = None
    #: True when the guide must be rendered at ``guide_target`` first (``errors`` then says so too)
    guide_pending: bool = False
    #: frames of the continued take WanGP puts before the new ones: trim them before the take lands.
    #: What remains is ``video_length - 1`` new frames: clip frames 1.. of the guide target (its frame 0
    #: is the joint, the previous take's last frame, already on the timeline)
    trim_head_frames: int = 0
    #: plain values for the take's sidecar (the guide: mode, files, hash, frames, fps, size, strength)
    sidecar_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking_errors(self) -> tuple[str, ...]:
        """The errors besides "render the guide first": what stops the guide from being rendered at all."""
        return tuple(e for e in self.errors if wording.kind_of(e) != "guide_pending")


def build_settings(
    spec: ShotSpec,
    catalog: ModelCatalog | None,
    templates: TemplateLibrary | None = None,
    vram_gb: float = 0,
) -> BuiltShot:
    """The WanGP settings for ``spec`` on this install (``catalog``; ``None`` before any session).

    ``templates`` defaults to the built-in library when the shot names a template.
    """
    draft = Draft(spec=spec, catalog=catalog, templates=templates, vram_gb=vram_gb)
    for step in STEPS:
        step(draft)
    return BuiltShot(
        settings=draft.settings,
        model_type=draft.model_type,
        fallbacks=draft.fallbacks,
        camera_wording=draft.camera_wording,
        notes=tuple(draft.notes),
        settings_hash=_hash(draft.settings, draft.spec),
        errors=tuple(draft.errors),
        guide_target=draft.guide_target,
        guide_pending=draft.guide_pending,
        trim_head_frames=draft.trim_head_frames,
        sidecar_extra=draft.sidecar,
    )


def catalog_note(info: ModelInfo) -> str:
    """What a model with no quality-tier row runs with: everything from the live catalog (and its preset)."""
    return wording.no_quality_tier(info.family_label or info.family or info.model_type, info.fps,
                                   info.frames_steps, info.frames_minimum, info.frames_maximum, info.preset)


def _hash(settings: dict[str, Any], spec: ShotSpec) -> str:
    """The settings' fingerprint; a guided shot's also covers its guide's content hash, and a shot with
    dialogue what its cuts are made of, so a moved layout or line marks the shot changed even when the
    files keep their names."""
    extra: dict[str, Any] = {}
    media = spec.guide_media
    if media is not None and media.content_hash:
        extra["guide_content_hash"] = media.content_hash
    if any(line.fingerprint for line in spec.dialogue):
        extra["dialogue_fingerprints"] = [line.fingerprint for line in spec.dialogue]
    return settings_hash({**settings, **extra} if extra else settings, spec.project_folder)


# --- the steps, in the order STEPS runs them --------------------------------------------------------------


def usable_numbers(d: Draft) -> None:
    """Replace each impossible number (NaN, infinite, negative) in the spec, with the shot's error for it.

    Blender's properties keep most values in range, but a script, a driver or a camera scaled to zero
    can still hand over such numbers; they must become a sentence, never an exception further down.
    """
    spec, changes = d.spec, {}
    low, high = SCENE_FPS_RANGE
    if spec.scene_fps and not (math.isfinite(spec.scene_fps) and low <= spec.scene_fps <= high):
        d.errors.append(wording.scene_fps_out_of_range(spec.scene_fps, low, high))
        changes["scene_fps"] = 24.0
    if not (math.isfinite(spec.guidance) and spec.guidance >= 0):
        d.errors.append(wording.guidance_negative(spec.guidance))
        changes["guidance"] = 0.0
    if spec.steps < 0:
        d.errors.append(wording.steps_negative(spec.steps))
        changes["steps"] = 0
    if spec.camera_mode == "DERIVED":
        bad = next((s for s in spec.camera_samples if not _usable_sample(s)), None)
        if bad is not None:
            d.errors.append(wording.camera_unusable(bad.frame))
            changes["camera_samples"] = ()
    if changes:
        d.spec = replace(spec, **changes)


def _usable_sample(sample: CameraSample) -> bool:
    numbers = (*sample.location, *sample.forward, *sample.up, *sample.right, sample.focal_length_mm,
               sample.sensor_width_mm, sample.subject_distance or 0.0)
    if not all(math.isfinite(n) for n in numbers):
        return False
    # The Blender side sends unit axes; a camera scaled to zero normalises to zero-length ones.
    axes = all(math.hypot(*axis) > 0.5 for axis in (sample.forward, sample.up, sample.right))
    lens = sample.focal_length_mm > 0 and sample.sensor_width_mm > 0
    return axes and lens and (sample.subject_distance or 0.0) >= 0


def choose_template(d: Draft) -> None:
    if not d.spec.template:
        return
    library = d.templates if d.templates is not None else load_templates()
    d.template = library.get(d.spec.template)
    if d.template is None:
        d.errors.append(wording.template_missing(d.spec.template, list(library.names())))
    else:
        d.notes.append(wording.template_applied(d.template.id))


def choose_quality(d: Draft) -> None:
    """The tier, and what the shot brings that a model must take (images, a layout to follow)."""
    d.quality = first(shot=d.spec.quality, template=d.template and d.template.tier) or DEFAULT_QUALITY
    if d.quality not in QUALITY_TIERS:
        d.errors.append(wording.quality_unknown(d.quality, list(QUALITY_TIERS)))
        d.quality = DEFAULT_QUALITY
    spec = d.spec
    d.image_roles = tuple(role for role, path in (("start", spec.start_image), ("end", spec.end_image)) if path)
    d.layout = guide_settings.wants_layout(spec)


def choose_model(d: Draft) -> None:
    """``model_type``, ``fallbacks`` and the tier family: the shot's own model wins, else the tier's choice.

    A shot that follows its layout takes its tier's guide-capable models (the default guide family's
    when its own family lists none); keyframes alone ask for start/end images.
    """
    spec = d.spec
    shot_fallbacks = [_resolve(d, t) for t in spec.fallback_model_types if t]
    if spec.model_type:
        tier_fallbacks = _shot_model(d)
    else:
        tier_fallbacks = _tier_model(d)
    fallbacks: list[str] = []
    for candidate in (*shot_fallbacks, *tier_fallbacks):
        if candidate == d.model_type or candidate in fallbacks:
            continue
        if d.catalog is not None and candidate not in d.catalog:
            d.notes.append(wording.fallback_skipped(candidate))
            continue
        fallbacks.append(candidate)
    d.fallbacks = tuple(fallbacks)


def _needs(d: Draft) -> tuple[str, Callable[[ModelInfo], bool] | None]:
    """``(images a model must take, the guide/continuation test)`` of a tier candidate for this shot."""
    keyframe_roles = {"FIRST": ("start",), "FIRST_LAST": ("start", "end")}.get(d.spec.keyframes, ())
    needs_image = "+".join(dict.fromkeys((*d.image_roles, *keyframe_roles)))
    test = guide_settings.can_use(d.spec) if d.layout or d.spec.continue_from else None
    return needs_image, test


def _shot_model(d: Draft) -> list[str]:
    """The shot's own model; returns the tier's models that may stand in for it (ready ones only)."""
    catalog = d.catalog
    d.model_type = _resolve(d, d.spec.model_type)
    if catalog is not None and d.model_type not in catalog:
        d.errors.append(wording.model_unknown(d.spec.model_type, catalog.close_matches(d.model_type)))
    d.family = tiers.family_of(d.model_type, catalog)
    guided = d.layout and bool(d.family) and tiers.has_guide_tier(d.family)
    if not d.family or (d.layout and not guided):
        return []
    tier_choice = tiers.choose_model(catalog, d.quality, d.family, d.vram_gb, *_needs(d), guided)
    # The tier's pick may be a model still to download; a fallback must be ready to run.
    return [t for t in (tier_choice[0], *tier_choice[1]) if t and _ready(t, catalog)]


def _tier_model(d: Draft) -> list[str]:
    """The model of the shot's tier (or of its cast or dialogue); returns the rest of the tier's models."""
    spec, catalog = d.spec, d.catalog
    family = first(template=d.template and d.template.model_family, tier=tiers.default_family())
    if d.layout and not tiers.has_guide_tier(family):
        family = guide_table.default_tier_family()
    wants_refs = bool(d.template and d.template.cast_references)
    model_type, fallbacks, why_not = ("", (), "") if d.layout else cast_settings.choose_cast_model(
        spec, wants_refs, catalog, d.quality)
    if why_not:
        d.notes.append(why_not)
    if model_type:
        family = tiers.family_of(model_type, catalog)
        d.notes.append(wording.cast_model_chosen(model_type, bool(spec.dialogue)))
    else:
        model_type, fallbacks = tiers.choose_model(catalog, d.quality, family, d.vram_gb, *_needs(d), d.layout)
    d.model_type, d.family = model_type, family
    info = catalog.get(model_type) if catalog is not None else None
    label = info.name.strip() if info is not None else model_type
    d.notes.append(wording.tier_choice(d.quality, tiers.family_label(family), tiers.vram_class(d.vram_gb), label))
    if info is not None and not info.available:
        d.notes.append(wording.model_not_downloaded(model_type))
    return list(fallbacks)


def _ready(model_type: str, catalog: ModelCatalog | None) -> bool:
    info = catalog.get(model_type) if catalog is not None else None
    return catalog is None or (info is not None and info.available)


def _resolve(d: Draft, model_type: str) -> str:
    resolved = d.catalog.resolve(model_type) if d.catalog is not None else ALIASES.get(model_type, model_type)
    if resolved != model_type:
        d.notes.append(wording.model_renamed(model_type, resolved))
    return resolved


def model_record(d: Draft) -> None:
    """The chosen model's record (a stand-in from its family's frame rules when the catalog lacks it), and
    the tier's plan for it."""
    catalog, model_type, family = d.catalog, d.model_type, d.family
    info = catalog.get(model_type) if catalog is not None else None
    if info is None:
        stand_in = family or tiers.default_family()
        info = tiers.frame_rules(stand_in, model_type).as_model(model_type, tiers.family_label(stand_in))
        if catalog is None:
            d.notes.append(wording.no_catalog())
    d.model = info
    d.known = catalog is not None and model_type in catalog
    d.injects_keyframes = guide_table.injects_keyframes(info)
    if d.known and not family:
        d.notes.append(catalog_note(info))
    guided = d.layout and bool(family) and tiers.has_guide_tier(family)
    d.plan = tiers.tier_plan(family, d.quality, d.vram_gb, image=bool(d.image_roles), guide=guided) if family else None
    d.candidate = d.plan.candidate(model_type) if d.plan else None
    d.full_model = d.known and info.default_num_inference_steps > DISTILLED_MAX_STEPS


def resolution(d: Draft) -> None:
    """The picture size: the shot's or template's own (snapped to 16), else the tier's or model's reshaped to
    the template's aspect."""
    template, plan, candidate = d.template, d.plan, d.candidate
    tier = (candidate.resolution if candidate else "") or (plan.resolution if plan else "")
    for place, text in said_by(shot=d.spec.resolution, template=template and template.resolution):
        try:
            width, height = parse_resolution(text)
        except ValueError:
            d.errors.append(wording.resolution_not_understood(place, text))
            continue
        d.width, d.height = grid.snap_resolution(width, height)
        if (d.width, d.height) != (width, height):
            d.notes.append(wording.resolution_snapped(grid.format_resolution(width, height),
                                                      grid.format_resolution(d.width, d.height)))
        return
    d.width, d.height = _shaped(d, first(tier=tier, model=d.model.default_resolution) or "")


def _shaped(d: Draft, base: str) -> tuple[int, int]:
    width, height = parse_resolution(base)
    if d.template is None:
        return grid.snap_resolution(width, height)
    shaped = grid.reshape(width, height, d.template.aspect_ratio)
    if shaped != (width, height):
        d.notes.append(wording.resolution_reshaped(grid.format_resolution(*shaped), d.template.aspect,
                                                   d.quality, base))
    return shaped


def camera_wording(d: Draft) -> None:
    """The camera language; shot sizes are judged in the picture WanGP will make, not Blender's render frame."""
    spec, mode = d.spec, d.spec.camera_mode
    if mode not in CAMERA_MODES:
        d.errors.append(wording.camera_mode_unknown(mode, list(CAMERA_MODES)))
    elif mode == "DERIVED" and not spec.camera_samples:
        d.notes.append(wording.camera_no_samples())
    elif mode == "DERIVED":
        d.camera_wording = describe_camera_samples(spec.camera_samples, fps=spec.scene_fps or 24.0,
                                                   aspect=d.width / d.height)
    elif mode != "NONE":
        moves = first(shot=spec.camera_movements, template=d.template and d.template.camera_movements) or ()
        try:
            d.camera_wording = describe_manual_moves(moves)
        except ValueError as exc:
            d.errors.append(exc.args[0])


def prompt(d: Draft) -> None:
    """``model_type``, the prompt (the template's wording and the camera sentence), the negative prompt, the size."""
    spec, template = d.spec, d.template
    body = template.wrap(spec.prompt) if template else spec.prompt.strip()
    if d.camera_wording:
        sentence = d.camera_wording[0].upper() + d.camera_wording[1:]
        body = f"{body.rstrip().rstrip('.')}. {sentence}." if body else f"{sentence}."
    d.settings.update(model_type=d.model_type, prompt=body)
    negative = _merge_negative(spec.negative_prompt, template.negative_prompt if template else "")
    if negative:
        d.settings["negative_prompt"] = negative
    d.settings["resolution"] = grid.format_resolution(d.width, d.height)


def _merge_negative(shot: str, template: str) -> str:
    """The shot's terms first, then the template's, each once (case-insensitive)."""
    seen: set[str] = set()
    terms: list[str] = []
    for _place, text in said_by(shot=shot, template=template):
        for term in (t.strip() for t in text.split(",")):
            if term and term.lower() not in seen:
                seen.add(term.lower())
                terms.append(term)
    return ", ".join(terms)


def frames(d: Draft) -> None:
    """``video_length`` (and ``force_fps``): the shot's duration in the model's frames, on its grid.

    The output is re-timed to the scene's rate only when the speed change is invisible. Within the tier's
    cap, except for a guided shot on a sliding-window model: there the layout fixes the length, and WanGP's
    windows each follow their slice of the guide.
    """
    spec, info = d.spec, d.model
    scene = round(spec.scene_fps or 24.0)
    force_fps = 0
    d.fps = info.fps
    if scene != info.fps and abs(scene - info.fps) / info.fps <= FORCE_FPS_TOLERANCE:
        d.notes.append(wording.fps_forced(scene, info.fps))
        d.fps, force_fps = float(scene), scene
    windows = (d.layout or spec.keyframes != "NONE") and info.can("sliding_window")
    d.settings["video_length"] = _frame_count(d, windows)
    if force_fps:
        d.settings["force_fps"] = str(force_fps)


def _frame_count(d: Draft, windows: bool) -> int:
    spec, info, plan = d.spec, d.model, d.plan
    requested = max(1, round(spec.duration_s * d.fps))
    count = grid.nearest_frames(info, requested, windows)
    cut = not windows and requested > count == grid.longest_frames(info)
    if cut:
        d.notes.append(wording.frames_cut(requested, count, _label(info)))
    elif count != requested:
        d.notes.append(wording.frames_snapped(requested, count, _label(info), grid.frame_rule(info)))
    if windows:
        return count
    if plan is not None and count > plan.frames_cap:
        capped = grid.frames_at_most(info, min(plan.frames_cap, info.frames_maximum))
        d.notes.append(wording.frames_capped(count, capped, d.quality))
        count, cut = capped, True
    if cut:
        d.notes.append(wording.clip_shorter(count / d.fps, spec.duration_s))
    return count


def _label(info: ModelInfo) -> str:
    return info.family_label or info.name or info.model_type


def sampling(d: Draft) -> None:
    """Steps, guidance and the seed. A few-step model keeps its own steps and guidance: a template's hints
    are meant for full models (a tier's plan says so per candidate)."""
    spec, template, info, plan, candidate = d.spec, d.template, d.model, d.plan, d.candidate
    hints = template is not None and d.full_model
    steps = first(
        shot=spec.steps,
        template=template.steps_hint if hints else 0,
        tier=(candidate.steps if candidate else 0) or (plan.steps if plan and d.full_model else 0),
        model=info.default_num_inference_steps if d.known else 0,
    )
    if not spec.steps and template and template.steps_hint and not d.full_model and d.known:
        d.notes.append(wording.template_steps_unused(template.steps_hint, info.model_type))
    if steps:
        d.settings["num_inference_steps"] = int(steps)
    guidance = first(
        shot=float(spec.guidance),
        template=template.guidance_hint if hints else 0.0,
        model=float(info.default_guidance_scale) if d.known else 0.0,
    )
    if not spec.guidance and template and template.guidance_hint and not d.full_model and d.known:
        d.notes.append(wording.template_guidance_unused(template.guidance_hint, info.model_type))
    if guidance:
        d.settings["guidance_scale"] = guidance
    d.settings["seed"] = int(spec.seed)


def images(d: Draft) -> None:
    """The shot's start/end images (a model that injects keyframes takes them in the guide step instead)."""
    roles, info = d.image_roles, d.model
    if d.injects_keyframes:
        return
    if roles == ("end",):
        # WanGP's end image only qualifies a start image or a continued video ("SE", "VE").
        d.errors.append(wording.end_image_alone())
    for role in roles:
        if d.known and not info.accepts_image(role):
            d.errors.append(_image_refusal(role, info, d.catalog))
    media: dict[str, str] = {}
    if "start" in roles:
        media["image_start"] = d.spec.start_image
    if "end" in roles:
        media["image_end"] = d.spec.end_image
    if media:
        d.settings.update(media)
        d.settings["image_prompt_type"] = ("S" if "start" in roles else "") + ("E" if "end" in roles else "")


def _image_refusal(role: str, info: ModelInfo, catalog: ModelCatalog | None) -> str:
    able = [m for m in (catalog if catalog is not None else ()) if m.accepts_image(role)]
    able.sort(key=lambda m: (not m.available, m.family != info.family, m.model_type))
    names = [m.model_type for m in able[:6]]
    return wording.image_refused(info.model_type, role, names, len(able) - len(names))


#: The builder's steps, in the order they run. The guide comes after the size, fps and length it renders
#: at; the cast after the guide, so VACE's positioned keyframes stay first in ``image_refs``.
STEPS: tuple[Callable[[Draft], None], ...] = (
    usable_numbers,
    choose_template,
    choose_quality,
    choose_model,
    model_record,
    resolution,
    camera_wording,
    prompt,
    frames,
    sampling,
    images,
    guide_settings.apply_guide,
    cast_settings.apply_cast,
)
