"""Write the active shot's WanGP settings JSON."""

from __future__ import annotations

import os

import bpy
from bpy.props import StringProperty

from ..compat import BLEND_RELATIVE_PATH
from ..runtime import keys, paths, session, snapshot
from ..wangp_backend.toolkit import export_settings_json
from .common import active_shot, poll_active_shot


class MOVIE_DIRECTOR_OT_export_settings(bpy.types.Operator):
    bl_idname = "movie_director.export_settings"
    bl_label = "Export Settings"
    bl_description = "Write the shot's WanGP settings JSON, loadable by WanGP's interface and wgp.py --process"
    bl_options = {"REGISTER"}

    filepath: StringProperty(
        name="File", subtype="FILE_PATH", options=BLEND_RELATIVE_PATH,
        description="Where to write; empty writes into the shot's folder",
    )

    @classmethod
    def poll(cls, context):
        return poll_active_shot(cls, context)

    def execute(self, context):
        scene, obj = context.scene, active_shot(context)
        keys.ensure_unique_shot_ids(scene)
        folder = paths.take_dir(context, scene, obj)
        stem = f"{paths.safe_name(obj.name)}_settings"
        target = os.path.join(folder, stem + ".json")
        if self.filepath:
            target = os.path.abspath(bpy.path.abspath(self.filepath))
        problem = paths.writable_problem(os.path.dirname(target)) or paths.writable_problem(folder)
        if problem:
            self.report({"ERROR"}, problem)
            return {"CANCELLED"}
        try:
            snap = snapshot.take_snapshot(context, scene, obj, "", os.path.join(folder, "exports"), stem)
            built = snapshot.build(snap, session.catalog(), session.templates(), session.vram_gb(context), False)
            if built.errors:
                raise snapshot.SnapshotError("; ".join(built.errors))
            snapshot.produce(scene, snap)
        except snapshot.SnapshotError as exc:
            self.report({"ERROR"}, f"{obj.name}: {exc}")
            return {"CANCELLED"}
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(export_settings_json(built))
        self.report({"INFO"}, f"Settings written to {target}")
        return {"FINISHED"}
