"""Read a shot into plain values on the main thread, and turn them into a ``JobRequest``.

The snapshot is taken at the click (what the user saw is what gets generated); the WanGP settings
are built from it when the session is ready, with the live model catalog (see ``runtime.submit``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

import bpy

from ..wangp_backend.catalog import ModelCatalog
from ..wangp_backend.hashing import settings_hash
from ..wangp_backend.hosts.animatic import MODEL_TYPE as ANIMATIC_MODEL_TYPE
from ..wangp_backend.requests import JobRequest
from ..wangp_backend.spec import ShotSpec
from ..wangp_backend.toolkit import BuiltShot, TemplateLibrary, build_settings
from . import camera_samples, cast, guide_copy, guide_layout, inputs, keys, paths, soundtrack, stills, timeline

ANIMATIC_MODEL = ANIMATIC_MODEL_TYPE  # the one "model" the layout animatic offers
ANIMATIC_NOTE = "Layout animatic: a Blender render of the layout, not AI video"


class SnapshotError(Exception):
    """The shot cannot be generated as it is; the message says what to fix."""


@dataclass(frozen=True)
class Snapshot:
    """A shot as plain values: the spec, its input images and what the sidecar records about them."""

    spec: ShotSpec
    scene_name: str
    blend_file: str
    inputs: tuple[inputs.InputPlan, ...] = ()
    #: the guide to render before submitting (None: the shot has no guide or keyframes)
    guide: guide_layout.GuidePlan | None = None
    #: ``(path, image name)`` of the cast's Blender images to save before submitting
    cast_images: tuple[tuple[str, str], ...] = ()
    #: the sound under the shot, one cut per speaker (written at produce, off the main thread)
    cuts: tuple[soundtrack.Cut, ...] = ()

    @property
    def cut_paths(self) -> tuple[str, ...]:
        return tuple(cut.path for cut in self.cuts)

    @property
    def still_paths(self) -> tuple[str, ...]:
        """The stills the background renderer makes for this job (``runtime.stills``): camera frames and the
        previous shot's last frame."""
        return tuple(plan.path for plan in self.inputs
                     if plan.produce and plan.source in ("CAMERA_FRAME", "PREVIOUS_SHOT"))


