"""Shared fixtures for the plain (no bpy) backend tests: the WanGP test double and its script."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

FAKE_ROOT = Path(__file__).resolve().parents[1] / "fake_wangp"


@pytest.fixture
def fake_root() -> str:
    """Absolute path of the fake WanGP install (``tests/fake_wangp``)."""
    return str(FAKE_ROOT)


@pytest.fixture
def fake_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """Point ``FAKE_WANGP_CONFIG`` at a JSON file; returns ``update(values=None, **more)`` to change it.

    Updates merge into what was set before and take effect at the next submit (the fake re-reads it).
    """
    path = tmp_path / "fake_wangp_config.json"
    current: dict[str, Any] = {}

    def update(values: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
        current.update(values or {}, **more)
        # Written whole, then renamed: the fake re-reads the file from its job threads at any moment.
        path.with_suffix(".tmp").write_text(json.dumps(current), encoding="utf-8")
        os.replace(path.with_suffix(".tmp"), path)
        return dict(current)

    update()
    monkeypatch.setenv("FAKE_WANGP_CONFIG", str(path))
    return update


@pytest.fixture(autouse=True)
def _reset_fake_wangp():
    """After each test, stop the fake's jobs and forget its runtime, so tests never share a session."""
    yield
    api = sys.modules.get("shared.api")
    if api is not None and Path(api.__file__).resolve().is_relative_to(FAKE_ROOT):
        api._reset_for_tests()
