"""Check a WanGP install and its Python environment before importing anything from them.

Importing a broken or mismatched install inside Blender fails late and cryptically (a binary wheel
built for another Python crashes or raises an obscure ``ImportError``), so everything that can be
read from the folder layout is checked first and reported as one line the user can act on.
"""

from __future__ import annotations

import os
import re
import sys

from .requests import SessionConfig

_LIB_PYTHON = re.compile(r"^python(\d+)\.(\d+)t?$", re.IGNORECASE)
_CFG_VERSION = re.compile(r"^\s*(?:version|version_info)\s*=\s*(\d+)\.(\d+)", re.IGNORECASE | re.MULTILINE)

_PREFS_HINT = "Set the WanGP folder in the add-on preferences (or the WANGP_ROOT environment variable)."
_PACKAGES_HINT = (
    "Set the WanGP packages folder to the site-packages folder of WanGP's Python environment "
    "(add-on preferences or WANGP_SITE_PACKAGES)."
)


class StartError(Exception):
    """WanGP cannot be started; ``message`` says what is wrong and ``hint`` what to do, one line each."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def env_python_version(site_packages: str) -> tuple[int, int] | None:
    """The ``(major, minor)`` Python version of the environment owning ``site_packages``, if the layout tells.

    POSIX environments name it in the path (``lib/python3.10/site-packages``); Windows layouts
    (``Lib/site-packages``) do not, so the venv's ``pyvenv.cfg`` in the environment root is read.
    """
    path = os.path.normpath(site_packages)
    parent = os.path.dirname(path)
    match = _LIB_PYTHON.match(os.path.basename(parent))
    if match and os.path.basename(os.path.dirname(parent)).lower() == "lib":
        return int(match.group(1)), int(match.group(2))
    if os.path.basename(parent).lower() == "lib":
        cfg = os.path.join(os.path.dirname(parent), "pyvenv.cfg")
        try:
            with open(cfg, encoding="utf-8", errors="replace") as fh:
                found = _CFG_VERSION.search(fh.read())
        except OSError:
            return None
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def check_install(config: SessionConfig, running: tuple[int, int] | None = None) -> None:
    """Raise :class:`StartError` if ``config`` cannot point at a usable WanGP install for this Python."""
    running = running or (sys.version_info.major, sys.version_info.minor)
    root = config.wangp_root
    if not root:
        raise StartError("No WanGP folder is set.", _PREFS_HINT)
    if not os.path.isabs(root):
        raise StartError(f"The WanGP folder must be an absolute path, got '{root}'.", _PREFS_HINT)
    if not os.path.isdir(root):
        raise StartError(f"WanGP folder not found: {root}.", _PREFS_HINT)
    for marker in ("wgp.py", os.path.join("shared", "api.py")):
        if not os.path.isfile(os.path.join(root, marker)):
            raise StartError(
                f"Not a WanGP install: {root} has no {marker.replace(os.sep, '/')}.",
                "Point the WanGP folder at the folder that holds wgp.py (a WanGP release with the shared/api.py API).",
            )
    if config.output_dir and not os.path.isabs(config.output_dir):
        raise StartError(f"The WanGP output folder must be an absolute path, got '{config.output_dir}'.")
    packages = config.site_packages
    if not packages:
        return
    if not os.path.isabs(packages):
        raise StartError(f"The WanGP packages folder must be an absolute path, got '{packages}'.", _PACKAGES_HINT)
    if not os.path.isdir(packages):
        raise StartError(f"WanGP packages folder not found: {packages}.", _PACKAGES_HINT)
    found = env_python_version(packages)
    if found is not None and found != running:
        have, want = "{}.{}".format(*found), "{}.{}".format(*running)
        raise StartError(
            f"WanGP's Python environment is Python {have} but Blender runs Python {want}: "
            f"its packages cannot be loaded into Blender.",
            f"Make WanGP's environment with Python {want} (the same as Blender's), "
            f"or run WanGP through the bridge in its own Python.",
        )
