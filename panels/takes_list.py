"""The list of a shot's takes: take number and age per row, the row of the take on the timeline
marked. Selecting a row is choosing the take (``take_list_index``'s update swaps the clip)."""

from __future__ import annotations

import datetime
import os

import bpy

from ..properties import MOVIE_DIRECTOR_PG_take
from ..runtime import paths
from .text_fit import ICON_WIDTH, TEXT_INSET, Fit, text_width

#: What a list takes from a row's width: its margins and the scroll/resize column.
LIST_CHROME = 24


def take_name(take: MOVIE_DIRECTOR_PG_take, index: int) -> str:
    """The clip's file name without folder and extension: that is what the user finds on disk."""
    return os.path.splitext(os.path.basename(take.filepath))[0] or f"Take {index + 1}"


def local_time(iso: str) -> datetime.datetime | None:
    """The stamp as local wall-clock time. A take made here is stamped in local time without an offset; one
    recovered from the queue file carries the host's UTC stamp (``timestamps.now_iso``), shown here in local time."""
    try:
        stamp = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return None
    return stamp.astimezone().replace(tzinfo=None) if stamp.tzinfo else stamp


def short_time(iso: str) -> str:
    """Day and minute ("2026-11-21T20:19:33" -> "11-21 20:19"): enough to tell takes apart."""
    stamp = local_time(iso)
    return stamp.strftime("%m-%d %H:%M") if stamp else iso[5:16].replace("T", " ")


def age_text(iso: str, now: datetime.datetime | None = None) -> str:
    """How long ago the take finished ("5 min ago"), or its day and minute when older than a week."""
    created = local_time(iso)
    if created is None:
        return ""
    seconds = ((now or datetime.datetime.now()) - created).total_seconds()
    if seconds < 0 or seconds >= 7 * 86400:
        return short_time(iso)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days > 1 else ''} ago"


class MOVIE_DIRECTOR_UL_takes(bpy.types.UIList):
    bl_idname = "MOVIE_DIRECTOR_UL_takes"

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index=0, flt_flag=0):
        active = index == data.active_take_index
        radio = "RADIOBUT_ON" if active else "RADIOBUT_OFF"
        if self.layout_type not in {"DEFAULT", "COMPACT"}:
            layout.operator("movie_director.set_active_take", text="", icon=radio, emboss=False).index = index
            return
        marks = [mark for mark, shown in (("LOCKED", item.approved), ("MODIFIER", bool(item.parent_take)),
                                          ("ERROR", item.used_fallback)) if shown]
        row = layout.row(align=True)
        row.operator("movie_director.set_active_take", text=f"Take {paths.number_of(item.filepath, index)}", icon=radio,
                     emboss=False).index = index
        # The rating's stars join the age when the row has room for both (a 220 px sidebar has not;
        # the active take's rating is under the list anyway).
        when = age_text(item.created)
        rated = f"{when}  {'*' * item.rating}" if item.rating else when
        fit = Fit(context)
        room = (fit.width - LIST_CHROME - ICON_WIDTH * len(marks)) / 2 - TEXT_INSET
        row.label(text=rated if text_width(rated, fit.points) <= room else when)
        for mark in marks:  # approved (locked), post-processed from another take, made by a fallback
            row.label(text="", icon=mark)
