"""The model picker of the Shot panel: the live catalog, grouped by family, with availability marks.

Entries write ``model_type`` of the active shot through Blender's own ``wm.context_set_string`` (undoable),
so picking a model needs no operator of ours; typing in the open menu searches it.
"""

from __future__ import annotations

import bpy

from ..operators.choose_available_model import needed_image
from ..runtime import selection, session
from ..wangp_backend.catalog import ModelCatalog, ModelInfo
from ..wangp_backend.toolkit import choose_model, tiers
from ..wangp_backend.toolkit.builder import catalog_note

AVAILABILITY_ICONS = {"available": "CHECKMARK", "partial": "IMPORT", "missing": "IMPORT"}

#: Entries per menu column, so 150 models stay on screen.
ROWS_PER_COLUMN = 36

#: Where the entries write when no shot is in context (the menu names the shot it was opened for).
MODEL_PATH = "active_object.movie_director.model_type"

# ``SEARCH_ON_KEY_PRESS`` is missing from older builds' enum; asking for it there fails registration.
_MENU_OPTIONS = {"SEARCH_ON_KEY_PRESS"} & set(bpy.types.Menu.bl_rna.properties["bl_options"].enum_items.keys())


def model_path(obj: bpy.types.Object | None, prop: str = "model_type") -> str:
    """The data path ``wm.context_set_string`` writes: the shot the sidebar shows (in the Sequencer
    the clicked clip's shot, which need not be the active object)."""
    if obj is None:
        return MODEL_PATH.replace("model_type", prop)
    return f'scene.objects["{bpy.utils.escape_identifier(obj.name)}"].movie_director.{prop}'


def fallback_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def model_status(catalog: ModelCatalog | None, model_type: str, online: bool = True) -> tuple[str, str]:
    """(text, icon) saying whether ``model_type`` can run on this install; "" is the tier's choice.

    ``online`` is Blender's *Allow Online Access*: without it WanGP runs offline and cannot download.
    """
    if not model_type:
        return "Automatic: chosen by the quality tier", "AUTO"
    if catalog is None:
        return "Checked when the session starts", "QUESTION"
    info = catalog.get(model_type)
    if info is None:
        return f"Unknown model: {model_type}", "ERROR"
    if info.availability == "available":
        return "Downloaded", "CHECKMARK"
    if info.availability in ("missing", "partial"):
        if not online:
            return "Not downloaded, and online access is off", "ERROR"
        return "Not downloaded: WanGP downloads it on first use", "IMPORT"
    return "Availability unknown", "QUESTION"


def resolved_model(context: bpy.types.Context, shot) -> str:
    """The model the shot will run: its own, or the one Automatic picks on this install now."""
    if shot.model_type:
        return shot.model_type
    model_type, _fallbacks = choose_model(session.catalog(), shot.quality, "", session.vram_gb(context),
                                          needed_image(shot))
    return model_type


def catalog_rules(catalog: ModelCatalog | None, model_type: str) -> str:
    """For a model whose family has no quality tier: the catalog's rules it runs with ("" otherwise)."""
    info = catalog.get(model_type) if catalog is not None and model_type else None
    if info is None or tiers.family_of(info.model_type, catalog):
        return ""
    return catalog_note(info)


def model_label(catalog: ModelCatalog | None, model_type: str) -> str:
    """The model's display name for the picker button."""
    if not model_type:
        return "Automatic"
    info = catalog.get(model_type) if catalog is not None else None
    return info.name if info is not None else model_type


def _family(info: ModelInfo) -> str:
    return info.family_label or info.family or "Other"


class MOVIE_DIRECTOR_MT_models(bpy.types.Menu):
    bl_idname = "MOVIE_DIRECTOR_MT_models"
    bl_label = "Model"
    bl_description = "WanGP model of the shot; Automatic lets the quality tier choose"
    bl_options = _MENU_OPTIONS

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        path = model_path(selection.context_shot(context))
        op = layout.operator("wm.context_set_string", text="Automatic (by quality tier)", icon="AUTO")
        op.data_path, op.value = path, ""
        catalog = session.catalog()
        if catalog is None or not len(catalog):
            layout.label(text="Start the session to list the models", icon="INFO")
            return
        models = sorted(catalog, key=lambda m: (_family(m), m.name))
        flow = layout.column_flow(columns=1 + len(models) // ROWS_PER_COLUMN)
        family = None
        for info in models:
            if _family(info) != family:
                family = _family(info)
                flow.separator()
                flow.label(text=family)
            op = flow.operator(
                "wm.context_set_string", text=info.name, icon=AVAILABILITY_ICONS.get(info.availability, "QUESTION")
            )
            op.data_path, op.value = path, info.model_type


class MOVIE_DIRECTOR_MT_fallback_models(bpy.types.Menu):
    bl_idname = "MOVIE_DIRECTOR_MT_fallback_models"
    bl_label = "Add Fallback Model"
    bl_description = "Add a model of this install to the shot's fallbacks, tried in order if its model fails"
    bl_options = _MENU_OPTIONS

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        obj = selection.context_shot(context)
        if obj is None:
            layout.label(text="Select a shot", icon="INFO")
            return
        path = model_path(obj, "fallback_model_type")
        chosen = fallback_list(obj.movie_director.fallback_model_type)
        op = layout.operator("wm.context_set_string", text="None (the tier's fallbacks)", icon="X")
        op.data_path, op.value = path, ""
        catalog = session.catalog()
        if catalog is None or not len(catalog):
            layout.label(text="Start the session to list the models", icon="INFO")
            return
        # Installed models only: falling back to a download helps nobody.
        for info in sorted(catalog.available(), key=lambda m: (_family(m), m.name)):
            if info.model_type in chosen:
                continue
            op = layout.operator("wm.context_set_string", text=info.name, icon="ADD")
            op.data_path, op.value = path, ", ".join([*chosen, info.model_type])
