"""Generate again the scene's shots that failed (in a batch or alone)."""

from __future__ import annotations

import bpy

from ..runtime import generate, shot_index
from ..wangp_backend.states import ShotStatus
from .batch_common import BatchOperatorMixin, report_batch


def failed_shots(scene: bpy.types.Scene) -> list[bpy.types.Object]:
    return [o for o in shot_index.timeline_shots(scene) if o.movie_director.generation_status == ShotStatus.FAILED]


class MOVIE_DIRECTOR_OT_retry_failed(BatchOperatorMixin, bpy.types.Operator):
    bl_idname = "movie_director.retry_failed"
    bl_label = "Retry Failed Shots"
    bl_description = "Queue the scene's failed shots again as a batch"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        if not shot_index.any_failed(context.scene):
            cls.poll_message_set("No shot of the scene failed")
            return False
        return True

    def _queue(self, context) -> generate.SceneQueue | None:
        try:
            queued = generate.queue_scene(context, context.scene, "", False, shots=failed_shots(context.scene))
        except generate.GenerateError as exc:
            self.report({"ERROR"}, str(exc))
            return None
        if not queued.order:
            self.report({"ERROR"}, "; ".join(queued.problems) or "Nothing to retry")
            return None
        report_batch(self, queued)
        return queued

    def start_batch(self, context) -> str:
        queued = self._queue(context)
        return queued.scene_key if queued is not None else ""
