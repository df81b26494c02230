"""ShotSpec -> WanGP settings: the one place that decides what a shot asks WanGP for.

Precedence everywhere: what the shot says, then its template, then the quality tier, then the
model's own default. Everything the builder changed or assumed is said in ``notes`` (shown to the
user); anything that would make WanGP fail or ignore an input is an ``error`` that blocks
generation. The result is deterministic: the same spec, catalog and VRAM give the same dict.
"""

from __future__ import annotations

import math
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
from .templates import Template, TemplateLibrary, load_templates, parse_resolution

#: Few-step (distilled) models have their step count and guidance baked in: a tier's or template's
#: step count or guidance meant for a full model would ruin them. A default this low marks one.
DISTILLED_MAX_STEPS = 12
#: The output is re-timed to the scene's frame rate when the model's differs by at most this
#: share: a 4% speed change nobody sees buys clips that land frame-for-frame on the timeline.
FORCE_FPS_TOLERANCE = 0.05
#: Frame rates a shot can be timed at (Blender allows 1e-6 to 3e8 fps through Base; clips cannot).
SCENE_FPS_RANGE = (0.1, 1000.0)


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
        return tuple(e for e in self.errors if not e.startswith(guide_settings.PENDING))


def build_settings(
    spec: ShotSpec,
    catalog: ModelCatalog | None,
    templates: TemplateLibrary | None = None,
    vram_gb: float = 0,
) -> BuiltShot:
    """The WanGP settings for ``spec`` on this install (``catalog``; ``None`` before any session).

    ``templates`` defaults to the built-in library when the shot names a template.
    """
    notes: list[str] = []
    errors: list[str] = []

    spec = _usable_numbers(spec, errors)
    template = _template(spec, templates, notes, errors)
    quality = spec.quality or (template.tier if template else "") or "STANDARD"
    if quality not in QUALITY_TIERS:
        errors.append(f"Unknown quality '{quality}' (use {', '.join(QUALITY_TIERS)})")
        quality = "STANDARD"
    roles = tuple(role for role, path in (("start", spec.start_image), ("end", spec.end_image)) if path)
    layout = guide_settings.wants_layout(spec)

    model_type, fallbacks, family = _model(spec, catalog, template, quality, vram_gb, roles, layout, notes, errors)
    info = catalog.get(model_type) if catalog is not None else None
    if info is None:
        stand_in = family or tiers.default_family()
        info = tiers.frame_rules(stand_in, model_type).as_model(model_type, tiers.family_label(stand_in))
        if catalog is None:
            notes.append(
                "No model catalog yet: frame rules assumed from the model family, model defaults left to WanGP"
            )
    known = catalog is not None and model_type in catalog
    if known and not family:
        notes.append(catalog_note(info))
    guided = layout and bool(family) and tiers.has_guide_tier(family)
    plan = tiers.tier_plan(family, quality, vram_gb, image=bool(roles), guide=guided) if family else None
    candidate = plan.candidate(model_type) if plan else None

    width, height = _resolution(spec, template, plan, candidate, info, quality, notes, errors)
    # Shot sizes are judged in the picture WanGP will make, not in Blender's render frame.
    camera_wording = _camera_wording(spec, template, width / height, notes, errors)
    settings: dict[str, Any] = {"model_type": model_type, "prompt": _prompt(spec, template, camera_wording)}
    negative = _merge_negative(spec.negative_prompt, template.negative_prompt if template else "")
    if negative:
        settings["negative_prompt"] = negative
    settings["resolution"] = grid.format_resolution(width, height)

    fps, force_fps = _output_fps(spec, info, notes)
    windows = (layout or spec.keyframes != "NONE") and info.can("sliding_window")
    settings["video_length"] = _frames(spec, info, fps, plan, quality, notes, windows)
    if force_fps:
        settings["force_fps"] = str(force_fps)

    full_model = known and info.default_num_inference_steps > DISTILLED_MAX_STEPS
    steps = _steps(spec, template, plan, candidate, info, full_model, known, notes)
    if steps:
        settings["num_inference_steps"] = steps
    guidance = _guidance(spec, template, info, full_model, known, notes)
    if guidance:
        settings["guidance_scale"] = guidance
    settings["seed"] = int(spec.seed)

    injected = guide_table.injects_keyframes(info)
    if not injected:
        _images(spec, info, catalog, known, roles, settings, errors)
    guide = guide_settings.apply_guide(spec, info, catalog, known, settings, fps, roles, notes, errors)
    # After the guide: VACE's positioned keyframes stay first in image_refs, the cast follows them.
    cast = cast_settings.apply_cast(spec, info, catalog, settings, notes, errors)
    return BuiltShot(
        settings=settings,
        model_type=model_type,
        fallbacks=fallbacks,
        camera_wording=camera_wording,
        notes=tuple(notes),
        settings_hash=_hash(settings, spec),
        errors=tuple(errors),
        guide_target=guide.target,
        guide_pending=guide.pending,
        trim_head_frames=guide.trim_head_frames,
        sidecar_extra={**guide.sidecar, **cast},
    )


