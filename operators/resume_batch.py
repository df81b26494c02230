"""Resume the scene's batch that Blender closing (or crashing) interrupted."""

from __future__ import annotations

import bpy

from ..runtime import batch_queue, batches, generate, keys
from .batch_common import BatchOperatorMixin


class MOVIE_DIRECTOR_OT_resume_batch(BatchOperatorMixin, bpy.types.Operator):
    bl_idname = "movie_director.resume_batch"
    bl_label = "Resume Batch"
    bl_description = "Submit again the recorded jobs of the scene's interrupted batch, in their order"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        scene = context.scene
        # The record in the .blend, or shots the queue file (written after the last save) marked.
        if batch_queue.ID_PROP not in scene and not any(
            o.movie_director.is_shot and o.movie_director.error_message == batch_queue.INTERRUPTED
            for o in scene.objects
        ):
            cls.poll_message_set("The scene has no interrupted batch")
            return False
        scene_key = context.scene.movie_director.scene_key
        if scene_key and batches.active(scene_key):
            cls.poll_message_set("The scene's batch is running")
            return False
        return True

    def start_batch(self, context) -> str:
        """Recover delivered takes, then start the rest; returns the scene key ("" if nothing to do)."""
        scene = context.scene
        scene_key = keys.scene_key(scene)
        if batches.active(scene_key):
            self.report({"ERROR"}, f"A batch of {scene.name} is running: nothing to resume")
            return ""
        recovered, _orphaned, _by_name = batch_queue.recover_takes(context, scene)
        items = batch_queue.resume_items(scene)
        if not items:
            batch_queue.clear(scene)
            self.report({"INFO"}, f"Nothing to resume | Recovered {len(recovered)} Take(s)")
            return ""
        try:
            generate.start_batch(context, scene, items, 0)
        except generate.GenerateError as exc:
            self.report({"ERROR"}, str(exc))
            return ""
        self.report({"INFO"}, f"Resumed {len(items)} Shot(s) | Recovered {len(recovered)} Take(s)")
        return scene_key

