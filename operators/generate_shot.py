"""Generate the active shot."""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty

from ..properties import QUALITY_ITEMS
from ..runtime import generate, jobs, keys, paths, review
from ..runtime.wait_report import WaitReport
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
    variations: IntProperty(
        name="Variations", default=1, min=1, soft_max=8, max=32,
        description="Takes to queue in one click, each with its own seed (the model loads once for all)",
    )
    wait: BoolProperty(
        name="Wait", default=True, options={"SKIP_SAVE"},
        description="From a script: wait for the take (off: queue and return at once, the script calls pump())",
    )

    @classmethod
    def poll(cls, context):
        if not poll_active_shot(cls, context):
            return False
        obj = active_shot(context)
        if not obj.movie_director.prompt.strip():
            cls.poll_message_set(f"{obj.name} has no prompt: write what happens in the shot first")
            return False
        return True

    def _queue(self, context) -> list[str] | None:
        obj = active_shot(context)
        if review.locked(obj):
            self.report({"ERROR"}, review.lock_reason(obj))
            return None
        quality = self.quality if self.properties.is_property_set("quality") else obj.movie_director.quality
        keys.ensure_unique_shot_ids(context.scene)  # a duplicated camera carries its original's shot id
        try:
            if self.variations > 1:
                return generate.queue_variations(context, context.scene, obj, quality, self.variations)
            return [generate.queue_shot(context, context.scene, obj, quality)]
        except generate.GenerateError as exc:
            self.report({"ERROR"}, str(exc))
            return None

    def invoke(self, context, event):
        return self._queue_and_return(context)

    def _queue_and_return(self, context):
        tokens = self._queue(context)
        if tokens is None:
            return {"CANCELLED"}
        what = f"{len(tokens)} takes of " if len(tokens) > 1 else ""
        self.report({"INFO"}, f"Queued {what}{active_shot(context).name}")
        report_notices(self)
        return {"FINISHED"}

    def execute(self, context):
        if not self.wait:
            return self._queue_and_return(context)
        obj = active_shot(context)
        name = obj.name
        keys.ensure_unique_shot_ids(context.scene)  # before the key is read: it names the shot's id
        key = keys.shot_key(context.scene, obj)
        tokens = self._queue(context)
        if tokens is None:
            return {"CANCELLED"}
        generate.wait_for(tokens, report=WaitReport(lambda: [key]))
        report_notices(self)
        outcomes = [jobs.outcome(token) for token in tokens]
        outcome = next((o for o in ("failed", "cancelled") if o in outcomes), outcomes[-1])
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
            index = obj.movie_director.active_take_index
            take = obj.movie_director.takes[index]
            self.report({"INFO"}, f"{name}: {paths.take_label(take.filepath, index)} ready: {take.filepath}")
        return {"FINISHED"}