def catalog_note(info: ModelInfo) -> str:
    """What a model with no quality-tier row runs with: everything from the live catalog (and its preset)."""
    frames = f"{info.frames_steps}n+1 frames ({info.frames_minimum}-{info.frames_maximum})"
    preset = f", defaults of WanGP's preset {info.preset}" if info.preset else ", WanGP's defaults"
    return (f"{info.family_label or info.family or info.model_type} has no quality tier: {info.fps:g} fps, {frames}"
            f"{preset} from the catalog")


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


def _usable_numbers(spec: ShotSpec, errors: list[str]) -> ShotSpec:
    """``spec`` with each impossible number (NaN, infinite, negative) replaced, and the shot's error for it.

    Blender's properties keep most values in range, but a script, a driver or a camera scaled to zero
    can still hand over such numbers; they must become a sentence, never an exception further down.
    """
    changes: dict[str, Any] = {}
    low, high = SCENE_FPS_RANGE
    if spec.scene_fps and not (math.isfinite(spec.scene_fps) and low <= spec.scene_fps <= high):
        errors.append(f"The scene's frame rate ({spec.scene_fps:g}) must be between {low:g} and {high:g} fps")
        changes["scene_fps"] = 24.0
    if not (math.isfinite(spec.guidance) and spec.guidance >= 0):
        errors.append(f"Guidance ({spec.guidance:g}) must be a number of 0 or more")
        changes["guidance"] = 0.0
    if spec.steps < 0:
        errors.append(f"Steps ({spec.steps}) must be 0 (automatic) or more")
        changes["steps"] = 0
    if spec.camera_mode == "DERIVED":
        bad = next((s for s in spec.camera_samples if not _usable_sample(s)), None)
        if bad is not None:
            errors.append(
                f"The shot camera cannot be described at frame {bad.frame} (zero scale, or a value that is not a "
                "number): fix the camera or use manual camera moves"
            )
            changes["camera_samples"] = ()
    return replace(spec, **changes) if changes else spec


def _usable_sample(sample: CameraSample) -> bool:
    numbers = (*sample.location, *sample.forward, *sample.up, *sample.right, sample.focal_length_mm,
               sample.sensor_width_mm, sample.subject_distance or 0.0)
    if not all(math.isfinite(n) for n in numbers):
        return False
    # The Blender side sends unit axes; a camera scaled to zero normalises to zero-length ones.
    axes = all(math.hypot(*axis) > 0.5 for axis in (sample.forward, sample.up, sample.right))
    lens = sample.focal_length_mm > 0 and sample.sensor_width_mm > 0
    return axes and lens and (sample.subject_distance or 0.0) >= 0


