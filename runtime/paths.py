"""Where takes go: the scene's output folder, else the preference, else ``//movie_director/``.

A ``//`` path means "next to the .blend"; an unsaved file has no such place, so its takes go to the
extension's user folder (kept by Blender across sessions), or a temp folder when the add-on was
loaded without the extension system.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable

import bpy

from .. import preferences

#: The add-on's package (``bl_ext.<repo>.movie_director``): this module lives one level below it.
ADDON_PACKAGE = __package__.rpartition(".")[0]

DEFAULT_OUTPUT = "//movie_director/"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_TAKE_NUMBER = re.compile(r"_take(\d+)(?:_\d+)?$")


def user_folder(name: str) -> str:
    """A folder of ours outside the user's project (created)."""
    try:
        return bpy.utils.extension_path_user(ADDON_PACKAGE, path=name, create=True)
    except ValueError:
        # Not loaded as an extension (plain import in scripts): no per-extension folder exists.
        path = os.path.join(tempfile.gettempdir(), "movie_director", name)
        os.makedirs(path, exist_ok=True)
        return path


def safe_name(name: str) -> str:
    """``name`` as a file-name part that works on every OS."""
    return _UNSAFE.sub("_", name).strip("._") or "untitled"


def output_root(context: bpy.types.Context, scene: bpy.types.Scene) -> str:
    prefs = preferences.get_prefs(context)
    raw = scene.movie_director.output_dir or (prefs.output_dir if prefs else "") or DEFAULT_OUTPUT
    if raw.startswith("//") and not bpy.data.filepath:
        return os.path.join(user_folder("unsaved"), raw[2:])
    return os.path.abspath(bpy.path.abspath(raw))


def take_dir(context: bpy.types.Context, scene: bpy.types.Scene, obj: bpy.types.Object) -> str:
    """The shot's folder: ``<output>/<scene>/<shot>``."""
    return os.path.join(output_root(context, scene), safe_name(scene.name), safe_name(obj.name))


def next_take_name(folder: str, obj: bpy.types.Object, reserved: Iterable[str] = ()) -> str:
    """``<shot>_take<NNN>`` one past the highest number on disk, in the shot's takes or ``reserved``.

    A new take never reuses a number, so it can never overwrite an older clip or its sidecar.
    """
    stems: list[str] = list(reserved)
    if os.path.isdir(folder):
        stems += [os.path.splitext(name)[0] for name in os.listdir(folder)]
    stems += [os.path.splitext(os.path.basename(take.filepath))[0] for take in obj.movie_director.takes]
    highest = 0
    for stem in stems:
        match = _TAKE_NUMBER.search(stem)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{safe_name(obj.name)}_take{highest + 1:03d}"


def writable_problem(folder: str) -> str:
    """"" when ``folder`` exists writable or can be created, else a sentence saying why not.

    Nothing is created here: a Generate refused for another reason must leave no empty folders.
    """
    existing = folder
    while not os.path.exists(existing):
        parent = os.path.dirname(existing)
        if parent == existing:
            break
        existing = parent
    if not os.path.isdir(existing):
        return f"Cannot create the output folder {folder}: {existing} is a file"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"The output folder is not writable: {existing}"
    return ""
