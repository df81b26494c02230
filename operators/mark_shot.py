"""Make the active object a shot."""

from __future__ import annotations

import bpy

from ..runtime import keys
from .common import report_notices


def marker_range(scene: bpy.types.Scene, obj: bpy.types.Object) -> tuple[int, int] | None:
    """The frames the camera is bound to by timeline markers: from its first marker to the next camera switch."""
    bound = sorted(m.frame for m in scene.timeline_markers if m.camera == obj)
    if not bound:
        return None
    start = bound[0]
    switches = sorted(m.frame for m in scene.timeline_markers if m.camera is not None and m.frame > start)
    end = switches[0] - 1 if switches else scene.frame_end
    return start, max(start, end)


class MOVIE_DIRECTOR_OT_mark_shot(bpy.types.Operator):
    bl_idname = "movie_director.mark_shot"
    bl_label = "Mark Shot"
    bl_description = "Make the active object (usually a camera) a shot, with the frames its markers give it"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        obj = context.active_object
        if obj is None:
            cls.poll_message_set("Select the camera (or object) to make a shot")
            return False
        if obj.movie_director.is_shot:
            cls.poll_message_set(f"{obj.name} is already a shot")
            return False
        return True

    def execute(self, context):
        scene = context.scene
        obj = context.active_object
        defaults = scene.movie_director
        shot = obj.movie_director
        shot.is_shot = True
        shot.shot_id = keys.new_id()
        keys.ensure_unique_shot_ids(scene)
        shot.frame_start, shot.frame_end = marker_range(scene, obj) or (scene.frame_start, scene.frame_end)
        shot.model_type = defaults.default_model_type
        shot.quality = defaults.default_quality
        shot.template = defaults.default_template
        shot.resolution = defaults.default_resolution
        shot.generation_status = "idle"
        keys.scene_key(scene)
        if obj.type != "CAMERA":
            self.report({"INFO"}, f"{obj.name} is a shot; it is filmed through the scene camera")
        report_notices(self)
        return {"FINISHED"}