def _template(
    spec: ShotSpec, templates: TemplateLibrary | None, notes: list[str], errors: list[str]
) -> Template | None:
    if not spec.template:
        return None
    library = templates if templates is not None else load_templates()
    template = library.get(spec.template)
    if template is None:
        errors.append(f"Template '{spec.template}' not found (available: {', '.join(library.names()) or 'none'})")
    else:
        notes.append(f"Template '{template.id}' applied")
    return template


def _model(
    spec: ShotSpec,
    catalog: ModelCatalog | None,
    template: Template | None,
    quality: str,
    vram_gb: float,
    roles: tuple[str, ...],
    layout: bool,
    notes: list[str],
    errors: list[str],
) -> tuple[str, tuple[str, ...], str]:
    """``(model_type, fallbacks, tier family)``: the shot's own model wins, else the tier's choice.

    A shot that follows its layout takes its tier's guide-capable models (the default guide family's
    when its own family lists none); keyframes alone ask for start/end images.
    """
    keyframe_roles = {"FIRST": ("start",), "FIRST_LAST": ("start", "end")}.get(spec.keyframes, ())
    needs_image = "+".join(dict.fromkeys((*roles, *keyframe_roles)))
    test = guide_settings.can_use(spec) if layout or spec.continue_from else None
    shot_fallbacks = [_resolve(t, catalog, notes) for t in spec.fallback_model_types if t]
    if spec.model_type:
        model_type = _resolve(spec.model_type, catalog, notes)
        if catalog is not None and model_type not in catalog:
            close = catalog.close_matches(model_type)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            errors.append(f"Unknown model type '{spec.model_type}' on this WanGP install.{hint}")
        family = tiers.family_of(model_type, catalog)
        guided = layout and bool(family) and tiers.has_guide_tier(family)
        tier_choice = (
            tiers.choose_model(catalog, quality, family, vram_gb, needs_image, test, guided)
            if family and (guided or not layout) else ("", ())
        )
        # The tier's pick may be a model still to download; a fallback must be ready to run.
        tier_fallbacks = [t for t in (tier_choice[0], *tier_choice[1]) if t and _ready(t, catalog)]
    else:
        family = template.model_family if template and template.model_family else tiers.default_family()
        if layout and not tiers.has_guide_tier(family):
            family = guide_table.default_tier_family()
        wants_refs = bool(template and template.cast_references)
        model_type, chosen_fallbacks, why_not = ("", (), "") if layout else cast_settings.choose_cast_model(
            spec, wants_refs, catalog, quality)
        if why_not:
            notes.append(why_not)
        if model_type:
            family = tiers.family_of(model_type, catalog)
            why = "the dialogue under the shot" if spec.dialogue else "the cast's reference images"
            notes.append(f"{model_type} chosen for {why}")
        else:
            model_type, chosen_fallbacks = tiers.choose_model(
                catalog, quality, family, vram_gb, needs_image, test, layout)
        tier_fallbacks = list(chosen_fallbacks)
        info = catalog.get(model_type) if catalog is not None else None
        label = info.name.strip() if info is not None else model_type
        notes.append(
            f"{quality.title()} tier on {tiers.family_label(family)} ({tiers.vram_class(vram_gb)} VRAM): {label}"
        )
        if info is not None and not info.available:
            notes.append(f"'{model_type}' is not downloaded yet: WanGP will download it first")
    fallbacks: list[str] = []
    for candidate in (*shot_fallbacks, *tier_fallbacks):
        if candidate == model_type or candidate in fallbacks:
            continue
        if catalog is not None and candidate not in catalog:
            notes.append(f"Fallback '{candidate}' skipped: not a model of this WanGP install")
            continue
        fallbacks.append(candidate)
    return model_type, tuple(fallbacks), family


def _ready(model_type: str, catalog: ModelCatalog | None) -> bool:
    info = catalog.get(model_type) if catalog is not None else None
    return catalog is None or (info is not None and info.available)


