"""The template picker: every template of the library (built-in and the user's), each applying itself."""

from __future__ import annotations

import bpy

from ..runtime import session


class MOVIE_DIRECTOR_MT_templates(bpy.types.Menu):
    bl_idname = "MOVIE_DIRECTOR_MT_templates"
    bl_label = "Templates"
    bl_description = "Apply a look to the active shot: prompt wording, camera moves, resolution and quality hints"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        library = session.templates()
        names = library.names()
        if not names:
            layout.label(text="No templates found", icon="INFO")
            return
        for name in names:
            template = library.get(name)
            row = layout.row()
            row.operator("movie_director.apply_template", text=template.label or name, icon="PRESET").template = name
            # Menu entries have no per-entry tooltip, so the description sits beside the name.
            sub = row.row()
            sub.active = False
            sub.label(text=template.description)
            if library.user_made(name):
                row.operator("movie_director.remove_template", text="", icon="X").template = name


class MOVIE_DIRECTOR_MT_user_templates(bpy.types.Menu):
    bl_idname = "MOVIE_DIRECTOR_MT_user_templates"
    bl_label = "Remove Template"
    bl_description = "Remove one of your templates (built-in templates stay)"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        library = session.templates()
        mine = [name for name in library.names() if library.user_made(name)]
        if not mine:
            layout.label(text="No templates of yours: set the User Templates folder in Preferences", icon="INFO")
            return
        for name in mine:
            template = library.get(name)
            layout.operator("movie_director.remove_template", text=template.label or name, icon="X").template = name
