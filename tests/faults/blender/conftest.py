"""The faults tier, Blender part: the Blender tier's fixtures (one headless Blender with the built extension).

Loaded from ``tests/blender/conftest.py`` so both tiers install, reset and drive the add-on the same way.
"""

from __future__ import annotations

import importlib.util
import os
import sys

_BLENDER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "blender")
_spec = importlib.util.spec_from_file_location("md_blender_tier_conftest", os.path.join(_BLENDER, "conftest.py"))
_tier = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tier)
globals().update({name: value for name, value in vars(_tier).items() if not name.startswith("__")})

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from scoreboard import pytest_runtest_makereport, scenario, write_results  # noqa: E402, F401


def pytest_sessionfinish(session) -> None:
    import bpy

    mode = os.environ.get("MD_TEST_HOST_MODE", "").lower() or "in-process"
    write_results(f"blender-{bpy.app.version_string.split()[0]}-{mode}")
