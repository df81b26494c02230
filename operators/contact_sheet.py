"""Draw the scene's contact sheet: a PNG with a row per shot (first, middle, last frame of its active take)."""

from __future__ import annotations

import os

import bpy
from bpy.props import StringProperty

from ..runtime import contact_sheet, paths, shot_index, timer


def default_path(context: bpy.types.Context) -> str:
    name = f"{paths.safe_name(context.scene.name)}_contact_sheet.png"
    return os.path.join(paths.output_root(context, context.scene), name)


class MOVIE_DIRECTOR_OT_contact_sheet(bpy.types.Operator):
    bl_idname = "movie_director.contact_sheet"
    bl_label = "Contact Sheet"
    bl_description = (
        "Draw a PNG with one row per shot: first, middle and last frame of its active take, with take, model, "
        "seed and approval"
    )
    bl_options = {"REGISTER"}

    filepath: StringProperty(name="File", subtype="FILE_PATH", description="PNG to write; empty: the output folder")

    @classmethod
    def poll(cls, context):
        if not shot_index.has_shots(context.scene):
            cls.poll_message_set("The scene has no shots: use Mark Shot on its cameras")
            return False
        if contact_sheet.busy():
            cls.poll_message_set("A contact sheet is being drawn: wait for it")
            return False
        return True

    def _start(self, context) -> str | None:
        out = os.path.abspath(bpy.path.abspath(self.filepath)) if self.filepath else default_path(context)
        if os.path.isdir(out):  # else it became "<folder>.png" beside the folder the user picked
            self.report({"ERROR"}, f"{out} is a folder: choose a file name for the contact sheet")
            return None
        if not out.lower().endswith(".png"):
            out += ".png"
        try:
            contact_sheet.start(context.scene, out, contact_sheet.python(context))
        except contact_sheet.SheetError as exc:
            self.report({"ERROR"}, str(exc))
            return None
        return out

    def invoke(self, context, event):
        out = self._start(context)
        if out is None:
            return {"CANCELLED"}
        timer.ensure_timer()  # the pump picks the sheet up when it is drawn
        self.report({"INFO"}, f"Drawing the contact sheet into {out}")
        return {"FINISHED"}

    def execute(self, context):
        out = self._start(context)
        if out is None:
            return {"CANCELLED"}
        result = contact_sheet.wait()
        if result is None or not result.ok:
            self.report({"ERROR"}, context.scene.movie_director.contact_sheet_status or "No contact sheet was made")
            return {"CANCELLED"}
        if result.message:  # clips that could not be read: their rows are blank
            self.report({"WARNING"}, result.message)
        self.report({"INFO"}, f"Contact sheet written: {out}")
        return {"FINISHED"}
