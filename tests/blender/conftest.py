"""The Blender tier: one headless Blender (``bpy`` imports once per process) with the built extension.

Before ``import bpy`` the user resources go to a temp folder (the machine's Blender config is never
touched); the extension is built with ``tools/ext.py`` and installed into the ``user_default`` repo
exactly like a user's download, so the module is ``bl_ext.user_default.movie_director``.

WanGP is the test double in ``tests/fake_wangp``, enabled per test by the ``fake_wangp`` fixture
through the same ``WANGP_*`` variables a headless user sets; without it the add-on runs the layout
animatic. ``bpy.app.timers`` never fire headless: tests drive ``md.pump()`` with ``drive``.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE_WANGP_ROOT = os.path.join(REPO, "tests", "fake_wangp")
WANGP_SITE_PACKAGES = os.environ.get(
    "MD_TEST_WANGP_SITE_PACKAGES", os.path.join(REPO, ".venv-wangp", "lib", "python3.11", "site-packages")
)
MODULE = "bl_ext.user_default.movie_director"
WANGP_PYTHON = os.environ.get("MD_TEST_WANGP_PYTHON", os.path.join(REPO, ".venv-wangp", "bin", "python"))


def _python_version(python: str) -> tuple[int, int] | None:
    try:
        done = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    major, minor = done.stdout.split()
    return int(major), int(minor)


#: WanGP can load inside Blender only when its environment has Blender's Python version: Blender 4.2 to
#: 5.0 run 3.11 like WanGP's environment, 5.1 and later run 3.13 and always use the bridge.
WANGP_PYTHON_VERSION = _python_version(WANGP_PYTHON)
IN_PROCESS_POSSIBLE = WANGP_PYTHON_VERSION == tuple(sys.version_info[:2])
#: For tests that load WanGP inside Blender: skipped, with the reason in pytest's summary, where they cannot apply.
needs_in_process = pytest.mark.skipif(
    not IN_PROCESS_POSSIBLE,
    reason=f"not applicable: WanGP's environment runs Python {'.'.join(map(str, WANGP_PYTHON_VERSION or ()))} and "
           f"this Blender's Python {sys.version_info[0]}.{sys.version_info[1]}, so WanGP cannot load inside Blender "
           "(the bridge tests cover this Blender)",
)
#: ``MD_TEST_HOST_MODE=BRIDGE`` runs every WanGP scenario with WanGP in a bridge child process (the
#: WanGP stand-in environment's own interpreter) instead of inside Blender; CI runs the scenario files
#: both ways. Without it, automatic mode picks in-process (same Python version), and where the versions
#: differ the bridge is the only mode, so it is the default there.
HOST_MODE = os.environ.get("MD_TEST_HOST_MODE", "") or ("" if IN_PROCESS_POSSIBLE else "BRIDGE")
#: The bridge pass of a Blender that also has an in-process pass (5.0.1 in CI): only the tests the host mode
#: changes run in it, those with the WanGP double (``fake_wangp`` hands them ``MD_TEST_HOST_MODE``). The others
#: (the demo in its own process, the farm, renders, panels, a test that picks its own mode) would run exactly as
#: in the in-process pass, which already ran them; where the bridge is the only mode (5.1 on), everything runs.
BRIDGE_PASS_OF_BOTH = os.environ.get("MD_TEST_HOST_MODE", "") == "BRIDGE" and IN_PROCESS_POSSIBLE

_TMP = tempfile.mkdtemp(prefix="md_blender_tier_")
# Gone when the process ends (every run of the tier, a bench or a fault worker made one: megabytes each, left in
# /tmp). Registered before bpy is imported, so it runs after bpy's own exit handlers (atexit runs them in reverse).
atexit.register(shutil.rmtree, _TMP, True)
os.environ["BLENDER_USER_RESOURCES"] = os.path.join(_TMP, "user")
# Tests choose WanGP explicitly (fixture ``fake_wangp``); a developer's own settings must not leak in.
for _name in ("WANGP_ROOT", "WANGP_SITE_PACKAGES", "WANGP_ARGS", "WANGP_HOST_MODE", "WANGP_PYTHON",
              "FAKE_WANGP_CONFIG"):
    os.environ.pop(_name, None)

import bpy  # noqa: E402  (must come after BLENDER_USER_RESOURCES is set)


def _build_zip() -> str:
    out = os.path.join(_TMP, "dist")
    done = subprocess.run(
        [sys.executable, os.path.join(REPO, "tools", "ext.py"), "build", "--out", out],
        check=True, capture_output=True, text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _install() -> object:
    zip_path = _build_zip()
    bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
    return importlib.import_module(MODULE)


def _make_empty_blend(path: str) -> None:
    """A file with one empty 24 fps scene rendered with Workbench (fast headless renders)."""
    for collection in (bpy.data.objects, bpy.data.cameras, bpy.data.meshes, bpy.data.lights, bpy.data.materials):
        for item in list(collection):
            collection.remove(item)
    scene = bpy.context.scene
    scene.name = "Scene"
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.render.fps, scene.render.fps_base = 24, 1.0
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 320, 180, 100
    scene.frame_start, scene.frame_end, scene.frame_current = 1, 120, 1
    bpy.ops.wm.save_as_mainfile(filepath=path)


def pytest_report_header(config) -> str:
    if BRIDGE_PASS_OF_BOTH:
        return ("bridge pass: only the tests with the WanGP double (fixture fake_wangp) run; the others are "
                "deselected, the in-process pass runs them the same")
    return ""


def pytest_collection_modifyitems(config, items) -> None:
    if not BRIDGE_PASS_OF_BOTH:
        return
    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    same = [item for item in items if str(item.path).startswith(here)
            and "fake_wangp" not in getattr(item, "fixturenames", ())]
    if same:
        config.hook.pytest_deselected(items=same)
        items[:] = [item for item in items if item not in same]


_MD = _install()
_EMPTY_BLEND = os.path.join(_TMP, "empty.blend")
_make_empty_blend(_EMPTY_BLEND)


@pytest.fixture(scope="session")
def md():
    """The installed extension's top-level module."""
    return _MD


