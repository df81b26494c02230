"""Remove one of the user's templates from the library (built-in templates cannot be removed)."""

from __future__ import annotations

import os
import shutil

import bpy
from bpy.props import StringProperty

from ..runtime import session

#: Removed templates are moved here, inside the user's template folder, never deleted.
REMOVED_FOLDER = "removed"


class MOVIE_DIRECTOR_OT_remove_template(bpy.types.Operator):
    bl_idname = "movie_director.remove_template"
    bl_label = "Remove Template"
    bl_description = "Remove one of your templates: its file moves to a 'removed' folder beside it"
    bl_options = {"REGISTER"}

    template: StringProperty(name="Template", description="Id of the user template to remove")

    def invoke(self, context, event):
        return context.window_manager.invoke_confirm(self, event)

    def execute(self, context):
        library = session.templates()
        template = library.get(self.template)
        if template is None:
            self.report({"ERROR"}, f"There is no template '{self.template}'")
            return {"CANCELLED"}
        if not library.user_made(self.template):
            self.report({"ERROR"}, f"'{template.label or template.id}' is built in and cannot be removed")
            return {"CANCELLED"}
        source = library.path(self.template)
        folder = os.path.join(os.path.dirname(source), REMOVED_FOLDER)
        target = os.path.join(folder, os.path.basename(source))
        try:
            os.makedirs(folder, exist_ok=True)
            stem, ext = os.path.splitext(target)
            number = 1
            while os.path.exists(target):  # an earlier removed copy of the same file stays too
                number += 1
                target = f"{stem}.{number}{ext}"
            shutil.move(source, target)
        except OSError as exc:
            self.report({"ERROR"}, f"Cannot move {source} aside: {exc}")
            return {"CANCELLED"}
        session.reload_templates(context)
        users = [o.name for o in context.scene.objects
                 if o.movie_director.is_shot and o.movie_director.template == self.template]
        note = f"; {', '.join(users)} still name it" if users else ""
        self.report({"INFO"}, f"Template '{template.label or template.id}' removed (kept in {folder}){note}")
        return {"FINISHED"}
