"""The shot's cast: which characters the shot camera sees over the shot's range, with the shot's overrides.

A character is seen when the box around its objects (an actor proxy, an armature and what it carries,
a collection) reaches into the camera's view at any of a few frames spread over the range, so a
character entering halfway counts, not only who stands there at the first frame. The test is a few
matrix products over every box at once (numpy), and the range is sampled at :data:`SAMPLES` frames:
the main-thread cost is those frame changes, whatever the number of objects (bench/bench_cast.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace

import bpy
import numpy as np

from .. import compat
from ..wangp_backend.cast_spec import CastMember
from ..wangp_backend.review import read_sidecar
from ..wangp_backend.spec import ShotSpec
from . import camera_samples

#: The stem of files only planned (``generate._plan_shot``), named after the take once it is made.
PLANNED = "plan_"
#: Frames looked at per shot (start and end included): a character on screen for a ninth of the shot is found.
SAMPLES = 9
_BOXED = {"MESH", "CURVE", "SURFACE", "META", "FONT", "VOLUME", "CURVES", "POINTCLOUD", "ARMATURE", "EMPTY",
          "GPENCIL", "GREASEPENCIL", "LATTICE"}


class CastError(Exception):
    """A character's references cannot be used; the message says what to fix."""


def character_objects(character) -> list[bpy.types.Object]:
    """The objects standing for a character: its object and everything parented under it, or its collection's."""
    if character.collection is not None:
        return [o for o in character.collection.all_objects if o.type in _BOXED]
    root = character.target
    if root is None:
        return []
    return [o for o in (root, *root.children_recursive) if o.type in _BOXED]


def _world_boxes(indices: np.ndarray) -> np.ndarray:
    """World-space bounding-box corners ``(len(indices), 8, 4)`` (homogeneous) of ``bpy.data.objects[i]`` at the
    current frame, read for every object at once (``foreach_get``: one call, not one per object)."""
    objects = bpy.data.objects
    count = len(objects)
    matrices = np.empty(count * 16, dtype=np.float32)
    objects.foreach_get("matrix_world", matrices)
    boxes = np.empty(count * 24, dtype=np.float32)
    objects.foreach_get("bound_box", boxes)
    # foreach_get hands matrices over column by column: each 4x4 block is the transpose.
    world_t = matrices.reshape(count, 4, 4)[indices].astype(np.float64)
    local = np.ones((len(indices), 8, 4))
    local[..., :3] = boxes.reshape(count, 8, 3)[indices]
    return local @ world_t


def _view_projection(scene: bpy.types.Scene, camera: bpy.types.Object, depsgraph) -> np.ndarray:
    render = scene.render
    projection = camera.calc_matrix_camera(
        depsgraph, x=render.resolution_x, y=render.resolution_y,
        scale_x=render.pixel_aspect_x, scale_y=render.pixel_aspect_y,
    )
    return np.array(projection, dtype=np.float64) @ np.array(camera.matrix_world.inverted(), dtype=np.float64)


