"""The Get Started panel: shown first until the first-run steps are done (or the user hides it)."""

from __future__ import annotations

import bpy

from .. import preferences
from ..runtime import session, shot_index
from .base import active_shot, wrapped_label
from .model_menu import resolved_model
from .walkthrough import Step, current, steps


def model_installed(context: bpy.types.Context) -> bool:
    """The active shot's model (what Automatic picks, when unset) is installed; without a shot, any."""
    catalog = session.catalog()
    if catalog is None:
        return False
    obj = active_shot(context)
    if obj is None:
        return bool(catalog.available())
    info = catalog.get(resolved_model(context, obj.movie_director))
    return info is not None and info.available


def first_run_steps(context: bpy.types.Context) -> tuple[Step, ...]:
    view = session.view()
    return steps(
        preferences.wangp_setup(context).configured,
        view.state,
        view.mode,
        model_installed(context),
        shot_index.has_shots(context.scene),  # a cached scan: this runs on every redraw
        shot_index.any_takes(context.scene),
    )


class StartPanel:
    panel_id = "start"
    bl_label = "Get Started"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        prefs = preferences.get_prefs(context)
        if prefs is not None and not prefs.show_get_started:
            return False
        return current(first_run_steps(context)) is not None

    def draw_header(self, context: bpy.types.Context) -> None:
        prefs = preferences.get_prefs(context)
        if prefs is not None:
            self.layout.prop(prefs, "show_get_started", text="")

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        all_steps = first_run_steps(context)
        now = current(all_steps)
        col = layout.column(align=True)
        for number, step in enumerate(all_steps, 1):
            sub = col.column(align=True)
            sub.active = step is now or not step.done
            mark = "CHECKBOX_HLT" if step.done else "CHECKBOX_DEHLT"
            wrapped_label(sub, context, f"{number}. {step.text}", icon=mark)
            if step is now:
                sub.operator(step.operator, text=step.button, icon=step.icon)
        if now is not None and now.operator == "movie_director.open_preferences":
            note = layout.column()
            note.active = False
            wrapped_label(note, context, "Until then shots are layout animatics: Blender renders, not AI")
