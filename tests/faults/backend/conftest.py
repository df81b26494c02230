"""The faults tier, bpy-free part: the backend tier's fixtures (the WanGP test double and its script).

Loaded from ``tests/backend/conftest.py`` so both tiers drive the double the same way; that folder
is also put on ``sys.path`` for its helpers (``host_helpers``, ``bridge_hosts``).
"""

from __future__ import annotations

import importlib.util
import os
import sys

_BACKEND = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "backend")
sys.path.insert(0, _BACKEND)
_spec = importlib.util.spec_from_file_location("md_backend_tier_conftest", os.path.join(_BACKEND, "conftest.py"))
_tier = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tier)
globals().update({name: value for name, value in vars(_tier).items() if not name.startswith("__")})

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from scoreboard import pytest_runtest_makereport, scenario, write_results  # noqa: E402, F401


def pytest_sessionfinish(session) -> None:
    write_results("backend")
