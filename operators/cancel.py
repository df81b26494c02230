"""Cancel the active shot's jobs, or every job."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, StringProperty

from ..runtime import batches, jobs, keys, session, submit, timer
from .common import active_shot, report_notices

SCOPE_ITEMS = (
    ("SHOT", "Shot", "The active shot's queued and running jobs"),
    ("ALL", "All", "Every queued and running job"),
)


class MOVIE_DIRECTOR_OT_cancel(bpy.types.Operator):
    bl_idname = "movie_director.cancel"
    bl_label = "Cancel"
    bl_description = "Cancel the active shot's jobs, or every job of the session"
    bl_options = {"REGISTER"}

    scope: EnumProperty(name="Scope", items=SCOPE_ITEMS, default="SHOT")
    shot_key: StringProperty(
        name="Shot Key", options={"SKIP_SAVE"}, description="The shot to cancel; empty cancels the active shot"
    )

    @classmethod
    def poll(cls, context):
        if jobs.count() == 0:
            cls.poll_message_set("Nothing is queued or generating")
            return False
        return True

    def execute(self, context):
        host = session.get_host()
        if self.scope == "ALL":
            # Batch items still waiting (e.g. behind a continuation) go first, or a cancelled job's
            # end would let them be queued.
            count = batches.cancel_all_waiting() + jobs.count()
            submit.cancel_all("cancelled by the user")
            if host is not None:
                host.cancel_all()
        else:
            shot_key = self.shot_key
            if not shot_key:
                obj = active_shot(context)
                if obj is None:
                    self.report({"ERROR"}, "Select the shot to cancel")
                    return {"CANCELLED"}
                shot_key = keys.shot_key(context.scene, obj)
            _scene, obj = keys.find_shot(shot_key)
            name = obj.name if obj is not None else "The shot"
            waiting, submitted = jobs.for_shot(shot_key)
            count = len(waiting) + len(submitted) + batches.cancel_waiting(keys.split_key(shot_key)[0], shot_key)
            if not count:
                self.report({"ERROR"}, f"{name} has nothing queued or generating")
                return {"CANCELLED"}
            for job in waiting:
                submit.cancel(job.token)
            for record in submitted:
                if host is not None:
                    host.cancel(record.job_id)
        timer.ensure_timer()
        self.report({"INFO"}, f"Cancelling {count} job{'s' if count != 1 else ''}")
        report_notices(self)
        return {"FINISHED"}
