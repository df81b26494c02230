"""Export the scene's cut to an editor: OpenTimelineIO, CMX 3600 EDL or Final Cut Pro 7 XML."""

from __future__ import annotations

import os

import bpy
from bpy.props import EnumProperty, StringProperty

from ..runtime import cut_reader

FORMAT_ITEMS = (
    ("OTIO", "OpenTimelineIO", "OpenTimelineIO's own JSON (.otio): every track, clip and the takes' metadata"),
    ("EDL", "EDL (CMX 3600)", "One picture track as it plays (.edl), for any editor"),
    ("FCP_XML", "Final Cut Pro XML", "Final Cut Pro 7 XML (.xml), for Premiere, Resolve and Avid"),
)
EXTENSIONS = {"OTIO": ".otio", "EDL": ".edl", "FCP_XML": ".xml"}


class MOVIE_DIRECTOR_OT_export_cut(bpy.types.Operator):
    bl_idname = "movie_director.export_cut"
    bl_label = "Export Cut"
    bl_description = "Write what the scene's sequencer shows to a file an editor opens (OTIO, EDL or FCP XML)"
    bl_options = {"REGISTER"}

    filepath: StringProperty(name="File", subtype="FILE_PATH", description="Where to write the cut")
    format: EnumProperty(name="Format", items=FORMAT_ITEMS, default="OTIO", description="File format of the cut")

    @classmethod
    def poll(cls, context):
        if context.scene is None:
            cls.poll_message_set("No scene to export")
            return False
        return True

    def invoke(self, context, event):
        if not self.filepath:
            stem = os.path.splitext(bpy.path.abspath(bpy.data.filepath))[0] if bpy.data.filepath else "cut"
            self.filepath = f"{stem}_{bpy.path.clean_name(context.scene.name)}{EXTENSIONS[self.format]}"
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        if not self.filepath:
            self.report({"ERROR"}, "Choose a file to export the cut to")
            return {"CANCELLED"}
        path = os.path.abspath(bpy.path.abspath(self.filepath))
        if os.path.isdir(path):
            self.report({"ERROR"}, f"{path} is a folder: choose a file name for the cut")
            return {"CANCELLED"}
        try:
            from ..editorial import otio_export  # bundled wheel; missing only on a platform without one
        except ImportError as exc:
            self.report({"ERROR"}, f"OpenTimelineIO is not installed with this extension ({exc}): "
                                   "reinstall the extension package built for this platform")
            return {"CANCELLED"}
        cut = cut_reader.read_cut(context.scene)
        if not cut.clips and not cut.gaps:
            self.report({"ERROR"}, f"{context.scene.name}'s sequencer shows nothing between frames "
                                   f"{cut.start} and {cut.start + cut.duration - 1}: nothing to export")
            return {"CANCELLED"}
        try:
            otio_export.write(cut, path, self.format)
        except Exception as exc:  # the boundary: OpenTimelineIO's adapters raise their own kinds
            self.report({"ERROR"}, f"The cut could not be written as {self.format} to {path}: {exc}")
            return {"CANCELLED"}
        for line in cut.left_out:
            self.report({"WARNING"}, f"Not exported: {line}")
        self.report({"INFO"}, f"Exported {len(cut.clips)} clips and {len(cut.gaps)} marked gaps to {path}")
        return {"FINISHED"}