def _fallbacks(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


def read_spec(context: bpy.types.Context, scene: bpy.types.Scene, obj: bpy.types.Object, quality: str) -> ShotSpec:
    """The shot as a :class:`ShotSpec` (camera samples included when its camera language is derived)."""
    shot = obj.movie_director
    samples: tuple = ()
    if shot.camera_mode == "DERIVED":
        camera = camera_samples.shot_camera(scene, obj)
        if camera is not None:
            samples = camera_samples.sample_camera(context, scene, camera, shot.frame_start, shot.frame_end)
    return ShotSpec(
        shot_key=keys.shot_key(scene, obj),
        shot_name=obj.name,
        prompt=shot.prompt.strip(),
        negative_prompt=shot.negative_prompt.strip(),
        template=shot.template,
        quality=quality or shot.quality,
        model_type=shot.model_type.strip(),
        fallback_model_types=_fallbacks(shot.fallback_model_type),
        frame_start=shot.frame_start,
        frame_end=shot.frame_end,
        scene_fps=timeline.scene_fps(scene),
        resolution=shot.resolution.strip(),
        seed=shot.seed,
        steps=shot.steps,
        guidance=shot.guidance,
        camera_mode=shot.camera_mode,
        camera_movements=tuple(sorted(shot.camera_movements)),
        camera_samples=samples,
        guide=shot.guide,
        guide_strength=shot.guide_strength,
        keyframes=shot.keyframes,
        project_folder=paths.blend_folder().folder,
    )


def take_snapshot(
    context: bpy.types.Context,
    scene: bpy.types.Scene,
    obj: bpy.types.Object,
    quality: str,
    input_dir: str,
    stem: str,
    *,
    with_inputs: bool = True,
) -> Snapshot:
    """Read the shot and plan its input images (nothing written yet). Raises SnapshotError."""
    shot = obj.movie_director
    if not shot.prompt.strip():
        raise SnapshotError(f"{obj.name} has no prompt: describe what happens in the shot")
    if shot.frame_end < shot.frame_start:
        raise SnapshotError(f"{obj.name} ends (frame {shot.frame_end}) before it starts (frame {shot.frame_start})")
    spec = read_spec(context, scene, obj, quality)
    plans: tuple[inputs.InputPlan, ...] = ()
    if with_inputs:
        try:
            plans = tuple(inputs.plan_inputs(scene, obj, input_dir, stem))
        except inputs.InputError as exc:
            raise SnapshotError(str(exc)) from exc
    images = {plan.role: plan.path for plan in plans}
    try:
        members, cast_images = cast.read_cast(context, scene, obj, input_dir, stem)
        cuts = soundtrack.plan_cuts(scene, obj, input_dir, stem, [m.name for m in members])
    except (cast.CastError, soundtrack.SoundtrackError) as exc:
        raise SnapshotError(str(exc)) from exc
    set_image = os.path.abspath(bpy.path.abspath(shot.set_image)) if shot.set_image.strip() else ""
    if set_image and not os.path.isfile(set_image):
        raise SnapshotError(f"{obj.name}'s set image does not exist: {set_image}")
    spec = replace(spec, start_image=images.get("start", ""), end_image=images.get("end", ""),
                   continue_from=_continued_take(scene, obj) if shot.continue_previous else "",
                   cast=members, set_image=set_image, dialogue=tuple(cut.line() for cut in cuts))
    guide = None
    if guide_layout.wants_guide(shot):
        try:
            guide = guide_layout.read_plan(scene, obj)
        except guide_layout.GuideSceneError as exc:
            raise SnapshotError(str(exc)) from exc
        if with_inputs:
            guide = replace(guide, blend=guide_copy.write_copy(scene, guide_layout.scene_hash(scene)))
    return Snapshot(spec=spec, scene_name=scene.name, blend_file=bpy.data.filepath, inputs=plans, guide=guide,
                    cast_images=cast_images, cuts=cuts)


def _continued_take(scene: bpy.types.Scene, obj: bpy.types.Object) -> str:
    """The previous shot's active take (absolute path), for Continue Previous Shot."""
    previous = inputs.previous_shot(scene, obj)
    take = inputs.active_take(previous) if previous is not None else None
    path = os.path.abspath(bpy.path.abspath(take.filepath)) if take is not None else ""
    if not path or not os.path.isfile(path):
        where = f"the previous shot {previous.name} has no take yet" if previous else "no shot starts before it"
        raise SnapshotError(f"{obj.name} cannot continue the previous shot: {where}; generate that one first")
    return path


def produce(scene: bpy.types.Scene, snapshot: Snapshot, wait: bool = True) -> None:
    """Write the snapshot's input images (renders, saved data-blocks). Raises SnapshotError.

    Without ``wait`` a camera frame renders in the background and the job waits for it (``runtime.submit``).
    """
    try:
        inputs.produce_inputs(scene, list(snapshot.inputs), wait=wait)
    except inputs.InputError as exc:
        raise SnapshotError(str(exc)) from exc
    try:
        cast.save_images(snapshot.cast_images)
    except cast.CastError as exc:
        # No half-made inputs: the images just made for this take go too.
        stills.forget(snapshot.still_paths)
        for plan in snapshot.inputs:
            if plan.produce and os.path.isfile(plan.path):
                os.remove(plan.path)
        raise SnapshotError(str(exc)) from exc
    soundtrack.start(snapshot.cuts)


def build(
    snapshot: Snapshot,
    catalog: ModelCatalog | None,
    templates: TemplateLibrary | None,
    vram_gb: float,
    animatic: bool,
) -> BuiltShot:
    """The WanGP settings for the snapshot, or the layout animatic's when WanGP is not set up."""
    if not animatic:
        return build_settings(snapshot.spec, catalog, templates, vram_gb)
    built = build_settings(snapshot.spec, None, templates, vram_gb)
    # The animatic renders the shot's own frames at the scene fps; the WanGP model logic does not
    # apply, but the composed prompt, seed and resolution are kept so the sidecar tells the story.
    spec = snapshot.spec
    settings: dict[str, Any] = {
        "model_type": ANIMATIC_MODEL,
        "prompt": built.settings.get("prompt", spec.prompt),
        "negative_prompt": built.settings.get("negative_prompt", spec.negative_prompt),
        "seed": spec.seed,
        "video_length": spec.frame_count,
        "fps": spec.scene_fps,
    }
    if spec.resolution:
        settings["resolution"] = spec.resolution
    return BuiltShot(
        settings=settings,
        model_type=ANIMATIC_MODEL,
        fallbacks=(),
        camera_wording=built.camera_wording,
        notes=(ANIMATIC_NOTE,),
        settings_hash=settings_hash(settings),
        errors=(),
        # Who is in the shot holds for the animatic too (the layout shows them); nothing is sent to a model.
        sidecar_extra={"cast": built.sidecar_extra["cast"]} if "cast" in built.sidecar_extra else {},
    )


def make_request(snapshot: Snapshot, built: BuiltShot, take_dir: str, take_name: str) -> JobRequest:
    spec = snapshot.spec
    extra = {
        "shot_name": spec.shot_name,
        "scene_name": snapshot.scene_name,
        "blend_file": snapshot.blend_file,
        "template": spec.template,
        "settings_hash": built.settings_hash,
        "frame_start": spec.frame_start,
        "frame_end": spec.frame_end,
        "scene_fps": spec.scene_fps,
        "inputs": {plan.role: plan.record() for plan in snapshot.inputs},
        "camera_wording": built.camera_wording,
        "notes": list(built.notes),
    }
    # A guided shot's record: the guide (mode, files, hash, frames, fps, size, strength), continuation.
    extra.update(built.sidecar_extra)
    return JobRequest(
        shot_key=spec.shot_key,
        settings=dict(built.settings),
        take_dir=os.path.abspath(take_dir),
        take_name=take_name,
        fallbacks=tuple(built.fallbacks),
        sidecar_extra=extra,
        play_fps=spec.scene_fps,
    )
