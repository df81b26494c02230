"""The sidebar ("Movie Director" tab in the 3D View and the Sequencer) and the pickers it opens.

Panels only read: shot and scene properties and the runtime's cached session view, catalog and templates.
"""

from __future__ import annotations

import bpy

from . import (
    batch,
    cast,
    generate,
    model_menu,
    session,
    shot,
    shot_advanced,
    shot_camera,
    shot_guide,
    shot_images,
    start,
    takes,
    takes_list,
    template_menu,
)
from .base import panel_classes

# Parents come before their sub-panels, and the order is the order in the sidebar.
classes = (
    model_menu.MOVIE_DIRECTOR_MT_models,
    model_menu.MOVIE_DIRECTOR_MT_fallback_models,
    template_menu.MOVIE_DIRECTOR_MT_templates,
    template_menu.MOVIE_DIRECTOR_MT_user_templates,
    takes_list.MOVIE_DIRECTOR_UL_takes,
    cast.MOVIE_DIRECTOR_UL_cast,
    # Generate comes first (after the first-run steps): it must be in reach without scrolling at the
    # default sidebar size in every state; the Session panel, rarely needed once set up, comes last.
    *panel_classes(
        start.StartPanel,
        generate.GeneratePanel,
        shot.ShotPanel,
        shot_camera.ShotCameraPanel,
        shot_images.ShotImagesPanel,
        shot_guide.ShotGuidePanel,
        shot_advanced.ShotAdvancedPanel,
        takes.TakesPanel,
        cast.CastPanel,
        batch.BatchPanel,
        session.SessionPanel,
    ),
)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
