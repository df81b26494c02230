"""The Takes panel: every clip made for the active shot, which one is on the timeline, its settings."""

from __future__ import annotations

import bpy

from .base import ShotPanel, active_shot, wrapped_label

#: Rows the list shows before it scrolls.
LIST_ROWS = 4


class TakesPanel(ShotPanel):
    panel_id = "takes"
    bl_label = "Takes"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        shot = active_shot(context).movie_director
        if not len(shot.takes):
            layout.label(text="No takes yet", icon="INFO")
        else:
            layout.template_list(
                # The list's own selection is display only: a row's button (set_active_take) swaps the clip.
                "MOVIE_DIRECTOR_UL_takes", "", shot, "takes", shot, "take_list_index", rows=LIST_ROWS
            )
            index = shot.active_take_index
            if 0 <= index < len(shot.takes):
                take = shot.takes[index]
                col = layout.column(align=True)
                col.active = False
                col.label(text=f"{take.model_type}, seed {take.seed}")
                col.label(
                    text=f"{take.frame_count} frames at {take.fps:g} fps" + (", with sound" if take.has_audio else "")
                )
                if take.used_fallback:
                    wrapped_label(col, f"Fallback: {take.primary_error or 'the primary model failed'}", icon="ERROR")
        layout.operator("movie_director.export_settings", icon="EXPORT")
