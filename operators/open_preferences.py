"""Open the add-on's preferences (the fix for a session that cannot start)."""

from __future__ import annotations

import bpy

from ..runtime.paths import ADDON_PACKAGE


class MOVIE_DIRECTOR_OT_open_preferences(bpy.types.Operator):
    bl_idname = "movie_director.open_preferences"
    bl_label = "Open Preferences"
    bl_description = "Open Movie Director's preferences to set the WanGP folder and its packages"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        if context.window is None or not bpy.ops.screen.userpref_show.poll():
            cls.poll_message_set("Blender has no window to show the preferences in (it runs without an interface)")
            return False
        return True

    def execute(self, context):
        if context.preferences.addons.get(ADDON_PACKAGE) is None:
            self.report({"ERROR"}, "Movie Director was loaded without an add-on entry: it has no preferences")
            return {"CANCELLED"}
        bpy.ops.preferences.addon_show(module=ADDON_PACKAGE)
        return {"FINISHED"}
