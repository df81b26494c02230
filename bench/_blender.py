"""Headless Blender with the built extension for the benchmarks, set up like the Blender test tier.

Importing the tier's ``conftest`` sets ``BLENDER_USER_RESOURCES`` to a temp folder before ``bpy`` is
imported, builds and installs the zip, and writes an empty 24 fps Workbench file.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "blender"))

import conftest  # noqa: E402  (sets up Blender before it imports bpy)

bpy = conftest.bpy
md = conftest._MD


def open_empty() -> bpy.types.Scene:
    md.runtime.lifecycle.stop(timeout=10.0)
    bpy.ops.wm.open_mainfile(filepath=conftest._EMPTY_BLEND)
    scene = bpy.context.scene
    scene.movie_director.output_dir = tempfile.mkdtemp(prefix="md_bench_takes_", dir=conftest._TMP)
    return scene


def use_fake_wangp(**config) -> str:
    """Point the add-on at the WanGP test double with ``config`` (the fake re-reads it on every submit)."""
    path = os.path.join(tempfile.mkdtemp(prefix="md_bench_fake_", dir=conftest._TMP), "fake_wangp.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(config, fh)
    os.environ.update(WANGP_ROOT=conftest.FAKE_WANGP_ROOT, WANGP_SITE_PACKAGES=conftest.WANGP_SITE_PACKAGES,
                      FAKE_WANGP_CONFIG=path)
    return path


def add_shots(scene: bpy.types.Scene, count: int, length: int = 16, models: tuple[str, ...] = ("t2v_1.3B",)) -> list:
    """``count`` camera shots back to back, models taken in turn from ``models``."""
    shots = []
    for i in range(count):
        name = f"SH{(i + 1) * 10:04d}"
        camera = bpy.data.objects.new(name, bpy.data.cameras.new(name))
        scene.collection.objects.link(camera)
        bpy.context.view_layer.objects.active = camera
        bpy.ops.movie_director.mark_shot()
        shot = camera.movie_director
        shot.frame_start, shot.frame_end = 1 + i * length, (i + 1) * length
        shot.prompt = f"{name}: a cube on a table"
        shot.resolution = "128x96"
        shot.quality = "PREVIEW"
        shot.camera_mode = "NONE"
        shot.model_type = models[i % len(models)]
        shots.append(camera)
    return shots


def wait_ready(timeout: float = 60.0) -> None:
    import time

    md.runtime.lifecycle.ensure_host(bpy.context)
    deadline = time.monotonic() + timeout
    while not md.runtime.session.ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"session not ready: {md.runtime.session.view()}")
        md.pump()
        time.sleep(0.01)


def stop() -> None:
    md.runtime.lifecycle.stop(timeout=10.0)
    md.runtime.timer.stop_timer()
