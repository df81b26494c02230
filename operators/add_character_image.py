"""Add a reference image (a file, or a Blender image) to the selected character."""

from __future__ import annotations

import os

import bpy


class MOVIE_DIRECTOR_OT_add_character_image(bpy.types.Operator):
    bl_idname = "movie_director.add_character_image"
    bl_label = "Add Reference Image"
    bl_description = "Add a reference image of the selected character: a file, or a Blender image by name"
    bl_options = {"REGISTER", "UNDO"}

    filepath: bpy.props.StringProperty(name="File", subtype="FILE_PATH", description="Reference image file")
    image_name: bpy.props.StringProperty(name="Image", description="Name of a Blender image (instead of a file)")

    @classmethod
    def poll(cls, context):
        scene = context.scene
        if scene is None or not 0 <= scene.movie_director.cast_index < len(scene.movie_director.cast):
            cls.poll_message_set("Select a character in the Cast panel first")
            return False
        return True

    def invoke(self, context, event):
        if self.filepath or self.image_name:
            return self.execute(context)
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        props = context.scene.movie_director
        character = props.cast[props.cast_index]
        if self.image_name:
            image = bpy.data.images.get(self.image_name)
            if image is None:
                self.report({"ERROR"}, f"There is no Blender image called {self.image_name}")
                return {"CANCELLED"}
            character.images.add().image = image
        else:
            path = bpy.path.abspath(self.filepath)
            if not self.filepath or not os.path.isfile(path):
                self.report({"ERROR"}, f"Choose an image file that exists (got '{self.filepath}')")
                return {"CANCELLED"}
            character.images.add().filepath = self.filepath
        self.report({"INFO"}, f"{character.name} has {len(character.images)} reference image(s)")
        return {"FINISHED"}
