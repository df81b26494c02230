"""The demo's steps inside Blender: install the extension, build the shots, generate, save, summarise.

Imported by ``run_demo.py`` only after it has pointed ``BLENDER_USER_RESOURCES`` at a sandbox,
because Blender reads that once, when ``bpy`` is first imported.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from types import ModuleType
from typing import TextIO

import bpy
import demo_finish
import demo_scene
import demo_summary

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON_MODULE = "bl_ext.user_default.movie_director"


def install_extension(build_dir: str) -> ModuleType:
    """Build the zip with ``tools/ext.py`` and install it the way a user does; return the add-on module."""
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import ext  # tools/ is not a package: importable only once it is on the path

    zip_path = ext.build(build_dir)
    bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
    return importlib.import_module(ADDON_MODULE)


def mark_shots(cameras: list[bpy.types.Object]) -> None:
    """Mark each camera with the operator a user clicks, then give it its plan's frames, prompt and moves."""
    for camera, plan in zip(cameras, demo_scene.SHOTS, strict=True):
        with bpy.context.temp_override(active_object=camera, object=camera, selected_objects=[camera]):
            bpy.ops.movie_director.mark_shot()
        shot = camera.movie_director
        shot.frame_start, shot.frame_end = plan.frame_start, plan.frame_end
        shot.prompt = plan.prompt
        shot.camera_mode = "MANUAL"
        shot.camera_movements = set(plan.camera_moves)
        shot.guide, shot.keyframes, shot.model_type = plan.guide, plan.keyframes, plan.model_type


def run(out_dir: str, blend_name: str, say: Callable[[str], None], allow_online: bool = False,
        progress: TextIO | None = None) -> int:
    """The whole demo; returns the exit code (1 when a shot has no take on the timeline).

    :param progress: where ``generate_scene`` writes its progress lines (default: stderr).
    """
    started = time.monotonic()
    # The sandbox's preference, like the user's "Allow Online Access": off means WanGP runs offline.
    bpy.context.preferences.system.use_online_access = allow_online
    blend_path = os.path.join(out_dir, blend_name)
    stem = os.path.splitext(blend_name)[0]
    # The run works in its own file beside the result (so "//movie_director/" is in out_dir too), and
    # only a run whose every shot is done becomes the result: a failed run never replaces a good one.
    work_path = os.path.join(out_dir, f".{stem}.running.blend")
    failed_path = os.path.join(out_dir, f"{stem}_failed.blend")
    with tempfile.TemporaryDirectory(prefix="md_demo_build_") as build_dir:
        md = install_extension(build_dir)
    say(f"Installed the extension as {md.__name__} (Blender {bpy.app.version_string})")
    md.runtime.wait_report.stream = progress

    # No "<name>.blend1" backup beside the result (these preferences are the sandbox's, not the user's).
    bpy.context.preferences.filepaths.save_version = 0
    scene = bpy.context.scene
    demo_scene.clear_data()
    demo_scene.build_set(scene)
    cameras = demo_scene.build_cameras(scene)
    demo_scene.build_walker(scene)
    # Saved first so the default output folder (//movie_director/) is next to the .blend in out_dir.
    bpy.ops.wm.save_as_mainfile(filepath=work_path)
    mark_shots(cameras)
    image, line = demo_scene.build_cast(scene, os.path.join(out_dir, "demo_media"))
    say(f"Cast: {demo_scene.CHARACTER} (reference {os.path.basename(image)})"
        + (f"; a line of dialogue ({os.path.basename(line)}) under {cameras[0].name}" if line else ""))
    say(f"Scene '{scene.name}' at {scene.render.fps} fps with {len(cameras)} shots; generating (PREVIEW)...")

    generate_error = ""
    finished = False
    try:
        bpy.ops.movie_director.generate_scene(quality="PREVIEW")
        finished = demo_finish.review(cameras, say)
    except RuntimeError as exc:  # the operator reported an ERROR: show it, and still report every shot
        generate_error = str(exc).strip()
    finally:
        # Also unregisters the pump's timer: one left at exit hangs Blender 4.5 and crashes 4.2.
        md.runtime.lifecycle.stop()
    strips = list(md.compat.all_strips(scene.sequence_editor)) if scene.sequence_editor else []
    rows = demo_summary.shot_rows(scene, strips, out_dir, md.compat)
    ok = len(rows) == len(demo_scene.SHOTS) and all(row.ok for row in rows)
    # Saved under its final name before the contact sheet and the cut: the sheet's title names the .blend,
    # which must be the result, not the hidden working file about to be removed.
    bpy.ops.wm.save_as_mainfile(filepath=blend_path if ok else failed_path)
    os.remove(work_path)
    finished = demo_finish.deliver(out_dir, say) and finished
    bpy.ops.wm.save_mainfile()  # what the contact sheet and the export recorded on the scene
    say("")
    say(demo_summary.table(rows))
    say("")
    for row in rows:
        if row.error:
            say(f"{row.shot}: {row.error}")
    if generate_error:
        say(f"generate_scene reported: {generate_error}")
    if scene.movie_director.batch_summary:
        say(f"Batch: {scene.movie_director.batch_summary}")
    say(f"Saved {blend_path if ok else failed_path} ({time.monotonic() - started:.1f} s)")
    if not ok and os.path.isfile(blend_path):
        say(f"The earlier result {blend_path} is kept as it was.")
    say("All shots done." if ok else "Some shots FAILED: see the table above and the log.")
    if ok and not finished:
        say("A finishing step (approve, post-process, contact sheet, cut) FAILED: see the lines above.")
    return 0 if ok and finished else 1
