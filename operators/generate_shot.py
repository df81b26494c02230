"""Generate the active shot."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty

from ..properties import QUALITY_ITEMS
from ..runtime import generate, jobs, keys
from .common import active_shot, poll_active_shot, report_notices


class MOVIE_DIRECTOR_OT_generate_shot(bpy.types.Operator):
    bl_idname = "movie_director.generate_shot"
    bl_label = "Generate Shot"
    bl_description = "Queue a new take of the active shot (starts the session when needed)"
    bl_options = {"REGISTER"}

    quality: EnumProperty(
        name="Quality", items=QUALITY_ITEMS, default="STANDARD",
        description="Quality tier of this take; unset uses the shot's own",
    )

    @classmethod
    def poll(cls, context):
        return poll_active_shot(cls, context)

    def _queue(self, context) -> str | None:
        obj = active_shot(context)
        quality = self.quality if self.properties.is_property_set("quality") else obj.movie_director.quality
        keys.ensure_unique_shot_ids(context.scene)  # a duplicated camera carries its original's shot id
        try:
            return generate.queue_shot(context, context.scene, obj, quality)
        except generate.GenerateError as exc:
            self.report({"ERROR"}, str(exc))
            return None

    def invoke(self, context, event):
        token = self._queue(context)
        if token is None:
            return {"CANCELLED"}
        self.report({"INFO"}, f"Queued {context.active_object.name}")
        report_notices(self)
        return {"FINISHED"}

    def execute(self, context):
        name = context.active_object.name
        keys.ensure_unique_shot_ids(context.scene)  # before the key is read: it names the shot's id
        key = keys.shot_key(context.scene, context.active_object)
        token = self._queue(context)
        if token is None:
            return {"CANCELLED"}
        generate.wait_for([token])
        report_notices(self)
        outcome = jobs.outcome(token)
        _scene, obj = keys.find_shot(key)
        if outcome == "failed":
            shot = obj.movie_director if obj else None
            message = f"{shot.error_message} {shot.error_hint}".strip() if shot else "the job failed"
            self.report({"ERROR"}, f"{name} failed: {message}")
            return {"CANCELLED"}
        if outcome == "cancelled":
            self.report({"WARNING"}, f"{name} was cancelled")
            return {"CANCELLED"}
        if obj is not None and obj.movie_director.takes:
            take = obj.movie_director.takes[obj.movie_director.active_take_index]
            self.report({"INFO"}, f"{name}: take {obj.movie_director.active_take_index + 1} ready: {take.filepath}")
        return {"FINISHED"}
