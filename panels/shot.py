"""The Shot panel: what the active shot asks for (prompt, look, model, quality, frames, size, seed),
or a button that makes the active object a shot."""

from __future__ import annotations

import bpy

from ..runtime import session
from .base import active_shot, split_row, wrapped_label
from .model_menu import model_label, model_status


class ShotPanel:
    panel_id = "shot"
    bl_label = "Shot"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        obj = active_shot(context)
        if obj is None:
            active = context.active_object
            text = f"{active.name} is not a shot" if active is not None else "Select a camera to make it a shot"
            layout.label(text=text, icon="INFO")
            layout.operator("movie_director.mark_shot", icon="ADD")
            return
        shot = obj.movie_director

        # Prompts are long: give them the full width, with their labels above.
        col = layout.column(align=True)
        col.use_property_split = False
        col.label(text="Prompt")
        col.prop(shot, "prompt", text="")
        col.label(text="Negative Prompt")
        col.prop(shot, "negative_prompt", text="")

        col = layout.column()
        library = session.templates()
        template = library.get(shot.template) if shot.template else None
        label = template.label if template is not None else (shot.template or "None")
        split_row(col, "Template").menu("MOVIE_DIRECTOR_MT_templates", text=label, icon="PRESET")
        if template is not None and template.description:
            note = split_row(col).column()
            note.active = False
            wrapped_label(note, template.description)
        elif shot.template and template is None:
            split_row(col).label(text=f"Template not found: {shot.template}", icon="ERROR")

        catalog = session.catalog()
        split_row(col, "Model").menu("MOVIE_DIRECTOR_MT_models", text=model_label(catalog, shot.model_type))
        status, icon = model_status(catalog, shot.model_type)
        split_row(col).label(text=status, icon=icon)
        col.prop(shot, "fallback_model_type")
        col.prop(shot, "quality")

        col = layout.column(align=True)
        col.prop(shot, "frame_start", text="Frame Start")
        col.prop(shot, "frame_end", text="End")

        col = layout.column()
        col.prop(shot, "resolution")
        col.prop(shot, "seed")
