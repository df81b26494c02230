"""Stop the session and release WanGP's memory."""

from __future__ import annotations

import bpy

from ..runtime import lifecycle, session
from .common import report_notices

#: Seconds to wait for a running job to stop (WanGP cancels between denoising steps).
STOP_TIMEOUT_S = 15.0


class MOVIE_DIRECTOR_OT_stop_session(bpy.types.Operator):
    bl_idname = "movie_director.stop_session"
    bl_label = "Stop Session"
    bl_description = "Cancel every job and release the model and its memory"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        if session.get_host() is None:
            cls.poll_message_set("No session is running")
            return False
        return True

    def execute(self, context):
        lifecycle.stop(context, timeout=STOP_TIMEOUT_S)
        self.report({"INFO"}, "Session stopped")
        report_notices(self)
        return {"FINISHED"}
