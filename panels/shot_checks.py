"""What would stop or spoil the active shot, said before the click (Generate's own checks run again
on the click; these only read what the panel already has: the shot, the scene, the cached catalog).
"""

from __future__ import annotations

import bpy

from ..runtime import session
from .model_menu import resolved_model


def shot_seconds(scene: bpy.types.Scene, shot) -> float:
    fps = scene.render.fps / (scene.render.fps_base or 1.0)
    return (shot.frame_end - shot.frame_start + 1) / fps


def window_seconds(context: bpy.types.Context, shot) -> tuple[str, float] | None:
    """(model name, longest clip it makes in one window in seconds) for the model the shot will run,
    or None while the catalog does not know that model."""
    catalog = session.catalog()
    info = catalog.get(resolved_model(context, shot)) if catalog is not None else None
    if info is None or info.fps <= 0:
        return None
    return info.name or info.model_type, info.frames_maximum / info.fps


def length_problem(context: bpy.types.Context, scene: bpy.types.Scene, shot) -> str:
    """A sentence when the shot is longer than its model makes in one window ("" when it fits)."""
    window = window_seconds(context, shot)
    seconds = shot_seconds(scene, shot)
    if window is None or seconds <= window[1] + 1e-6:
        return ""
    return f"The shot lasts {seconds:.1f} s; {window[0]} makes {window[1]:.1f} s at most in one window"


def shot_problems(context: bpy.types.Context, obj: bpy.types.Object) -> list[tuple[str, str]]:
    """(sentence, icon) for each problem of the shot, most blocking first."""
    shot = obj.movie_director
    problems = []
    if not shot.prompt.strip():
        problems.append(("Write the prompt: what happens in the shot", "ERROR"))
    if shot.frame_end < shot.frame_start:
        problems.append(("The shot ends before it starts: fix its frames", "ERROR"))
    length = length_problem(context, context.scene, shot)
    if length:
        problems.append((length, "ERROR"))
    catalog = session.catalog()
    info = catalog.get(resolved_model(context, shot)) if catalog is not None else None
    if info is not None and info.availability in ("missing", "partial") and not bpy.app.online_access:
        problems.append((f"{info.name or info.model_type} is not downloaded and online access is off", "ERROR"))
    view = session.view()
    if view.state == "failed":
        problems.append((f"WanGP could not start: {view.message or 'see the Session panel'}", "ERROR"))
    return problems