def _resolve(model_type: str, catalog: ModelCatalog | None, notes: list[str]) -> str:
    resolved = catalog.resolve(model_type) if catalog is not None else ALIASES.get(model_type, model_type)
    if resolved != model_type:
        notes.append(f"Model '{model_type}' is called '{resolved}' in today's WanGP")
    return resolved


def _camera_wording(
    spec: ShotSpec, template: Template | None, aspect: float, notes: list[str], errors: list[str]
) -> str:
    mode = spec.camera_mode
    if mode not in CAMERA_MODES:
        errors.append(f"Unknown camera mode '{mode}' (use {', '.join(CAMERA_MODES)})")
        return ""
    if mode == "NONE":
        return ""
    if mode == "DERIVED":
        if not spec.camera_samples:
            notes.append("Camera language: no camera samples to derive moves from")
            return ""
        return describe_camera_samples(spec.camera_samples, fps=spec.scene_fps or 24.0, aspect=aspect)
    moves = spec.camera_movements or (template.camera_movements if template else ())
    try:
        return describe_manual_moves(moves)
    except ValueError as exc:
        errors.append(str(exc))
        return ""


def _prompt(spec: ShotSpec, template: Template | None, camera_wording: str) -> str:
    body = template.wrap(spec.prompt) if template else spec.prompt.strip()
    if not camera_wording:
        return body
    sentence = camera_wording[0].upper() + camera_wording[1:]
    return f"{body.rstrip().rstrip('.')}. {sentence}." if body else f"{sentence}."


def _merge_negative(shot: str, template: str) -> str:
    """The shot's terms first, then the template's, each once (case-insensitive)."""
    seen: set[str] = set()
    terms: list[str] = []
    for text in (shot, template):
        for term in (t.strip() for t in text.split(",")):
            if term and term.lower() not in seen:
                seen.add(term.lower())
                terms.append(term)
    return ", ".join(terms)


def _resolution(
    spec: ShotSpec,
    template: Template | None,
    plan: tiers.TierPlan | None,
    candidate: tiers.Candidate | None,
    info: ModelInfo,
    quality: str,
    notes: list[str],
    errors: list[str],
) -> tuple[int, int]:
    explicit = [(spec.resolution, "shot"), (template.resolution if template else "", "template")]
    for text, source in explicit:
        if not text:
            continue
        try:
            width, height = parse_resolution(text)
        except ValueError as exc:
            errors.append(f"The {source}'s {exc}")
            continue
        snapped = grid.snap_resolution(width, height)
        if snapped != (width, height):
            notes.append(wording.resolution_snapped(grid.format_resolution(width, height),
                                                    grid.format_resolution(*snapped)))
        return snapped
    base = (candidate.resolution if candidate else "") or (plan.resolution if plan else "") or info.default_resolution
    width, height = parse_resolution(base)
    if template is None:
        return grid.snap_resolution(width, height)
    shaped = grid.reshape(width, height, template.aspect_ratio)
    if shaped != (width, height):
        notes.append(
            f"Resolution {grid.format_resolution(*shaped)}: {template.aspect} from the {quality.title()} tier's {base}"
        )
    return shaped


def _output_fps(spec: ShotSpec, info: ModelInfo, notes: list[str]) -> tuple[float, int]:
    """``(fps the clip plays at, force_fps or 0)``: re-time only when the speed change is invisible."""
    scene = round(spec.scene_fps or 24.0)
    model = info.fps
    if scene != model and abs(scene - model) / model <= FORCE_FPS_TOLERANCE:
        notes.append(f"Output at {scene} fps (model {model:g} fps) so frames land one-to-one on the timeline")
        return float(scene), scene
    return model, 0


