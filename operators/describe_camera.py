"""Update the camera wording the active shot's prompt will get."""

from __future__ import annotations

import bpy

from ..runtime import camera_samples, session, snapshot
from ..wangp_backend.toolkit import build_settings
from .common import active_shot, poll_active_shot


def camera_wording(context: bpy.types.Context, scene: bpy.types.Scene, obj: bpy.types.Object) -> str:
    """Exactly the wording the prompt gets: built the way Generate builds it (scene fps, picture aspect)."""
    spec = snapshot.read_spec(context, scene, obj, obj.movie_director.quality)
    return build_settings(spec, session.catalog(), session.templates(), session.vram_gb(context)).camera_wording


class MOVIE_DIRECTOR_OT_describe_camera(bpy.types.Operator):
    bl_idname = "movie_director.describe_camera"
    bl_label = "Describe Camera"
    bl_description = "Update the camera language the prompt gets, from the chosen moves or the camera's animation"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        return poll_active_shot(cls, context)

    def execute(self, context):
        obj = active_shot(context)
        shot = obj.movie_director
        if shot.camera_mode == "DERIVED" and camera_samples.shot_camera(context.scene, obj) is None:
            self.report({"ERROR"}, f"{obj.name} is not a camera and the scene has no camera to describe")
            return {"CANCELLED"}
        shot.camera_wording = camera_wording(context, context.scene, obj)
        self.report({"INFO"}, shot.camera_wording or "No camera wording")
        return {"FINISHED"}
