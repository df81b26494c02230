"""The Session panel: is WanGP loaded, which one, how many models, and what runs the shots."""

from __future__ import annotations

import bpy

from .. import preferences
from ..runtime import session
from .base import wrapped_label

STATE_ICONS = {
    "stopped": "RADIOBUT_OFF",
    "starting": "SORTTIME",
    "ready": "CHECKMARK",
    "failed": "ERROR",
    "closing": "X",
}

ANIMATIC_TEXT = (
    "Layout animatic — a Blender render of your layout, not AI. "
    "Set the WanGP folder in Preferences to generate AI video."
)

MODE_TEXT = {
    "in_process": "Running WanGP in Blender",
    "bridge": "Running WanGP in a bridge process",
    "farm": "Running the shots on a farm of GPU machines",
}


def runs_animatic(mode: str, wangp_configured: bool) -> bool:
    """Shots are (or, before any session, will be) rendered as a layout animatic rather than by WanGP."""
    return mode == "animatic" or (not mode and not wangp_configured)


def mode_text(mode: str, wangp_configured: bool) -> str:
    """What generates the shots; before any session starts, what will."""
    if runs_animatic(mode, wangp_configured):
        return ANIMATIC_TEXT
    if not mode:
        return "WanGP loads when you start the session or generate a shot"
    return MODE_TEXT.get(mode, mode)


class SessionPanel:
    panel_id = "session"
    bl_label = "Session"
    # Last and closed: the Get Started steps and Generate's problem lines say what matters first.
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        view = session.view()
        configured = preferences.wangp_setup(context).configured
        animatic = runs_animatic(view.mode, configured)

        col = layout.column(align=True)
        # Wrapped, like every line here: a version with its git commit is wider than a 220 px sidebar.
        state_icon = STATE_ICONS.get(view.state, "QUESTION")
        wrapped_label(col, context, f"State: {view.state.capitalize() or 'Stopped'}", icon=state_icon)
        if view.wangp_version:
            commit = f" (git {view.wangp_commit[:10]})" if view.wangp_commit else ""
            wrapped_label(col, context, f"WanGP {view.wangp_version}{commit}")
        if view.model_count:
            wrapped_label(col, context, f"Models: {view.model_count} ({view.available_count} downloaded)")
        if not animatic:
            wrapped_label(col, context, f"VRAM: {view.vram_gb:.1f} GB" if view.vram_gb else "VRAM: unknown")
        if view.busy or view.queued:
            wrapped_label(col, context, f"Jobs queued or running: {view.queued}", icon="SORTTIME")

        box = layout.box()
        wrapped_label(box, context, mode_text(view.mode, configured), icon="INFO", boxes=1)
        # The animatic text already says why; a setup problem shows in the error box below.
        if view.mode_reason and not animatic and view.mode_reason != view.message:
            wrapped_label(box, context, view.mode_reason, boxes=1)

        if view.farm is not None:
            _draw_farm(layout, context, view.farm)

        if view.state == "failed":
            err = layout.box()
            text = err.column()
            text.alert = True  # the problem in red, not its fix
            wrapped_label(text, context, view.message or "WanGP could not start", icon="ERROR", boxes=1)
            if view.hint:
                wrapped_label(text, context, view.hint, boxes=1)
            row = err.row(align=True)
            row.operator("movie_director.open_preferences", text="Preferences", icon="PREFERENCES")
            row.operator("movie_director.open_log", text="Log", icon="TEXT")

        # One button a line: side by side, "Refresh Models" is cut at 220 px.
        row = layout.column(align=True)
        if view.state in ("starting", "ready"):
            row.operator("movie_director.stop_session", text="Stop", icon="CANCEL")
        else:
            row.operator("movie_director.start_session", text="Start", icon="PLAY")
        row.operator("movie_director.refresh_models", text="Refresh Models", icon="FILE_REFRESH")


def _draw_farm(layout: bpy.types.UILayout, context: bpy.types.Context, farm) -> None:
    """The farm's workers (what each one runs) and its queue, as the farm host last read them."""
    box = layout.box()
    wrapped_label(box, context, f"Farm: {farm.url}", icon="NETWORK_DRIVE", boxes=1)
    if farm.problem:
        wrapped_label(box, context, farm.problem, icon="ERROR", boxes=1)
    for name, state, model, shot, vram in farm.workers:
        idle = f"idle, {model} loaded" if model else "idle"
        what = f"{shot} ({model})" if shot else ("lost" if state == "lost" else idle)
        mark = "CHECKMARK" if state != "lost" else "ERROR"
        wrapped_label(box, context, f"{name} · {vram:g} GB: {what}", mark, boxes=1)
    wrapped_label(box, context, f"Queue: {farm.queued} waiting, {farm.running} running", boxes=1)
