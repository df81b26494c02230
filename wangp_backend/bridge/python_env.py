"""Find the Python interpreter of WanGP's environment and ask it its version.

The add-on's preferences name WanGP's ``site-packages`` folder (or the environment folder); the
bridge needs the interpreter that owns it, and the automatic mode choice needs its version.
"""

from __future__ import annotations

import os
import subprocess
import sys

# Relative to an environment root: venv/virtualenv/conda on POSIX, venv on Windows, conda on Windows.
_INTERPRETERS = (
    os.path.join("bin", "python3"),
    os.path.join("bin", "python"),
    os.path.join("Scripts", "python.exe"),
    "python.exe",
)
#: ``<env>/lib/python3.11/site-packages`` is three levels below the environment root.
_MAX_LEVELS_UP = 3
_VERSION_CODE = "import sys; sys.stdout.write('%d.%d.%d' % sys.version_info[:3])"


def find_python(site_packages_or_env_dir: str) -> str | None:
    """The interpreter of the environment holding ``site_packages_or_env_dir``, or ``None``.

    Accepts an interpreter path, an environment folder, or a ``site-packages`` folder inside one
    (walked up to the environment root, never further, so a stray ``python`` higher up is not taken).
    """
    path = os.path.abspath(os.path.expanduser(site_packages_or_env_dir))
    if not os.path.exists(path):
        return None
    if os.path.isfile(path):
        return path if _is_executable(path) else None
    folder = path
    for _ in range(_MAX_LEVELS_UP + 1):
        for relative in _INTERPRETERS:
            candidate = os.path.join(folder, relative)
            if os.path.isfile(candidate) and _is_executable(candidate):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None


def _is_executable(path: str) -> bool:
    return sys.platform == "win32" or os.access(path, os.X_OK)


def python_version(python: str, timeout: float = 30.0) -> str | None:
    """``"3.11.7"`` for the interpreter ``python``, or ``None`` if it cannot be run.

    Runs it (a first start of a cold interpreter can take seconds): never call this from a draw.
    """
    try:
        done = subprocess.run(
            [python, "-E", "-c", _VERSION_CODE],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    version = done.stdout.strip()
    return version if done.returncode == 0 and version.count(".") == 2 else None


def running_version() -> str:
    """The version of the Python running this code (Blender's, in the add-on)."""
    return ".".join(str(part) for part in sys.version_info[:3])
