"""Paths inside a take's sidecar that move with the project: relative to the sidecar's own folder.

A sidecar names more files than its clip: the .blend it was made from (``blend_file``), the input
images and guides (``settings``, ``inputs``, ``guide``), the cast's reference images, the dialogue cuts,
a post-processed take's parent (``parent_take``), a continued shot's previous take
(``settings.video_source``, ``continue_from``). Each such path inside the project folder (the .blend's
folder) is written relative to the sidecar's folder (``./SH010_take001.mp4``, ``../../../film.blend``),
so the whole folder can be moved or shared, and a sidecar read on its own (another tool, another .blend
saved elsewhere) still finds its files. Paths outside the project stay absolute, like
:mod:`wangp_backend.blend_paths`. Every writer goes through :func:`store`, every reader through
:func:`resolve`. Plain Python (no bpy).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

#: How a stored relative path starts (forward slashes on every OS, like Blender's ``//`` paths).
RELATIVE = ("./", "../")
#: WanGP's way to give a path an option (``video_source``: ``<clip>|start_frame=-8``); the option is kept.
OPTION = "|"
#: Keys whose values are the user's or WanGP's words, never paths (a prompt may well start with "../").
TEXT_KEYS = frozenset({
    "prompt", "negative_prompt", "alt_prompt", "text", "note", "notes", "description", "reason",
    "camera_wording", "error", "primary_error", "recovered", "message", "line", "speaker", "name",
})


def project_folder(record: Mapping[str, Any]) -> str:
    """The folder of the .blend the take was made from (absolute), or ``""`` (an unsaved file)."""
    blend = record.get("blend_file")
    return os.path.dirname(os.path.normpath(blend)) if isinstance(blend, str) and os.path.isabs(blend) else ""


def store(record: Mapping[str, Any], sidecar: str, project: str | None = None) -> dict[str, Any]:
    """``record`` as written to ``sidecar``: its absolute paths inside the project relative to the sidecar.

    :param project: the project folder; by default the folder of the record's own ``blend_file``.
    """
    project = project_folder(record) if project is None else project
    return relative(record, os.path.dirname(os.path.abspath(sidecar)), project)


def relative(record: Mapping[str, Any], base: str, project: str) -> dict[str, Any]:
    """``record`` with its absolute paths inside ``project`` relative to the folder ``base``, when ``base`` is
    inside it too (a take folder outside the project does not move with it: its paths stay absolute)."""
    if not project:
        return dict(record)
    project = os.path.normpath(project)
    if not _inside(os.path.normpath(os.path.abspath(base)), project):
        return dict(record)

    def convert(value: str) -> str:
        path, sep, option = value.partition(OPTION)
        if not os.path.isabs(path) or not _inside(os.path.normpath(path), project):
            return value
        relative = os.path.relpath(path, base).replace(os.sep, "/")
        return (relative if relative.startswith("../") else "./" + relative) + sep + option

    return _walk(record, convert)


def resolve(record: Mapping[str, Any], sidecar: str) -> dict[str, Any]:
    """``record`` as read from ``sidecar``: every stored relative path absolute again."""
    base = os.path.dirname(os.path.abspath(sidecar))

    def convert(value: str) -> str:
        if not value.startswith(RELATIVE):
            return value
        path, sep, option = value.partition(OPTION)
        return os.path.normpath(os.path.join(base, path.replace("/", os.sep))) + sep + option

    return _walk(record, convert)


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive (Windows)
        return False


def _walk(record: Mapping[str, Any], convert: Callable[[str], str]) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return convert(value)
        if isinstance(value, Mapping):
            return {key: item if key in TEXT_KEYS else walk(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(item) for item in value]
        return value

    return walk(record)
