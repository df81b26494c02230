"""Attach the clips on disk that the scene's shots lack (finished while Blender was closed or crashed)."""

from __future__ import annotations

import bpy

from ..runtime import batch_queue, shot_index, timeline


class MOVIE_DIRECTOR_OT_recover_takes(bpy.types.Operator):
    bl_idname = "movie_director.recover_takes"
    bl_label = "Recover Takes"
    bl_description = (
        "Scan the output folder and add the takes its sidecars name to their shots, by shot or by name "
        "for a scene made again (never twice)"
    )
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if not shot_index.has_shots(context.scene):
            cls.poll_message_set("The scene has no shots")
            return False
        return True

    def execute(self, context):
        recovered, orphaned, by_name = batch_queue.recover_takes(context, context.scene)
        for line in orphaned:
            self.report({"WARNING"}, f"Take of a deleted shot, left on disk: {line}")
        timeline.finish_all()  # the recovered takes on the timeline (a click: all of them now)
        if by_name:
            self.report({"INFO"}, f"Matched by shot name (the scene was made again): {', '.join(by_name)}")
        self.report({"INFO"}, f"Recovered {len(recovered)} Take(s) | {len(orphaned)} of Deleted Shots")
        return {"FINISHED"}
