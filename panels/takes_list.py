"""The list of a shot's takes. Each row is a button that shows that take on the timeline, because
picking a take must swap the strip's clip, which only the ``set_active_take`` operator does."""

from __future__ import annotations

import os

import bpy

from ..properties import MOVIE_DIRECTOR_PG_take


def take_name(take: MOVIE_DIRECTOR_PG_take, index: int) -> str:
    """The clip's file name without folder and extension: that is what the user finds on disk."""
    return os.path.splitext(os.path.basename(take.filepath))[0] or f"Take {index + 1}"


def short_time(iso: str) -> str:
    """Day and minute ("2026-11-21T20:19:33" -> "11-21 20:19"): enough to tell takes apart."""
    return iso[5:16].replace("T", " ")


class MOVIE_DIRECTOR_UL_takes(bpy.types.UIList):
    bl_idname = "MOVIE_DIRECTOR_UL_takes"

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index=0, flt_flag=0):
        active = index == data.active_take_index
        radio = "RADIOBUT_ON" if active else "RADIOBUT_OFF"
        if self.layout_type not in {"DEFAULT", "COMPACT"}:
            layout.operator("movie_director.set_active_take", text="", icon=radio, emboss=False).index = index
            return
        row = layout.row(align=True)
        row.operator(
            "movie_director.set_active_take", text=take_name(item, index), icon=radio, emboss=False
        ).index = index
        row.label(text=item.model_type)
        row.label(text=f"seed {item.seed}")
        row.label(text=short_time(item.created))
        if item.rating:
            row.label(text="*" * item.rating)
        if item.approved:
            row.label(text="", icon="LOCKED")
        if item.parent_take:
            row.label(text="", icon="MODIFIER")  # post-processed from another take
        if item.used_fallback:
            row.label(text="", icon="ERROR")
