"""Read the model catalog and the templates again."""

from __future__ import annotations

import bpy

from ..runtime import session
from .common import report_notices


class MOVIE_DIRECTOR_OT_refresh_models(bpy.types.Operator):
    bl_idname = "movie_director.refresh_models"
    bl_label = "Refresh Models"
    bl_description = "Read the session's model catalog (after downloading weights) and the templates again"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        if not session.ready():
            cls.poll_message_set("Start the session first")
            return False
        return True

    def execute(self, context):
        session.refresh_models()
        library = session.reload_templates(context)
        for warning in library.warnings:
            self.report({"WARNING"}, warning)
        self.report({"INFO"}, f"Refreshing models; {len(library.names())} templates")
        report_notices(self)
        return {"FINISHED"}
