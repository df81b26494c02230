"""Set the active shot's model to the best one this install has (the fix for a missing model)."""

from __future__ import annotations

import bpy

from ..runtime import session
from ..wangp_backend.toolkit import choose_model
from .common import active_shot, poll_active_shot


def needed_image(shot) -> str:
    """The input image role a model must accept for this shot ("" when text only)."""
    if shot.end_image_source != "NONE":
        return "end"
    return "start" if shot.start_image_source != "NONE" else ""


class MOVIE_DIRECTOR_OT_choose_available_model(bpy.types.Operator):
    bl_idname = "movie_director.choose_available_model"
    bl_label = "Choose Available Model"
    bl_description = "Set the shot's model to the best one whose weights this WanGP install has"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if not poll_active_shot(cls, context):
            return False
        catalog = session.catalog()
        if catalog is None:
            cls.poll_message_set("Start the session to learn which models are installed")
            return False
        if not catalog.available():
            cls.poll_message_set("This WanGP install has no model with all its files")
            return False
        return True

    def execute(self, context):
        shot = active_shot(context).movie_director
        catalog = session.catalog()
        needs = needed_image(shot)
        model_type, _fallbacks = choose_model(catalog, shot.quality, "", session.vram_gb(context), needs)
        info = catalog.get(model_type)
        if info is None or not info.available:
            self.report({"ERROR"}, f"No installed model fits a {shot.quality.lower()} shot" + (
                f" with a {needs} image" if needs else ""))
            return {"CANCELLED"}
        shot.model_type = model_type
        self.report({"INFO"}, f"Model set to {info.name or model_type}")
        return {"FINISHED"}
