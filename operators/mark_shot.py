"""Make the active object a shot."""

from __future__ import annotations

import math

import bpy

from ..runtime import keys, selection, session, shot_state
from .common import report_notices

#: One window of Wan (81 frames at 16 fps), the length of a new shot with nothing to go by when the
#: session has not said what the default model makes.
DEFAULT_WINDOW_S = 81 / 16


def marker_range(scene: bpy.types.Scene, obj: bpy.types.Object) -> tuple[int, int] | None:
    """The frames the camera is bound to by timeline markers: from its first marker to the next camera switch."""
    bound = sorted(m.frame for m in scene.timeline_markers if m.camera == obj)
    if not bound:
        return None
    start = bound[0]
    switches = sorted(m.frame for m in scene.timeline_markers if m.camera is not None and m.frame > start)
    end = switches[0] - 1 if switches else scene.frame_end
    return start, max(start, end)


def animated_range(obj: bpy.types.Object) -> tuple[int, int] | None:
    """The frames over which the object (or its camera data: the lens) is keyed, when it moves at all."""
    ranges = []
    for owner in (obj, getattr(obj, "data", None)):
        anim = getattr(owner, "animation_data", None) if owner is not None else None
        action = anim.action if anim is not None else None
        if action is not None:
            start, end = action.frame_range
            if end > start:
                ranges.append((math.floor(start), math.ceil(end)))
    if not ranges:
        return None
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def window_range(scene: bpy.types.Scene, window_s: float) -> tuple[int, int]:
    """From the scene's start, as long as one model window (or the scene, when shorter)."""
    fps = scene.render.fps / (scene.render.fps_base or 1.0)
    end = scene.frame_start + max(1, math.ceil(window_s * fps)) - 1
    return scene.frame_start, min(scene.frame_end, end)


def default_window_s(model_type: str) -> float:
    catalog = session.catalog()
    info = catalog.get(model_type) if catalog is not None and model_type else None
    return info.frames_maximum / info.fps if info is not None and info.fps > 0 else DEFAULT_WINDOW_S


def shot_range(scene: bpy.types.Scene, obj: bpy.types.Object, model_type: str) -> tuple[tuple[int, int], str]:
    """The new shot's frames and where they come from: the markers bound to the camera, else the
    camera's own animation, else one model window from the scene's start (never the whole scene:
    a 2,400-frame scene would make every camera a 100-second shot no model makes in one go)."""
    frames = marker_range(scene, obj)
    if frames is not None:
        return frames, "its markers"
    frames = animated_range(obj)
    if frames is not None:
        return frames, "its animation"
    return window_range(scene, default_window_s(model_type)), "one model window"


class MOVIE_DIRECTOR_OT_mark_shot(bpy.types.Operator):
    bl_idname = "movie_director.mark_shot"
    bl_label = "Mark Shot"
    bl_description = (
        "Make the active object (usually a camera) a shot over the frames its markers or its animation give it"
    )
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        obj = selection.context_object(context)
        if obj is None:
            cls.poll_message_set("Select the camera (or object) to make a shot")
            return False
        if obj.movie_director.is_shot:
            cls.poll_message_set(f"{obj.name} is already a shot")
            return False
        return True

    def execute(self, context):
        scene = context.scene
        obj = selection.context_object(context)
        defaults = scene.movie_director
        shot = obj.movie_director
        shot.is_shot = True
        shot.shot_id = keys.new_id()
        keys.ensure_unique_shot_ids(scene)
        (shot.frame_start, shot.frame_end), source = shot_range(scene, obj, defaults.default_model_type)
        shot.model_type = defaults.default_model_type
        shot.quality = defaults.default_quality
        shot.template = defaults.default_template
        shot.resolution = defaults.default_resolution
        shot_state.marked(shot)
        keys.scene_key(scene)
        where = "" if obj.type == "CAMERA" else "; it is filmed through the scene camera"
        self.report({"INFO"}, f"{obj.name} is a shot, frames {shot.frame_start}-{shot.frame_end} from {source}{where}")
        report_notices(self)
        return {"FINISHED"}
