"""The "Movie Director" menu in the 3D View's Object menu and the Sequencer's Strip menu.

It lists every public operator, so F3 menu search finds each of them in both editors.
"""

from __future__ import annotations

import bpy

from .panels.base import active_shot
from .panels.takes_list import take_name

#: Editor menus the Movie Director submenu is appended to.
HOST_MENUS = ("VIEW3D_MT_object", "SEQUENCER_MT_strip")


class MOVIE_DIRECTOR_MT_takes(bpy.types.Menu):
    bl_idname = "MOVIE_DIRECTOR_MT_takes"
    bl_label = "Show Take"
    bl_description = "Show another take of the active shot on the timeline"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        obj = active_shot(context)
        if obj is None:
            layout.label(text="Select a shot", icon="INFO")
            return
        shot = obj.movie_director
        if not len(shot.takes):
            layout.label(text="No takes yet", icon="INFO")
            return
        for index, take in enumerate(shot.takes):
            icon = "RADIOBUT_ON" if index == shot.active_take_index else "RADIOBUT_OFF"
            layout.operator("movie_director.set_active_take", text=take_name(take, index), icon=icon).index = index


class MOVIE_DIRECTOR_MT_main(bpy.types.Menu):
    bl_idname = "MOVIE_DIRECTOR_MT_main"
    bl_label = "Movie Director"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.operator("movie_director.mark_shot", icon="ADD")
        layout.operator("movie_director.unmark_shot", icon="REMOVE")
        # Without a quality set, generating uses each shot's own quality tier.
        layout.operator("movie_director.generate_shot", icon="RENDER_ANIMATION")
        layout.operator("movie_director.generate_scene", icon="SEQ_SEQUENCER")
        layout.operator_menu_enum("movie_director.generate_scene", "quality", text="Generate Scene at Quality")
        layout.operator("movie_director.resume_batch", icon="PLAY")
        layout.operator("movie_director.retry_failed", icon="FILE_REFRESH")
        layout.operator("movie_director.recover_takes", icon="RECOVER_LAST")
        layout.operator("movie_director.cancel", text="Cancel Shot", icon="CANCEL").scope = "SHOT"
        layout.operator("movie_director.cancel", text="Cancel All", icon="CANCEL").scope = "ALL"

        layout.separator()
        layout.menu("MOVIE_DIRECTOR_MT_templates", text="Apply Template", icon="PRESET")
        layout.menu("MOVIE_DIRECTOR_MT_user_templates", icon="X")
        layout.menu("MOVIE_DIRECTOR_MT_takes", icon="FILE_MOVIE")
        layout.operator("movie_director.compare_takes", icon="ARROW_LEFTRIGHT")
        layout.operator("movie_director.approve_take", icon="LOCKED")
        layout.operator("movie_director.unlock_shot", icon="UNLOCKED")
        layout.operator("movie_director.postprocess_take", icon="MODIFIER")
        layout.operator("movie_director.contact_sheet", icon="IMAGE_DATA")
        layout.operator_menu_enum("movie_director.export_cut", "format", text="Export Cut", icon="EXPORT")
        layout.operator("movie_director.describe_camera", icon="CAMERA_DATA")
        layout.operator("movie_director.add_character", icon="COMMUNITY")
        layout.operator("movie_director.remove_character", icon="REMOVE")
        layout.operator("movie_director.add_character_image", icon="IMAGE_REFERENCE")
        layout.operator("movie_director.find_cast", icon="VIEWZOOM")
        layout.operator_menu_enum("movie_director.set_cast_override", "mode", text="Cast Override", icon="PINNED")
        layout.operator("movie_director.edit_pose_bones", text="Add Pose Keypoint", icon="BONE_DATA").action = "ADD"
        layout.operator("movie_director.choose_available_model", icon="CHECKMARK")
        layout.operator("movie_director.export_settings", icon="EXPORT")
        layout.operator("movie_director.open_log", icon="TEXT")

        layout.separator()
        layout.operator("movie_director.start_session", icon="PLAY")
        layout.operator("movie_director.stop_session", icon="CANCEL")
        layout.operator("movie_director.refresh_models", icon="FILE_REFRESH")
        layout.operator("movie_director.open_preferences", icon="PREFERENCES")


def draw_host_menu(self, context: bpy.types.Context) -> None:
    self.layout.separator()
    self.layout.menu("MOVIE_DIRECTOR_MT_main")


classes = (MOVIE_DIRECTOR_MT_takes, MOVIE_DIRECTOR_MT_main)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    for name in HOST_MENUS:
        getattr(bpy.types, name).append(draw_host_menu)


def unregister() -> None:
    for name in reversed(HOST_MENUS):
        getattr(bpy.types, name).remove(draw_host_menu)
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
