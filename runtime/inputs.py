"""A shot's start and end images, made into absolute PNG paths WanGP can read.

Planning (what file, from where) is separate from producing it (rendering, saving), so an operator
can validate everything first and write nothing when something is wrong. Every produced file is
named after the take (``<take>_start.png``) in the take folder's ``inputs/``: a later take never
overwrites the images an earlier one was made from, so every take can be re-made exactly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import bpy

from .. import compat
from . import camera_samples, stills


class InputError(Exception):
    """A start or end image cannot be made; the message says what to fix."""


@dataclass(frozen=True)
class InputPlan:
    """One image to hand WanGP: ``role`` is ``start`` or ``end``; ``path`` is where it will be."""

    role: str
    source: str
    path: str
    produce: bool
    detail: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """What the sidecar keeps about this input."""
        return {"source": self.source, "path": self.path, **self.detail}


def previous_shot(scene: bpy.types.Scene, obj: bpy.types.Object) -> bpy.types.Object | None:
    """The shot that starts last before this one on the timeline (ties broken by name)."""
    start = obj.movie_director.frame_start
    earlier = [
        o for o in scene.objects
        if o != obj and o.movie_director.is_shot and o.movie_director.frame_start < start
    ]
    return max(earlier, key=lambda o: (o.movie_director.frame_start, o.name), default=None)


def active_take(obj: bpy.types.Object) -> Any | None:
    shot = obj.movie_director
    if 0 <= shot.active_take_index < len(shot.takes):
        return shot.takes[shot.active_take_index]
    return None


def _plan_file(role: str, raw: str, label: str) -> InputPlan:
    if not raw:
        raise InputError(f"Choose the {label} image file")
    path = os.path.abspath(bpy.path.abspath(raw))
    if not os.path.isfile(path):
        raise InputError(f"The {label} image file does not exist: {path}")
    return InputPlan(role, "FILE", path, produce=False)


def _plan_image(role: str, image: bpy.types.Image | None, label: str, out: str) -> InputPlan:
    if image is None:
        raise InputError(f"Choose the {label} image data-block")
    if not image.has_data and not (image.filepath or image.packed_file):
        raise InputError(f"The {label} image '{image.name}' has no pixels")
    return InputPlan(role, "IMAGE", out, produce=True, detail={"image": image.name})


def plan_inputs(
    scene: bpy.types.Scene, obj: bpy.types.Object, input_dir: str, stem: str
) -> list[InputPlan]:
    """What the shot's start/end images will be, without writing anything (raises InputError)."""
    shot = obj.movie_director
    plans = []
    start_out = os.path.join(input_dir, f"{stem}_start.png")
    source = shot.start_image_source
    if source == "FILE":
        plans.append(_plan_file("start", shot.start_image, "start"))
    elif source == "IMAGE":
        plans.append(_plan_image("start", shot.start_image_data, "start", start_out))
    elif source == "CAMERA_FRAME":
        camera = camera_samples.shot_camera(scene, obj)
        if camera is None:
            raise InputError(f"{obj.name} is not a camera and the scene has no camera to render the start frame")
        detail = {"camera": camera.name, "frame": shot.frame_start}
        plans.append(InputPlan("start", "CAMERA_FRAME", start_out, produce=True, detail=detail))
    elif source == "PREVIOUS_SHOT":
        plans.append(_plan_previous_shot(scene, obj, start_out))
    end_out = os.path.join(input_dir, f"{stem}_end.png")
    if shot.end_image_source == "FILE":
        plans.append(_plan_file("end", shot.end_image, "end"))
    elif shot.end_image_source == "IMAGE":
        plans.append(_plan_image("end", shot.end_image_data, "end", end_out))
    return plans


def _plan_previous_shot(scene: bpy.types.Scene, obj: bpy.types.Object, out: str) -> InputPlan:
    previous = previous_shot(scene, obj)
    if previous is None:
        raise InputError(f"No shot starts before {obj.name}: it has no previous shot to continue from")
    take = active_take(previous)
    if take is None:
        raise InputError(f"The previous shot {previous.name} has no take yet: generate it first")
    clip = os.path.abspath(bpy.path.abspath(take.filepath))
    if not os.path.isfile(clip):
        raise InputError(f"The clip of the previous shot {previous.name} is missing: {clip}")
    detail = {"shot": previous.name, "shot_id": previous.movie_director.shot_id, "take": clip}
    return InputPlan("start", "PREVIOUS_SHOT", out, produce=True, detail=detail)


def extract_last_frame(clip: str, out: str) -> None:
    """Write the last frame of ``clip`` to ``out`` and wait for it (an export, a script): the background renderer
    makes it (``render/clip_frame.py``), never a render in the user's Blender."""
    problem = stills.clip_frame_now(clip, out)
    if problem:
        raise InputError(problem)


def produce_inputs(scene: bpy.types.Scene, plans: list[InputPlan], wait: bool = True) -> None:
    """Write the planned images; on failure remove what was written here and raise InputError.

    A camera frame is a keyframe still of the background renderer (``runtime.stills``): with ``wait`` it is
    on disk when this returns, else it renders while the job waits for it (``runtime.submit``).
    """
    written: list[str] = []
    started: list[str] = []
    try:
        for plan in plans:
            if not plan.produce:
                continue
            os.makedirs(os.path.dirname(plan.path), exist_ok=True)
            if plan.source == "IMAGE":
                compat.save_image_copy(bpy.data.images[plan.detail["image"]], plan.path)
            elif plan.source == "CAMERA_FRAME":
                if not wait:
                    stills.start(scene, plan.detail["camera"], plan.detail["frame"], plan.path)
                    started.append(plan.path)
                    continue
                problem = stills.render_now(scene, plan.detail["camera"], plan.detail["frame"], plan.path)
                if problem:
                    raise RuntimeError(problem)
            elif plan.source == "PREVIOUS_SHOT":
                if not wait:
                    stills.start_clip_frame(plan.detail["take"], plan.path)
                    started.append(plan.path)
                    continue
                problem = stills.clip_frame_now(plan.detail["take"], plan.path)
                if problem:
                    raise RuntimeError(problem)
            written.append(plan.path)
    except (RuntimeError, OSError, KeyError) as exc:
        stills.forget(tuple(started))
        for path in [*written, plan.path]:
            if os.path.isfile(path):
                os.remove(path)
        raise InputError(f"Could not make the {plan.role} image: {exc}") from exc
