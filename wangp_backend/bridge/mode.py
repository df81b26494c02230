"""Choose between running WanGP inside Blender and running it through the bridge.

In-process is faster and simpler, but only works when WanGP's packages were built for the Python
that Blender runs; the bridge works with any WanGP environment at the cost of a process boundary.
"""

from __future__ import annotations

SETTINGS = ("AUTO", "IN_PROCESS", "BRIDGE")


def _minor(version: str) -> str:
    """``"3.11"`` from ``"3.11.7"``: binary packages are built per minor version."""
    return ".".join(version.split(".")[:2])


def choose_mode(setting: str, env_python_version: str | None, running_version: str) -> tuple[str, str]:
    """``("in_process" | "bridge", reason)``; the reason is one sentence shown to the user.

    :param setting: the preference, ``"AUTO"``, ``"IN_PROCESS"`` or ``"BRIDGE"``.
    :param env_python_version: the Python version of WanGP's environment, ``None`` when unknown (no
        interpreter was found next to its packages).
    :param running_version: the version of the Python running Blender.
    """
    if setting not in SETTINGS:
        raise ValueError(f"unknown WanGP mode setting {setting!r}, expected one of {', '.join(SETTINGS)}")
    running = _minor(running_version)
    env = _minor(env_python_version) if env_python_version else None
    if setting == "IN_PROCESS":
        if env is not None and env != running:
            return "in_process", (
                f"WanGP runs inside Blender as set in the preferences, although its environment is Python {env} "
                f"and Blender runs Python {running}: its packages will likely fail to load."
            )
        return "in_process", "WanGP runs inside Blender, as set in the preferences."
    if setting == "BRIDGE":
        if env is None:
            return "bridge", (
                "WanGP runs in its own Python process as set in the preferences, but no Python interpreter "
                "was found in WanGP's environment."
            )
        return "bridge", f"WanGP runs in its own Python {env} process, as set in the preferences."
    if env is None:
        return "in_process", (
            "WanGP runs inside Blender: no Python interpreter was found in WanGP's environment to run it separately."
        )
    if env == running:
        return "in_process", f"WanGP runs inside Blender: its environment uses Python {env}, the same as Blender."
    return "bridge", (
        f"WanGP runs in its own Python process: its environment uses Python {env} and Blender runs Python {running}."
    )
