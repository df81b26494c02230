"""The Shot panel: what the active shot asks for (look, model, quality, frames, size, seed; the prompt
sits with Generate), or a button that makes the active object a shot."""

from __future__ import annotations

import bpy

from ..runtime import selection, session
from .base import active_shot, split_row, wrapped_label
from .model_menu import catalog_rules, model_label, model_status, resolved_model


class ShotPanel:
    panel_id = "shot"
    bl_label = "Shot"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        obj = active_shot(context)
        if obj is None:
            other = selection.context_object(context)
            if other is not None:
                text = f"{other.name} is not a shot"
            elif selection.in_sequencer(context):
                text = "Click a shot's clip, or select a camera to make it a shot"
            else:
                text = "Select a camera to make it a shot"
            wrapped_label(layout, context, text, icon="INFO")
            layout.operator("movie_director.mark_shot", icon="ADD")
            return
        shot = obj.movie_director

        col = layout.column(align=True)
        col.use_property_split = False
        col.label(text="Negative Prompt")
        col.prop(shot, "negative_prompt", text="")

        col = layout.column()
        library = session.templates()
        template = library.get(shot.template) if shot.template else None
        label = template.label if template is not None else (shot.template or "None")
        split_row(col, "Template").menu("MOVIE_DIRECTOR_MT_templates", text=label, icon="PRESET")
        # Notes take the full width: the value column alone fits a few words a line at 220 px.
        if template is not None and template.description:
            note = col.column(align=True)
            note.active = False
            wrapped_label(note, context, template.description)
        elif shot.template and template is None:
            wrapped_label(col, context, f"Template not found: {shot.template}", "ERROR")

        catalog = session.catalog()
        split_row(col, "Model").menu("MOVIE_DIRECTOR_MT_models", text=model_label(catalog, shot.model_type))
        status, icon = model_status(catalog, shot.model_type, bpy.app.online_access)
        note = col.column(align=True)
        wrapped_label(note, context, status, icon)
        if not shot.model_type and catalog is not None:
            # Name what Automatic picks on this install, so the choice is never a surprise.
            picked = resolved_model(context, shot)
            known = catalog.get(picked) is not None
            text = f"Automatic picks {model_label(catalog, picked)}" + ("" if known else ", unknown to this WanGP")
            wrapped_label(note, context, text, icon="BLANK1")
        rules = catalog_rules(catalog, shot.model_type)
        if rules:  # a family with no quality tier: say where its rules come from
            wrapped_label(note, context, rules, icon="BLANK1")
        # Typed (comma separated) or picked from the installed models.
        row = split_row(col, "Fallbacks")  # "Fallback Models" is cut at 220 px
        row.prop(shot, "fallback_model_type", text="")
        row.menu("MOVIE_DIRECTOR_MT_fallback_models", text="", icon="ADD")
        col.prop(shot, "quality")

        col = layout.column(align=True)
        col.prop(shot, "frame_start", text="Frame Start")
        col.prop(shot, "frame_end", text="End")

        col = layout.column()
        col.prop(shot, "resolution")
        col.prop(shot, "seed")
        layout.operator("movie_director.unmark_shot", icon="REMOVE")
