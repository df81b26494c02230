"""Paths that move with the project: ``//...`` (relative to the .blend's folder, Blender's convention).

A project folder is copied or shared as a whole, so every path the add-on stores (take clips and
sidecars, strips' media, the batch queue file) is kept relative to the .blend whenever it lies inside
the .blend's folder, and resolved again where it is used. Paths outside that folder stay absolute:
``//../..`` would break as soon as the project moved without its neighbours. Plain Python (no bpy),
so the queue file and the tests use the same rule as the Blender side.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

PREFIX = "//"


class BlendFolder:
    """Convert paths for one .blend file: :meth:`store` before keeping a path, :meth:`resolve` before using it.

    :param blend_file: the .blend's path; ``""`` (an unsaved file) keeps every path absolute.
    """

    def __init__(self, blend_file: str) -> None:
        self.folder = os.path.dirname(os.path.abspath(blend_file)) if blend_file else ""

    def store(self, path: str) -> str:
        """``path`` as ``//sub/file`` when it lies inside the .blend's folder, else absolute (``""`` stays)."""
        if not path:
            return path
        absolute = self.resolve(path)
        if not self.folder:
            return absolute
        try:
            relative = os.path.relpath(absolute, self.folder)
        except ValueError:  # another drive (Windows)
            return absolute
        if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
            return absolute
        # Forward slashes: Blender reads them on every OS, so a project made on Linux opens on Windows.
        return PREFIX + ("" if relative == os.curdir else relative.replace(os.sep, "/"))

    def resolve(self, path: str) -> str:
        """An absolute path: ``//`` paths joined to the .blend's folder; others made absolute (``""`` stays)."""
        if not path:
            return path
        if path.startswith(PREFIX):
            if not self.folder:
                raise ValueError(f"{path} is relative to the .blend file, but the file is not saved")
            return os.path.normpath(os.path.join(self.folder, path[len(PREFIX):].replace("/", os.sep)))
        return os.path.abspath(path)

    def store_request(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """A plain job request (``request_to_plain``) with its take folder and input images stored."""
        return self._request(request, self.store)

    def resolve_request(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Inverse of :meth:`store_request`: the request as a host needs it, every path absolute."""
        return self._request(request, self.resolve)

    @staticmethod
    def _request(request: Mapping[str, Any], convert: Any) -> dict[str, Any]:
        out = dict(request)
        if out.get("take_dir"):
            out["take_dir"] = convert(out["take_dir"])
        settings = dict(out.get("settings") or {})
        for name in INPUT_SETTINGS:
            if isinstance(settings.get(name), str):
                settings[name] = convert(settings[name])
        if "settings" in out:
            out["settings"] = settings
        extra = dict(out.get("sidecar_extra") or {})
        inputs = extra.get("inputs")
        if isinstance(inputs, Mapping):
            extra["inputs"] = {
                role: {**record, "path": convert(record["path"])} if isinstance(record.get("path"), str) else record
                for role, record in inputs.items()
                if isinstance(record, Mapping)
            }
        if "sidecar_extra" in out:
            out["sidecar_extra"] = extra
        return out


#: The WanGP settings that name an input file (``shared/api.py``'s image inputs the add-on sends).
INPUT_SETTINGS = ("image_start", "image_end")
