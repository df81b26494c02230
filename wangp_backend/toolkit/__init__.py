"""The director's toolkit: templates, camera language and quality tiers turned into WanGP settings.

Plain Python (no ``bpy``): the Blender side snapshots a shot into a :class:`~wangp_backend.spec.ShotSpec`
and calls :func:`build_settings`; everything it decided is in the returned :class:`BuiltShot`.
"""

from .builder import BuiltShot, build_settings
from .camera_moves import CAMERA_MOVES, describe_manual_moves
from .camera_path import describe_camera_samples
from .export import export_settings_json
from .templates import Template, TemplateLibrary, load_templates
from .tiers import choose_model, vram_class

__all__ = [
    "CAMERA_MOVES",
    "BuiltShot",
    "Template",
    "TemplateLibrary",
    "build_settings",
    "choose_model",
    "describe_camera_samples",
    "describe_manual_moves",
    "export_settings_json",
    "load_templates",
    "vram_class",
]
