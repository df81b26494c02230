"""Generate every shot of the scene, in the order that loads each model the fewest times."""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, EnumProperty

from ..properties import QUALITY_ITEMS
from ..runtime import generate, shot_index
from .batch_common import BatchOperatorMixin, report_batch

#: ``invoke_confirm`` takes a title and a message from Blender 4.1 on.
_CONFIRM_PARAMS = set(bpy.types.WindowManager.bl_rna.functions["invoke_confirm"].parameters.keys())


class MOVIE_DIRECTOR_OT_generate_scene(BatchOperatorMixin, bpy.types.Operator):
    bl_idname = "movie_director.generate_scene"
    bl_label = "Generate Scene"
    bl_description = (
        "Queue every shot of the scene grouped by model (fewest model loads), skipping unchanged ones if asked"
    )
    bl_options = {"REGISTER"}

    quality: EnumProperty(
        name="Quality", items=QUALITY_ITEMS, default="STANDARD",
        description="Quality tier for every shot; unset uses each shot's own",
    )
    only_changed: BoolProperty(
        name="Only Changed", default=True,
        description="Skip shots whose settings match their active take",
    )
    wait: BoolProperty(
        name="Wait", default=True, options={"SKIP_SAVE"},
        description="From a script: wait for the batch (off: queue and return at once, the script calls pump())",
    )

    from_click: BoolProperty(options={"HIDDEN", "SKIP_SAVE"})

    @classmethod
    def poll(cls, context):
        if not shot_index.has_shots(context.scene):
            cls.poll_message_set("The scene has no shots: use Mark Shot on its cameras")
            return False
        return True

    def _queue(self, context) -> generate.SceneQueue | None:
        quality = self.quality if self.properties.is_property_set("quality") else ""
        only_changed = (
            self.only_changed if self.properties.is_property_set("only_changed")
            else context.scene.movie_director.only_changed
        )
        try:
            queued = generate.queue_scene(context, context.scene, quality, only_changed)
        except generate.GenerateError as exc:
            self.report({"ERROR"}, str(exc))
            return None
        if not queued.order and queued.problems:
            for problem in queued.problems[1:]:
                self.report({"WARNING"}, problem)
            self.report({"ERROR"}, f"No shot could be queued: {queued.problems[0]}")
            return None
        report_batch(self, queued)
        return queued

    def regenerated(self, context) -> list[str]:
        """Shots that already have takes and that this batch makes again (all of them unless only
        changed shots run at their own quality: those are the ones the user changed)."""
        only_changed = (
            self.only_changed if self.properties.is_property_set("only_changed")
            else context.scene.movie_director.only_changed
        )
        if only_changed and not self.properties.is_property_set("quality"):
            return []
        return sorted(o.name for o in context.scene.objects if o.movie_director.is_shot and len(o.movie_director.takes))

    def invoke(self, context, event):
        again = self.regenerated(context)
        if not again:
            return super().invoke(context, event)
        # A whole-scene batch can run for hours: ask before making new takes of finished shots.
        self.from_click = True  # execute() after the confirmation must not wait like a script's
        names = ", ".join(again[:4]) + (f" and {len(again) - 4} more" if len(again) > 4 else "")
        message = f"{len(again)} shot(s) already have takes ({names}); each gets a new take"
        if "message" in _CONFIRM_PARAMS:
            return context.window_manager.invoke_confirm(
                self, event, title="Generate the Whole Scene?", message=message, confirm_text="Generate"
            )
        return context.window_manager.invoke_confirm(self, event)

    def execute(self, context):
        if self.from_click:
            return super().invoke(context, None)
        return super().execute(context)

    def start_batch(self, context) -> str:
        queued = self._queue(context)
        return queued.scene_key if queued is not None else ""
