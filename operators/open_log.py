"""Show the "Movie Director Log" text: what WanGP printed and every step the add-on took."""

from __future__ import annotations

import bpy

from ..runtime import log

#: Lines reported when Blender has no interface to show the text in.
REPORTED_LINES = 12


class MOVIE_DIRECTOR_OT_open_log(bpy.types.Operator):
    bl_idname = "movie_director.open_log"
    bl_label = "Open Log"
    bl_description = "Show the Movie Director Log text (WanGP's output and the add-on's steps) in a Text Editor window"
    bl_options = {"REGISTER"}

    def execute(self, context):
        text = bpy.data.texts.get(log.TEXT_NAME)
        if text is None or not any(line.body for line in text.lines):
            self.report({"INFO"}, "The log is empty: nothing was generated in this file yet")
            return {"CANCELLED"}
        if bpy.app.background or context.window is None:
            # No interface (a script, the tests): the last lines go to the report instead.
            for line in [line.body for line in text.lines if line.body][-REPORTED_LINES:]:
                self.report({"INFO"}, line)
            return {"FINISHED"}
        windows = set(context.window_manager.windows)
        bpy.ops.wm.window_new()
        new = [w for w in context.window_manager.windows if w not in windows]
        if not new:
            self.report({"ERROR"}, "Blender did not open a window: read the log in the Text Editor")
            return {"CANCELLED"}
        area = new[0].screen.areas[0]
        area.type = "TEXT_EDITOR"
        space = area.spaces.active
        space.text = text
        space.show_word_wrap = True
        space.top = max(0, len(text.lines) - 40)  # the newest lines, where the failure is
        return {"FINISHED"}
