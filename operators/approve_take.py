"""Approve the active take: the shot is locked against batch regeneration."""

from __future__ import annotations

import bpy

from ..runtime import paths, review
from .common import active_shot, poll_active_shot


class MOVIE_DIRECTOR_OT_approve_take(bpy.types.Operator):
    bl_idname = "movie_director.approve_take"
    bl_label = "Approve Take"
    bl_description = "Approve the shot's active take and lock the shot: Generate Scene leaves it as it is"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if not poll_active_shot(cls, context):
            return False
        shot = active_shot(context).movie_director
        if not 0 <= shot.active_take_index < len(shot.takes):
            cls.poll_message_set("The shot has no active take to approve: generate it first")
            return False
        return True

    def execute(self, context):
        obj = active_shot(context)
        index = obj.movie_director.active_take_index
        review.set_approved(obj, index)
        label = paths.take_label(obj.movie_director.takes[index].filepath, index)
        self.report({"INFO"}, f"{obj.name}: {label} approved; the shot is locked")
        return {"FINISHED"}
