"""Post-process the active take with WanGP into a new take (upsampling, RIFE, film grain); the parent stays."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, FloatProperty, IntProperty

from ..runtime import generate, jobs, keys, paths, postprocess
from .common import active_shot, poll_active_shot, report_notices

SPATIAL_ITEMS = (
    ("", "None", "Keep the size"),
    ("lanczos1.5", "Lanczos x1.5", "WanGP's Lanczos upsampling to 1.5 times the size (no model weights)"),
    ("lanczos2", "Lanczos x2", "WanGP's Lanczos upsampling to twice the size (no model weights)"),
)
TEMPORAL_ITEMS = (
    ("", "None", "Keep the frame rate"),
    (postprocess.TO_SCENE_FPS, "To Scene Frame Rate",
     "RIFE with the smallest multiplier reaching the scene's frame rate (16 fps Wan in 24 fps: x2)"),
    ("rife2", "RIFE x2", "Twice the frames with WanGP's RIFE interpolation"),
    ("rife4", "RIFE x4", "Four times the frames with WanGP's RIFE interpolation"),
)


class MOVIE_DIRECTOR_OT_postprocess_take(bpy.types.Operator):
    bl_idname = "movie_director.postprocess_take"
    bl_label = "Post-process Take"
    bl_description = (
        "Run WanGP's post-processing on the active take (upsampling, frame interpolation, film grain) into a new "
        "take; the take itself is kept"
    )
    bl_options = {"REGISTER"}

    spatial_upsampling: EnumProperty(name="Spatial Upsampling", items=SPATIAL_ITEMS, default="",
                                     description="WanGP's spatial upsampler")
    temporal_upsampling: EnumProperty(name="Temporal Upsampling", items=TEMPORAL_ITEMS, default="",
                                      description="WanGP's temporal upsampler (RIFE)")
    film_grain_intensity: FloatProperty(name="Film Grain", min=0.0, max=1.0, default=0.0,
                                        description="Film grain intensity; 0 adds none")
    film_grain_saturation: FloatProperty(name="Grain Saturation", min=0.0, max=1.0, default=0.5,
                                         description="How coloured the grain is")
    seed: IntProperty(name="Seed", default=-1, min=-1, description="Seed of the grain; -1 picks one (recorded)")

    @classmethod
    def poll(cls, context):
        if not poll_active_shot(cls, context):
            return False
        shot = context.active_object.movie_director
        if not 0 <= shot.active_take_index < len(shot.takes):
            cls.poll_message_set("The shot has no active take to post-process: generate it first")
            return False
        return True

    def _queue(self, context) -> str | None:
        obj = active_shot(context)
        try:
            return postprocess.queue_postprocess(
                context, context.scene, obj, obj.movie_director.active_take_index, self.spatial_upsampling,
                self.temporal_upsampling, self.film_grain_intensity, self.film_grain_saturation, self.seed,
            )
        except generate.GenerateError as exc:
            self.report({"ERROR"}, str(exc))
            return None

    def invoke(self, context, event):
        return context.window_manager.invoke_props_dialog(self)

    def execute(self, context):
        obj = active_shot(context)
        name, key = obj.name, keys.shot_key(context.scene, obj)
        token = self._queue(context)
        if token is None:
            return {"CANCELLED"}
        if context.window is not None and not bpy.app.background:
            self.report({"INFO"}, f"Queued the post-processing of {name}")  # a click: the pump reports the rest
            return {"FINISHED"}
        generate.wait_for([token])
        report_notices(self)
        outcome = jobs.outcome(token)
        _scene, obj = keys.find_shot(key)
        if outcome != "done" or obj is None:
            shot = obj.movie_director if obj else None
            why = f"{shot.error_message} {shot.error_hint}".strip() if shot else outcome
            self.report({"ERROR"}, f"{name}: post-processing {outcome}: {why}")
            return {"CANCELLED"}
        shot = obj.movie_director
        take = shot.takes[shot.active_take_index]
        self.report({"INFO"}, f"{name}: {paths.take_label(take.filepath, shot.active_take_index)} post-processed: "
                              f"{take.filepath}")
        return {"FINISHED"}
