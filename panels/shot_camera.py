"""The Shot > Camera sub-panel: the camera language added to the prompt, and where it comes from."""

from __future__ import annotations

import bpy

from ..properties import CAMERA_MOVE_ITEMS
from .base import ShotPanel, active_shot, wrapped_label
from .text_fit import Fit

#: Toggle buttons per row for the camera moves, at most (fewer when the names would be cut).
MOVE_COLUMNS = 3


class ShotCameraPanel(ShotPanel):
    panel_id = "shot_camera"
    parent_id = "shot"
    bl_label = "Camera Language"
    # Eighteen toggles: closed until asked for, so Generate and the shot's settings stay in reach.
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = False
        layout.use_property_decorate = False
        obj = active_shot(context)
        shot = obj.movie_director
        # The panel's title already names the choice: the three sources as buttons, no label; one
        # under the other, since side by side "From Camera" is cut at 220 px.
        layout.column(align=True).prop(shot, "camera_mode", expand=True)

        if shot.camera_mode == "MANUAL":
            columns = Fit(context).columns([label for _id, label, _wording in CAMERA_MOVE_ITEMS], MOVE_COLUMNS)
            grid = layout.grid_flow(row_major=True, columns=columns, even_columns=True, align=True)
            for move_id, _label, _wording in CAMERA_MOVE_ITEMS:
                grid.prop_enum(shot, "camera_movements", move_id)
        elif shot.camera_mode == "DERIVED":
            source = obj.name if obj.type == "CAMERA" else "the scene camera"
            wrapped_label(layout, context, f"Read from {source}'s animation and lens", icon="CAMERA_DATA")

        if shot.camera_mode != "NONE":
            box = layout.box()
            box.label(text="The prompt gets:")
            wrapped_label(box, context, shot.camera_wording or "Worded from the camera when you generate", boxes=1)
            box.operator("movie_director.describe_camera", icon="FILE_REFRESH")
