"""The Shot > Images sub-panel: the start and end frames the model is given, if any."""

from __future__ import annotations

import bpy

from ..runtime import session
from .base import ShotPanel, active_shot, wrapped_label

SOURCE_NOTES = {
    "CAMERA_FRAME": ("The shot camera is rendered at the first frame", "CAMERA_DATA"),
    "PREVIOUS_SHOT": ("The last frame of the previous shot's active take", "SEQ_SEQUENCER"),
}


class ShotImagesPanel(ShotPanel):
    panel_id = "shot_images"
    parent_id = "shot"
    bl_label = "Start and End Images"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        shot = active_shot(context).movie_director
        catalog = session.catalog()
        info = catalog.get(shot.model_type) if catalog is not None and shot.model_type else None
        for role, source_prop, file_prop, data_prop in (
            ("start", "start_image_source", "start_image", "start_image_data"),
            ("end", "end_image_source", "end_image", "end_image_data"),
        ):
            col = layout.column()
            col.prop(shot, source_prop)
            source = getattr(shot, source_prop)
            if source == "FILE":
                col.prop(shot, file_prop)
            elif source == "IMAGE":
                col.template_ID(shot, data_prop, open="image.open")
            elif source in SOURCE_NOTES:
                text, icon = SOURCE_NOTES[source]
                wrapped_label(col, context, text, icon=icon)
            if source != "NONE" and info is not None and not info.accepts_image(role):
                wrapped_label(col, context, f"{info.name} takes no {role} image", icon="ERROR")
