"""What every Movie Director panel shares: the sidebar tab, the two editors it appears in, and small
drawing helpers that only format what they are given."""

from __future__ import annotations

import bpy

from ..runtime import selection
from .text_fit import Fit

CATEGORY = "Movie Director"

#: (space type, bl_idname suffix): every panel shows in the 3D View and the Sequencer sidebars.
SPACES = (("VIEW_3D", "view3d"), ("SEQUENCE_EDITOR", "sequencer"))

#: ``UILayout.progress`` is an RNA function, so ``hasattr`` on the class is False even where it exists.
HAS_PROGRESS = "progress" in bpy.types.UILayout.bl_rna.functions

#: Share of the width ``use_property_split`` gives to labels; hand-made rows line up with it.
SPLIT_FACTOR = 0.4


def panel_classes(*mixins: type) -> tuple[type[bpy.types.Panel], ...]:
    """One ``Panel`` subclass per mixin and editor, parents before children.

    A mixin sets ``panel_id`` ("shot") and optionally ``parent_id``; the class becomes
    ``MOVIE_DIRECTOR_PT_shot_view3d`` and ``MOVIE_DIRECTOR_PT_shot_sequencer``.
    """
    classes = []
    for space, suffix in SPACES:
        for mixin in mixins:
            idname = f"MOVIE_DIRECTOR_PT_{mixin.panel_id}_{suffix}"
            attrs = {
                "bl_idname": idname,
                "bl_space_type": space,
                "bl_region_type": "UI",
                "bl_category": CATEGORY,
            }
            parent = getattr(mixin, "parent_id", "")
            if parent:
                attrs["bl_parent_id"] = f"MOVIE_DIRECTOR_PT_{parent}_{suffix}"
            classes.append(type(idname, (mixin, bpy.types.Panel), attrs))
    return tuple(classes)


def active_shot(context: bpy.types.Context) -> bpy.types.Object | None:
    """The shot the panels show and the operators act on: in the Sequencer the active strip's shot,
    else the active object (when it is a shot)."""
    return selection.context_shot(context)


class ShotPanel:
    """A panel about the active shot: shown only when there is one."""

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return active_shot(context) is not None


def split_row(layout: bpy.types.UILayout, label: str = "") -> bpy.types.UILayout:
    """A row laid out like a property under ``use_property_split``: ``label`` on the left, the row returned."""
    split = layout.split(factor=SPLIT_FACTOR, align=True)
    left = split.row()
    left.alignment = "RIGHT"
    left.label(text=label)
    return split.row(align=True)


def wrapped_label(
    layout: bpy.types.UILayout,
    context: bpy.types.Context,
    text: str,
    icon: str = "NONE",
    share: float = 1.0,
    boxes: int = 0,
) -> None:
    """A long text as several labels, wrapped at the sidebar's real width: Blender cuts a label that
    does not fit instead of wrapping it. ``share`` is the part of the panel's width the labels get
    (``1 - SPLIT_FACTOR`` beside a property label), ``boxes`` how many boxes they sit in."""
    lines = Fit(context).lines(text, share, boxes, icon != "NONE")
    col = layout.column(align=True)
    col.label(text=lines[0], icon=icon)
    for line in lines[1:]:
        col.label(text=line, icon="BLANK1" if icon != "NONE" else "NONE")


def draw_progress(layout: bpy.types.UILayout, factor: float, text: str) -> None:
    """A progress bar, or a label with the percentage on builds without ``UILayout.progress``."""
    factor = min(1.0, max(0.0, factor))
    if HAS_PROGRESS:
        layout.progress(factor=factor, text=text)
    else:
        layout.label(text=f"{text} ({factor:.0%})", icon="TIME")
