"""Movie Director's operators, one per module, registered in this order."""

from __future__ import annotations

import bpy

from .add_character import MOVIE_DIRECTOR_OT_add_character
from .add_character_image import MOVIE_DIRECTOR_OT_add_character_image
from .apply_template import MOVIE_DIRECTOR_OT_apply_template
from .approve_take import MOVIE_DIRECTOR_OT_approve_take
from .cancel import MOVIE_DIRECTOR_OT_cancel
from .choose_available_model import MOVIE_DIRECTOR_OT_choose_available_model
from .compare_takes import MOVIE_DIRECTOR_OT_compare_takes
from .contact_sheet import MOVIE_DIRECTOR_OT_contact_sheet
from .describe_camera import MOVIE_DIRECTOR_OT_describe_camera
from .edit_pose_bones import MOVIE_DIRECTOR_OT_edit_pose_bones
from .export_cut import MOVIE_DIRECTOR_OT_export_cut
from .export_settings import MOVIE_DIRECTOR_OT_export_settings
from .find_cast import MOVIE_DIRECTOR_OT_find_cast
from .generate_scene import MOVIE_DIRECTOR_OT_generate_scene
from .generate_shot import MOVIE_DIRECTOR_OT_generate_shot
from .mark_shot import MOVIE_DIRECTOR_OT_mark_shot
from .open_log import MOVIE_DIRECTOR_OT_open_log
from .open_preferences import MOVIE_DIRECTOR_OT_open_preferences
from .postprocess_take import MOVIE_DIRECTOR_OT_postprocess_take
from .recover_takes import MOVIE_DIRECTOR_OT_recover_takes
from .refresh_models import MOVIE_DIRECTOR_OT_refresh_models
from .remove_character import MOVIE_DIRECTOR_OT_remove_character
from .remove_template import MOVIE_DIRECTOR_OT_remove_template
from .resume_batch import MOVIE_DIRECTOR_OT_resume_batch
from .retry_failed import MOVIE_DIRECTOR_OT_retry_failed
from .set_active_take import MOVIE_DIRECTOR_OT_set_active_take
from .set_cast_override import MOVIE_DIRECTOR_OT_set_cast_override
from .start_session import MOVIE_DIRECTOR_OT_start_session
from .stop_session import MOVIE_DIRECTOR_OT_stop_session
from .unlock_shot import MOVIE_DIRECTOR_OT_unlock_shot
from .unmark_shot import MOVIE_DIRECTOR_OT_unmark_shot

classes = (
    MOVIE_DIRECTOR_OT_mark_shot,
    MOVIE_DIRECTOR_OT_unmark_shot,
    MOVIE_DIRECTOR_OT_generate_shot,
    MOVIE_DIRECTOR_OT_generate_scene,
    MOVIE_DIRECTOR_OT_resume_batch,
    MOVIE_DIRECTOR_OT_recover_takes,
    MOVIE_DIRECTOR_OT_retry_failed,
    MOVIE_DIRECTOR_OT_cancel,
    MOVIE_DIRECTOR_OT_start_session,
    MOVIE_DIRECTOR_OT_stop_session,
    MOVIE_DIRECTOR_OT_refresh_models,
    MOVIE_DIRECTOR_OT_apply_template,
    MOVIE_DIRECTOR_OT_remove_template,
    MOVIE_DIRECTOR_OT_set_active_take,
    MOVIE_DIRECTOR_OT_export_settings,
    MOVIE_DIRECTOR_OT_describe_camera,
    MOVIE_DIRECTOR_OT_edit_pose_bones,
    MOVIE_DIRECTOR_OT_open_preferences,
    MOVIE_DIRECTOR_OT_open_log,
    MOVIE_DIRECTOR_OT_choose_available_model,
    MOVIE_DIRECTOR_OT_approve_take,
    MOVIE_DIRECTOR_OT_unlock_shot,
    MOVIE_DIRECTOR_OT_compare_takes,
    MOVIE_DIRECTOR_OT_contact_sheet,
    MOVIE_DIRECTOR_OT_export_cut,
    MOVIE_DIRECTOR_OT_postprocess_take,
    MOVIE_DIRECTOR_OT_add_character,
    MOVIE_DIRECTOR_OT_remove_character,
    MOVIE_DIRECTOR_OT_add_character_image,
    MOVIE_DIRECTOR_OT_set_cast_override,
    MOVIE_DIRECTOR_OT_find_cast,
)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
