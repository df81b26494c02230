"""Add-on preferences and the one typed accessor for them.

Headless runs and the demo read the same settings from ``WANGP_ROOT``, ``WANGP_SITE_PACKAGES`` and
``WANGP_ARGS`` when the preferences leave them empty (and the farm from ``WANGP_HOST_MODE=FARM``, ``MD_FARM_URL``,
``MD_FARM_TOKEN``, ``MD_FARM_PATH_MAP``).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty, StringProperty

from .compat import BLEND_RELATIVE_PATH

HOST_MODE_ITEMS = (
    ("AUTO", "Automatic", "In Blender's process when WanGP's Python matches Blender's, else a bridge process"),
    ("IN_PROCESS", "In Blender", "Load WanGP inside Blender's process"),
    ("BRIDGE", "Bridge Process", "Run WanGP in its own Python process (needed when the Python versions differ)"),
    ("FARM", "Farm", "Send the shots to a farm of GPU machines (WanGP on a Ray cluster) at the Farm URL"),
)


#: Called with the context when the user templates folder changes (the runtime reads the templates again).
#: The runtime registers it: preferences sit below the runtime and never import it.
_templates_dir_observers: list[Callable[[bpy.types.Context], object]] = []


def observe_templates_dir(fn: Callable[[bpy.types.Context], object]) -> None:
    if fn not in _templates_dir_observers:
        _templates_dir_observers.append(fn)


def stop_observing_templates_dir() -> None:
    _templates_dir_observers.clear()


def _templates_dir_changed(self, context: bpy.types.Context) -> None:
    for fn in _templates_dir_observers:
        fn(context)


class MOVIE_DIRECTOR_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    wangp_root: StringProperty(
        name="WanGP Folder", subtype="DIR_PATH", description="The WanGP install folder (holds wgp.py)"
    )
    wangp_site_packages: StringProperty(
        name="WanGP Packages", subtype="DIR_PATH",
        description="The site-packages folder of WanGP's Python environment (added after Blender's own)",
    )
    wangp_args: StringProperty(
        name="Start-up Flags", description="WanGP start-up flags, e.g. --profile 4 --attention sdpa"
    )
    output_dir: StringProperty(
        name="Output Folder", subtype="DIR_PATH", default="//movie_director/", options=BLEND_RELATIVE_PATH,
        description="Default folder for takes; // is next to the .blend file",
    )
    templates_dir: StringProperty(
        name="User Templates", subtype="DIR_PATH", update=_templates_dir_changed,
        description="Folder of extra templates (JSON); they add or override",
    )
    vram_gb: FloatProperty(
        name="VRAM (GB)", min=0.0, default=0.0,
        description="GPU memory used to choose models; 0 reads it from the GPU once WanGP is loaded",
    )
    host_mode: EnumProperty(name="Run WanGP", items=HOST_MODE_ITEMS, default="AUTO")
    wangp_python: StringProperty(
        name="WanGP Python", subtype="FILE_PATH",
        description="Python interpreter of WanGP's environment for the bridge; empty finds it from the packages folder",
    )
    show_get_started: BoolProperty(
        name="Show Get Started", default=True,
        description="Show the first-run steps at the top of the sidebar until they are done",
    )

    farm_url: StringProperty(
        name="Farm URL", description="Where the farm's HTTP front listens, e.g. http://farm-head:8765 (Run WanGP: Farm)"
    )
    farm_token: StringProperty(
        name="Farm Token", subtype="PASSWORD", description="The farm's access token (printed by tools/farm.sh up)"
    )
    farm_path_map: StringProperty(
        name="Shared Paths",
        description="Optional: folders the farm sees under another path, e.g. /mnt/proj=/srv/proj; such inputs are "
                    "not uploaded",
    )

    def draw(self, context):
        layout = self.layout
        layout.use_property_split = True
        # ``column(heading=...)`` only shows beside checkboxes: these sections get real headings.
        layout.label(text="WanGP")
        col = layout.column()
        col.prop(self, "wangp_root")
        col.prop(self, "wangp_site_packages")
        col.prop(self, "wangp_args")
        col.prop(self, "host_mode")
        col.prop(self, "wangp_python")
        col.prop(self, "vram_gb")
        if self.host_mode == "FARM":
            layout.label(text="Farm")
            col = layout.column()
            col.prop(self, "farm_url")
            col.prop(self, "farm_token")
            col.prop(self, "farm_path_map")
        layout.label(text="Project")
        col = layout.column()
        col.prop(self, "output_dir")
        col.prop(self, "templates_dir")
        col.prop(self, "show_get_started")
        if not bpy.app.online_access:
            layout.label(text="Online access is off: WanGP will not download model weights", icon="INFO")


@dataclass(frozen=True)
class WanGPSetup:
    """The effective WanGP configuration: preferences, else the environment variables."""

    root: str
    site_packages: str
    args: tuple[str, ...]
    host_mode: str
    python: str
    vram_gb: float
    #: why the start-up flags cannot be split into arguments (an unclosed quote), else ""
    args_error: str = ""
    farm_url: str = ""
    farm_token: str = ""
    farm_path_map: str = ""

    @property
    def farm(self) -> bool:
        """The shots go to a farm (WanGP need not be installed on this machine)."""
        return self.host_mode == "FARM"

    @property
    def configured(self) -> bool:
        return bool(self.root) or self.farm


def get_prefs(context: bpy.types.Context | None = None) -> MOVIE_DIRECTOR_AP_preferences | None:
    """The preferences, or None when the add-on was loaded without an add-on entry (plain import)."""
    context = context or bpy.context
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon else None


def _abs(path: str) -> str:
    return os.path.abspath(bpy.path.abspath(path)) if path else ""


def wangp_setup(context: bpy.types.Context | None = None) -> WanGPSetup:
    prefs = get_prefs(context)
    root = (prefs.wangp_root if prefs else "") or os.environ.get("WANGP_ROOT", "")
    site = (prefs.wangp_site_packages if prefs else "") or os.environ.get("WANGP_SITE_PACKAGES", "")
    args = (prefs.wangp_args if prefs else "") or os.environ.get("WANGP_ARGS", "")
    try:
        split, args_error = tuple(shlex.split(args)), ""
    except ValueError as exc:  # panels ask on every redraw: the session reports it when it is started
        split, args_error = (), f"Start-up Flags cannot be read ({exc}): {args}"
    return WanGPSetup(
        root=_abs(root),
        site_packages=_abs(site),
        args=split,
        host_mode=prefs.host_mode if prefs and prefs.host_mode != "AUTO" else os.environ.get("WANGP_HOST_MODE", "AUTO"),
        python=_abs((prefs.wangp_python if prefs else "") or os.environ.get("WANGP_PYTHON", "")),
        vram_gb=prefs.vram_gb if prefs else 0.0,
        args_error=args_error,
        farm_url=(prefs.farm_url if prefs else "") or os.environ.get("MD_FARM_URL", ""),
        farm_token=(prefs.farm_token if prefs else "") or os.environ.get("MD_FARM_TOKEN", ""),
        farm_path_map=(prefs.farm_path_map if prefs else "") or os.environ.get("MD_FARM_PATH_MAP", ""),
    )


classes = (MOVIE_DIRECTOR_AP_preferences,)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
