"""Set the active shot's model to the best one this install has (the fix for a missing model)."""

from __future__ import annotations

import bpy

from ..runtime import session
from ..wangp_backend.toolkit import choose_model
from .common import active_shot, poll_active_shot


def needed_image(shot) -> str:
    """The input image role a model must accept for this shot ("" when text only)."""
    # An end image needs a start image too (the settings build refuses one alone).
    if shot.end_image_source != "NONE":
        return "start+end"
    return "start" if shot.start_image_source != "NONE" else ""


def takes_images(info, needs: str) -> bool:
    """Whether the model takes every image role in ``needs`` (see :func:`needed_image`)."""
    return all(info.accepts_image(role) for role in needs.split("+") if role)


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
        if info is None or not info.available or not takes_images(info, needs):
            # The tier's table has nothing installed that fits: any installed model that takes the
            # shot's images will do, from the tier's family first.
            family = info.family if info is not None else ""
            fits = sorted((m for m in catalog.available() if takes_images(m, needs)),
                          key=lambda m: (m.family != family, m.model_type))
            info = fits[0] if fits else None
        if info is None:
            self.report({"ERROR"}, f"No installed model fits a {shot.quality.lower()} shot" + (
                f" with {needs.replace('+', ' and ')} images" if needs else ""))
            return {"CANCELLED"}
        shot.model_type = info.model_type
        self.report({"INFO"}, f"Model set to {info.name or info.model_type}")
        return {"FINISHED"}
