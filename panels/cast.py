"""The Cast panel: the scene's characters (what stands for each in the layout, its description and
reference images) and, for the active shot, who its camera saw, the shot's overrides, and whether its
model takes references (if not, which models of this install do)."""

from __future__ import annotations

import bpy

from ..runtime import cast, session
from ..wangp_backend.toolkit import cast_settings, guide_table
from .base import active_shot, wrapped_label


class MOVIE_DIRECTOR_UL_cast(bpy.types.UIList):
    bl_idname = "MOVIE_DIRECTOR_UL_cast"

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index=0):
        stands = item.collection.name if item.collection else item.target.name if item.target else "no object"
        row = layout.row(align=True)
        row.prop(item, "name", text="", emboss=False, icon="USER")
        row.label(text=f"{stands}, {len(item.images)} image(s)")


class CastPanel:
    panel_id = "cast"
    bl_label = "Cast"
    bl_options = {"DEFAULT_CLOSED"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        props = context.scene.movie_director
        row = layout.row()
        row.template_list("MOVIE_DIRECTOR_UL_cast", "", props, "cast", props, "cast_index", rows=3)
        buttons = row.column(align=True)
        buttons.operator("movie_director.add_character", text="", icon="ADD")
        buttons.operator("movie_director.remove_character", text="", icon="REMOVE")
        if 0 <= props.cast_index < len(props.cast):
            _draw_character(layout, props.cast[props.cast_index])
        obj = active_shot(context)
        if obj is not None:
            _draw_shot(layout, context, obj)


def _draw_character(layout: bpy.types.UILayout, character) -> None:
    col = layout.column()
    col.use_property_split = True
    col.use_property_decorate = False
    col.prop(character, "description")
    col.prop(character, "target")
    col.prop(character, "collection")
    col.prop(character, "voice_channel")
    for ref in character.images:
        col.prop(ref, "image" if ref.image is not None else "filepath", text="Reference")
    col.operator("movie_director.add_character_image", icon="IMAGE_REFERENCE")


def _draw_shot(layout: bpy.types.UILayout, context: bpy.types.Context, obj: bpy.types.Object) -> None:
    shot = obj.movie_director
    box = layout.box()
    box.label(text=f"In {obj.name}", icon="CAMERA_DATA")
    seen = [n.strip() for n in shot.cast_seen.split(",") if n.strip()]
    members = cast.shot_cast_names(context.scene, obj, seen)
    if members:
        for name, reason in members:
            row = box.row(align=True)
            row.label(text=f"{name} ({reason.lower()})", icon="PINNED" if reason == "PINNED" else "USER")
            for mode, icon in (("PIN", "PINNED"), ("REMOVE", "X")):
                op = row.operator("movie_director.set_cast_override", text="", icon=icon)
                op.character, op.mode = name, mode
    else:
        wrapped_label(box, context, "No character in this shot yet", icon="INFO", boxes=1)
    box.operator("movie_director.find_cast", icon="VIEWZOOM")
    box.prop(shot, "set_image")
    catalog = session.catalog()
    info = catalog.get(shot.model_type) if catalog is not None and shot.model_type else None
    if info is not None and members and guide_table.reference_family(info) is None:
        able = cast_settings.reference_models(catalog)
        text = f"{info.model_type} takes no reference images: the cast goes in the prompt only."
        if able:
            text += f" Models on this install that do: {', '.join(able)}"
        wrapped_label(box, context, text, icon="ERROR", boxes=1)
