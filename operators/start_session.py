"""Load WanGP (or the layout animatic) in the background."""

from __future__ import annotations

import bpy

from ..runtime import host_choice, lifecycle, session
from .common import report_notices


class MOVIE_DIRECTOR_OT_start_session(bpy.types.Operator):
    bl_idname = "movie_director.start_session"
    bl_label = "Start Session"
    bl_description = "Load WanGP in the background so the first Generate does not wait for it"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        if session.get_host() is not None:
            cls.poll_message_set("The session is already running")
            return False
        return True

    def execute(self, context):
        try:
            host = lifecycle.ensure_host(context)
        except host_choice.SetupError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        what = "the layout animatic (not AI)" if host.capabilities.layout_animatic else "WanGP"
        self.report({"INFO"}, f"Starting {what}")
        report_notices(self)
        return {"FINISHED"}
