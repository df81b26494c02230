"""Movie Director: generate AI video for the shots of a scene with WanGP and cut it into the sequencer.

This module only registers the packages; ``pump()`` is the main-thread step that scripts and tests
drive by hand (timers never fire in headless ``bpy``).
"""

from . import keymaps, menus, operators, panels, preferences, properties, runtime
from .runtime.pump import pump

__all__ = ["pump", "register", "unregister"]

_modules = (preferences, properties, runtime, operators, panels, menus, keymaps)


def register() -> None:
    for module in _modules:
        module.register()


def unregister() -> None:
    for module in reversed(_modules):
        module.unregister()