def _boxes_in_view(corners: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Per box ``(n, 8, 4)``: whether it reaches into the frustum. A box is out when all its corners are beyond
    one of the six planes (a box straddling a frustum corner counts as in: cheap and on the safe side)."""
    clip = corners @ matrix.T
    x, y, z, w = clip[..., 0], clip[..., 1], clip[..., 2], clip[..., 3]
    out = np.zeros(len(corners), dtype=bool)
    for beyond in (x > w, x < -w, y > w, y < -w, z > w, z < -w):
        out |= beyond.all(axis=1)
    return ~out


def seen_characters(
    context: bpy.types.Context, scene: bpy.types.Scene, shot_obj: bpy.types.Object, samples: int = SAMPLES
) -> list[str]:
    """Names of the scene's characters the shot camera sees at any sampled frame of the shot's range."""
    camera = camera_samples.shot_camera(scene, shot_obj)
    cast = scene.movie_director.cast
    if camera is None or camera.type != "CAMERA" or not len(cast):
        return []
    position = {obj: index for index, obj in enumerate(bpy.data.objects)}
    names, owners, indices = [], [], []
    for character in cast:
        objects = character_objects(character)
        if objects:
            names.append(character.name)
            owners.extend([len(names) - 1] * len(objects))
            indices.extend(position[obj] for obj in objects)
    if not names:
        return []
    owner = np.array(owners)
    index = np.array(indices)
    seen = np.zeros(len(names), dtype=bool)
    shot = shot_obj.movie_director
    current, subframe = scene.frame_current, scene.frame_subframe
    try:
        for frame in camera_samples.sample_frames(shot.frame_start, shot.frame_end, samples):
            scene.frame_set(frame)
            depsgraph = context.evaluated_depsgraph_get() if scene == context.scene else scene.view_layers[0].depsgraph
            visible = _boxes_in_view(_world_boxes(index), _view_projection(scene, camera, depsgraph))
            seen[owner[visible]] = True
            if seen.all():
                break
    finally:
        scene.frame_set(current, subframe=subframe)
    return [name for name, found in zip(names, seen, strict=True) if found]


def shot_cast_names(scene: bpy.types.Scene, shot_obj: bpy.types.Object, seen: list[str]) -> list[tuple[str, str]]:
    """``(name, reason)`` of the shot's cast: pinned first, then the seen and added ones in Cast order."""
    overrides = {o.name: o.mode for o in shot_obj.movie_director.cast_overrides}
    names = [c.name for c in scene.movie_director.cast]
    pinned = [(n, "PINNED") for n in names if overrides.get(n) == "PIN"]
    rest = [
        (n, "VISIBLE" if n in seen else "ADDED") for n in names
        if overrides.get(n) not in ("PIN", "REMOVE") and (n in seen or overrides.get(n) == "ADD")
    ]
    return [*pinned, *rest]


def image_paths(character, input_dir: str, stem: str) -> list[tuple[str, bpy.types.Image | None]]:
    """Where each reference image is: ``(absolute path, image to save there or None)``. Raises CastError."""
    found: list[tuple[str, bpy.types.Image | None]] = []
    for index, ref in enumerate(character.images):
        if ref.image is not None:
            on_disk = os.path.abspath(bpy.path.abspath(ref.image.filepath)) if ref.image.filepath else ""
            if on_disk and os.path.isfile(on_disk) and not ref.image.is_dirty and ref.image.packed_file is None:
                found.append((on_disk, None))
            else:
                safe = "".join(ch if ch.isalnum() else "_" for ch in character.name)
                found.append((os.path.join(input_dir, f"{stem}_cast_{safe}_{index + 1}.png"), ref.image))
        elif ref.filepath:
            path = os.path.abspath(bpy.path.abspath(ref.filepath))
            if not os.path.isfile(path):
                raise CastError(f"{character.name}'s reference image does not exist: {path}")
            found.append((path, None))
    return found


def read_cast(
    context: bpy.types.Context, scene: bpy.types.Scene, shot_obj: bpy.types.Object, input_dir: str, stem: str
) -> tuple[tuple[CastMember, ...], tuple[tuple[str, str], ...]]:
    """The shot's cast as plain values, and ``(path, image name)`` of the Blender images to save before
    submitting. Raises CastError.

    Also records what the camera saw on the shot (``cast_seen``) for the panel, which never samples frames.
    """
    seen = seen_characters(context, scene, shot_obj)
    noted = ", ".join(seen)
    if shot_obj.movie_director.cast_seen != noted:  # a write tags the object for an update: only on change
        shot_obj.movie_director.cast_seen = noted
    by_name = {c.name: c for c in scene.movie_director.cast}
    members, to_save = [], []
    for name, reason in shot_cast_names(scene, shot_obj, seen):
        character = by_name[name]
        paths = image_paths(character, input_dir, stem)
        to_save.extend((path, image.name) for path, image in paths if image is not None)
        members.append(CastMember(name=name, description=character.description.strip(),
                                  images=tuple(path for path, _image in paths), reason=reason))
    return tuple(members), tuple(to_save)


def as_recorded(spec: ShotSpec, sidecar: str) -> ShotSpec:
    """``spec`` with the files made per take (saved Blender images, dialogue cuts: ``plan_*`` names when only
    planned) named as the take of ``sidecar`` named them, so an unchanged shot hashes like that take."""
    try:
        record = read_sidecar(sidecar)
    except (OSError, ValueError):
        return spec
    images = {m.get("name"): m.get("images") or [] for m in record.get("cast") or () if isinstance(m, dict)}
    members = []
    for member in spec.cast:
        old = images.get(member.name) or []
        if len(old) == len(member.images):
            member = replace(member, images=tuple(
                str(o) if os.path.basename(path).startswith(PLANNED) else path
                for path, o in zip(member.images, old, strict=True)))
        members.append(member)
    cuts = [d.get("path") for d in record.get("dialogue") or () if isinstance(d, dict)]
    lines = [
        replace(line, path=str(cuts[i])) if i < len(cuts) and os.path.basename(line.path).startswith(PLANNED)
        else line
        for i, line in enumerate(spec.dialogue)
    ]
    return replace(spec, cast=tuple(members), dialogue=tuple(lines))


def save_images(to_save: Iterable[tuple[str, str]]) -> None:
    """Write the Blender images planned by :func:`read_cast`; on failure remove what was written. Raises CastError."""
    written: list[str] = []
    try:
        for path, image_name in to_save:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            compat.save_image_copy(bpy.data.images[image_name], path)
            written.append(path)
    except (RuntimeError, OSError, KeyError) as exc:
        for path in written:
            if os.path.isfile(path):
                os.remove(path)
        raise CastError(f"Could not save a reference image: {exc}") from exc
