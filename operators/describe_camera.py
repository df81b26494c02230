"""Update the camera wording the active shot's prompt will get."""

from __future__ import annotations

import bpy

from ..runtime import camera_samples
from ..wangp_backend.toolkit import describe_camera_samples, describe_manual_moves
from .common import active_shot, poll_active_shot


def camera_wording(context: bpy.types.Context, scene: bpy.types.Scene, obj: bpy.types.Object) -> str:
    shot = obj.movie_director
    if shot.camera_mode == "MANUAL":
        return describe_manual_moves(sorted(shot.camera_movements))
    if shot.camera_mode == "DERIVED":
        camera = camera_samples.shot_camera(scene, obj)
        if camera is None:
            return ""
        return describe_camera_samples(
            camera_samples.sample_camera(context, scene, camera, shot.frame_start, shot.frame_end)
        )
    return ""


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