@pytest.fixture(scope="session")
def empty_blend() -> str:
    return _EMPTY_BLEND


def _stop_everything(md) -> None:
    md.runtime.lifecycle.stop(timeout=10.0)
    md.runtime.timer.stop_timer()


@pytest.fixture(autouse=True)
def _no_session_left(md):
    """Every test ends with no session, no timer and no pending job, whatever it did."""
    yield
    _stop_everything(md)
    assert not md.runtime.timer.timer_registered()


@pytest.fixture
def fresh_scene(md, empty_blend) -> bpy.types.Scene:
    """A new empty file (one 24 fps Workbench scene). ``read_homefile`` would disable the extension."""
    _stop_everything(md)
    bpy.ops.wm.open_mainfile(filepath=empty_blend)
    return bpy.context.scene


@pytest.fixture
def drive(md) -> Callable[..., None]:
    """``drive(predicate, timeout=30)``: pump until ``predicate()`` is true; fail the test on timeout."""

    def run(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
            delay = md.pump()
            time.sleep(min(delay if delay is not None else 0.01, 0.01))

    return run


@pytest.fixture
def fake_wangp(md, tmp_path, monkeypatch) -> Callable[..., dict]:
    """Point the add-on at the WanGP test double; returns ``configure(**keys)`` for its script file.

    Jobs are kept tiny and quick (few steps, short delays); the config file is re-read on every submit.
    """
    config_path = tmp_path / "fake_wangp.json"
    config = {"load_delay_s": 0.05, "step_delay_s": 0.02, "steps_cap": 4}

    def configure(**values) -> dict:
        config.update(values)
        # Written whole, then renamed: the fake re-reads the file from its job threads at any moment.
        config_path.with_suffix(".tmp").write_text(json.dumps(config))
        os.replace(config_path.with_suffix(".tmp"), config_path)
        return dict(config)

    configure()
    monkeypatch.setenv("WANGP_ROOT", FAKE_WANGP_ROOT)
    monkeypatch.setenv("WANGP_SITE_PACKAGES", WANGP_SITE_PACKAGES)
    monkeypatch.setenv("FAKE_WANGP_CONFIG", str(config_path))
    if HOST_MODE:
        monkeypatch.setenv("WANGP_HOST_MODE", HOST_MODE)
        monkeypatch.setenv("WANGP_PYTHON", WANGP_PYTHON)
    yield configure
    _stop_everything(md)


@pytest.fixture
def output_dir(fresh_scene, tmp_path) -> str:
    """The scene's takes folder, inside the test's temp folder."""
    path = str(tmp_path / "takes")
    fresh_scene.movie_director.output_dir = path
    return path


@pytest.fixture
def make_shot(fresh_scene) -> Callable[..., bpy.types.Object]:
    """``make_shot(name, start, end, prompt=...)``: a camera marked with the operator, active, tiny output."""

    def make(name: str = "SH010", start: int = 1, end: int = 48, prompt: str = "a red cube on a table",
             resolution: str = "128x96") -> bpy.types.Object:
        scene = bpy.context.scene
        camera = bpy.data.objects.new(name, bpy.data.cameras.new(name))
        scene.collection.objects.link(camera)
        camera.location = (0.0, -6.0, 1.5)
        camera.rotation_euler = (1.4, 0.0, 0.0)
        bpy.context.view_layer.objects.active = camera
        bpy.ops.movie_director.mark_shot()
        shot = camera.movie_director
        shot.frame_start, shot.frame_end = start, end
        shot.prompt = prompt
        shot.resolution = resolution
        shot.quality = "PREVIEW"
        shot.camera_mode = "NONE"
        return camera

    return make
