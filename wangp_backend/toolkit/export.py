"""A shot's settings as a WanGP settings file, for WanGP's UI and ``wgp.py --process``.

WanGP reads such a file as the plain settings dict its UI exports (``model_type``, ``prompt``,
``image_start``...). Two details matter:

- ``settings_version``: WanGP migrates files by it (``fix_settings``), and a file without one is
  taken for the oldest format and rewritten. We write the version of the format we produce.
- media paths: WanGP resolves relative ones against the loading process's working directory, not
  the file's folder, so every path is made absolute.

Private keys (``_api``...) are API call options, not settings, and stay out.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .builder import BuiltShot

#: The settings format of WanGP 12.6x (``settings_version`` in its ``wgp.py``: 2.75 at 12.641).
#: Our settings use that format, so WanGP must not run its migrations for older files on them.
SETTINGS_VERSION = 2.75

#: WanGP's media attachment keys (``ATTACHMENT_KEYS`` in ``wgp.py``): a path or a list of paths.
MEDIA_KEYS: tuple[str, ...] = (
    "image_start",
    "image_end",
    "image_refs",
    "image_guide",
    "image_mask",
    "video_guide",
    "video_guide2",
    "video_mask",
    "video_source",
    "audio_guide",
    "audio_guide2",
    "audio_source",
    "custom_guide",
)


def export_settings_json(built: BuiltShot) -> str:
    """The shot's settings as WanGP settings-file JSON (UTF-8 text, keys in build order)."""
    settings: dict[str, Any] = {k: v for k, v in built.settings.items() if not str(k).startswith("_")}
    for key in MEDIA_KEYS:
        if key in settings:
            settings[key] = _absolute(settings[key])
    settings["settings_version"] = SETTINGS_VERSION
    return json.dumps(settings, indent=4, ensure_ascii=False) + "\n"


def _absolute(value: Any) -> Any:
    if isinstance(value, list):
        return [_absolute(item) for item in value]
    if isinstance(value, str) and value.strip():
        # A "path|start_frame=..." virtual-media suffix survives: abspath only joins and normalises.
        return os.path.abspath(value)
    return value