def _frames(
    spec: ShotSpec,
    info: ModelInfo,
    fps: float,
    plan: tiers.TierPlan | None,
    quality: str,
    notes: list[str],
    windows: bool = False,
) -> int:
    """The shot's duration in the model's frames, on the model's frame grid, within the tier's cap.

    With ``windows`` (a guided shot on a sliding-window model) the whole shot is generated: the
    layout fixes its length, and WanGP's windows each follow their slice of the guide.
    """
    requested = max(1, round(spec.duration_s * fps))
    frames = grid.nearest_frames(info, requested, windows)
    cut = not windows and requested > frames == grid.longest_frames(info)
    if cut:
        notes.append(wording.frames_cut(requested, frames, _label(info)))
    elif frames != requested:
        notes.append(wording.frames_snapped(requested, frames, _label(info), grid.frame_rule(info)))
    if windows:
        return frames
    if plan is not None and frames > plan.frames_cap:
        capped = grid.frames_at_most(info, min(plan.frames_cap, info.frames_maximum))
        notes.append(f"Frames {frames} -> {capped} ({quality.title()} tier cap)")
        frames, cut = capped, True
    if cut:
        notes.append(f"The clip covers {frames / fps:.2f} s of the {spec.duration_s:.2f} s shot")
    return frames


def _label(info: ModelInfo) -> str:
    return info.family_label or info.name or info.model_type


def _steps(
    spec: ShotSpec,
    template: Template | None,
    plan: tiers.TierPlan | None,
    candidate: tiers.Candidate | None,
    info: ModelInfo,
    full_model: bool,
    known: bool,
    notes: list[str],
) -> int:
    if spec.steps:
        return int(spec.steps)
    if template and template.steps_hint:
        if full_model:
            return template.steps_hint
        if known:
            notes.append(f"Template steps ({template.steps_hint}) not used: {info.model_type} is a few-step model")
    if candidate and candidate.steps:
        return candidate.steps
    if plan and plan.steps and full_model:
        return plan.steps
    return info.default_num_inference_steps if known else 0


def _guidance(
    spec: ShotSpec, template: Template | None, info: ModelInfo, full_model: bool, known: bool, notes: list[str]
) -> float:
    if spec.guidance:
        return float(spec.guidance)
    if template and template.guidance_hint:
        if full_model:
            return template.guidance_hint
        if known:
            notes.append(
                f"Template guidance ({template.guidance_hint:g}) not used: {info.model_type} is a few-step model"
            )
    return float(info.default_guidance_scale) if known else 0.0


def _images(
    spec: ShotSpec,
    info: ModelInfo,
    catalog: ModelCatalog | None,
    known: bool,
    roles: tuple[str, ...],
    settings: dict[str, Any],
    errors: list[str],
) -> None:
    media: dict[str, str] = {}
    if roles == ("end",):
        # WanGP's end image only qualifies a start image or a continued video ("SE", "VE").
        errors.append("An end image needs a start image too: set the shot's start image")
    for role in roles:
        if known and not info.accepts_image(role):
            errors.append(_image_error(role, info, catalog))
    if "start" in roles:
        media["image_start"] = spec.start_image
    if "end" in roles:
        media["image_end"] = spec.end_image
    if media:
        settings.update(media)
        settings["image_prompt_type"] = ("S" if "start" in roles else "") + ("E" if "end" in roles else "")


def _image_error(role: str, info: ModelInfo, catalog: ModelCatalog | None) -> str:
    able = [m for m in (catalog if catalog is not None else ()) if m.accepts_image(role)]
    able.sort(key=lambda m: (not m.available, m.family != info.family, m.model_type))
    names = [m.model_type for m in able[:6]]
    what = f"{'a start' if role == 'start' else 'an end'} image"
    if not names:
        return f"{info.model_type} cannot take {what}, and no model of this WanGP install can"
    more = f" and {len(able) - len(names)} more" if len(able) > len(names) else ""
    return f"{info.model_type} cannot take {what}. Models that can: {', '.join(names)}{more}"
