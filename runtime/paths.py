"""Where takes go: the scene's output folder, else the preference, else ``//movie_director/``.

A ``//`` path means "next to the .blend"; an unsaved file has no such place, so its takes go to the
extension's user folder (kept by Blender across sessions), or a temp folder when the add-on was
loaded without the extension system.

Paths the add-on keeps (takes, sidecars, strips, the batch record) are stored with :func:`stored`:
``//...`` inside the .blend's folder, so a project folder can be moved or shared, absolute outside it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable

import bpy

from .. import preferences
from ..wangp_backend.blend_paths import BlendFolder
from ..wangp_backend.file_names import MAX_NAME_UNITS, TAKE_SUFFIX_CHARS, portable_name

#: The add-on's package (``bl_ext.<repo>.movie_director``): this module lives one level below it.
ADDON_PACKAGE = __package__.rpartition(".")[0]

DEFAULT_OUTPUT = "//movie_director/"
_TAKE_NUMBER = re.compile(r"_take(\d+)(?:_\d+)?$")
#: The file being written by a save in progress (Save As may change the folder paths are relative to).
_saving_to = ""


def blend_folder() -> BlendFolder:
    """The .blend paths are relative to: the file being saved during a save, else the open file."""
    return BlendFolder(_saving_to or bpy.data.filepath)


def stored(path: str) -> str:
    """``path`` as the add-on keeps it: ``//...`` when inside the .blend's folder, else absolute."""
    return blend_folder().store(path)


def resolved(path: str) -> str:
    """An absolute path for a stored one (``//`` resolved against the .blend's folder)."""
    folder = blend_folder()
    if path.startswith("//") and not folder.folder:
        return path  # an unsaved file: nothing to resolve against (the add-on stores none such)
    return folder.resolve(path)


def set_saving_to(filepath: str) -> None:
    """Called by the save handlers: between them, paths are stored relative to the file being written."""
    global _saving_to
    _saving_to = filepath


def saving_to() -> str:
    return _saving_to


def take_number(filepath: str) -> int | None:
    """The number in a take's file name (``SH010_take003.mp4`` -> 3), or None."""
    match = _TAKE_NUMBER.search(os.path.splitext(os.path.basename(filepath))[0])
    return int(match.group(1)) if match else None


def number_of(filepath: str, index: int) -> int:
    """A take's number wherever the user reads one (log, reports, panels, contact sheet, export): its file's,
    which they see on disk and which stays when an earlier take is deleted; its place in the list (``index``
    + 1) only for a file not named like a take."""
    number = take_number(filepath)
    return number if number is not None else index + 1


def take_label(filepath: str, index: int) -> str:
    """How the log and reports name a take: ``take 3`` for ``SH010_take003.mp4``."""
    return f"take {number_of(filepath, index)}"


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
    """``name`` as a file-name part that works on every OS, readable and distinct (see ``file_names``)."""
    return portable_name(name)


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
    too_long = _length_problem(folder)
    if too_long:
        return too_long
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


def _path_limit() -> int:
    """The longest path the OS opens (classic Windows: 260 characters; Linux 4096, macOS 1024 bytes)."""
    if os.name == "nt":
        return 260
    try:
        return os.pathconf("/", "PC_PATH_MAX")
    except (OSError, ValueError):
        return 1024


def _length_problem(folder: str) -> str:
    """A sentence if a take file in ``folder`` would be past the OS's path or file-name length limits."""
    longest = len(os.fsencode(folder)) + 1 + MAX_NAME_UNITS * 3 + TAKE_SUFFIX_CHARS
    limit = _path_limit()
    if longest >= limit:
        return (f"The output folder's path is too long ({len(folder)} characters; this system opens paths of up to "
                f"{limit}, and a take adds up to {longest - len(os.fsencode(folder))}): choose a shorter output folder")
    part = max(os.path.normpath(folder).split(os.sep), key=lambda p: len(os.fsencode(p)))
    if len(os.fsencode(part)) > 255:
        return f"A folder name in the output path is too long ({part[:24]}..., over 255 bytes): choose a shorter one"
    return ""
