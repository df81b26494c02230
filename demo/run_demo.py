"""Movie Director, start to finish in a headless Blender: three camera shots in, three clips on the timeline out.

Run it with the Python that has ``bpy`` installed::

    .venv-bpy/bin/python demo/run_demo.py [--out DIR]      # DIR defaults to ./demo_out

It builds the extension zip, installs it into a sandboxed Blender user folder, builds a small set
with three camera shots (a dolly in, a pan, a static wide), marks them as shots with prompts,
generates them all with ``movie_director.generate_scene(quality="PREVIEW")``, saves
``DIR/movie_director_demo.blend`` with the clips on its timeline and prints one line per shot.

With ``WANGP_ROOT`` (and ``WANGP_SITE_PACKAGES``, ``WANGP_ARGS``) set, WanGP generates the clips.
Without, the layout animatic does: a Blender render of the layout through each shot camera, NOT AI
video; it exercises the whole pipeline on any machine. Exit code 1 when any shot failed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import TextIO

DEMO_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(DEMO_DIR)
BLEND_NAME = "movie_director_demo.blend"
LOG_NAME = "blender_output.log"
ADDON_MODULE = "bl_ext.user_default.movie_director"


@contextlib.contextmanager
def output_to(log_path: str) -> Iterator[TextIO]:
    """Send everything written to file descriptors 1 and 2 (Blender's C code prints there: "Saved:",
    "Video append frame"...) into ``log_path``; yield a stream to the real console for the demo's own lines."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    console = os.fdopen(os.dup(saved[0]), "w", buffering=1)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield console
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            console.close()


def generator_line() -> str:
    root = os.environ.get("WANGP_ROOT", "")
    if root:
        return f"Generator: WanGP from {root} (AI video)"
    return ("Generator: the layout animatic. WanGP is not configured (WANGP_ROOT is not set), so each shot is "
            "rendered by Blender through its own camera: a Blender render of the layout, NOT AI video.")


def install_extension(build_dir: str) -> object:
    """Build the zip with ``tools/ext.py`` and install it the way a user does; return the add-on module."""
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import ext

    import bpy

    zip_path = ext.build(build_dir)
    bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
    return importlib.import_module(ADDON_MODULE)


def mark_shots(cameras: list, plans: tuple) -> None:
    import bpy

    for camera, plan in zip(cameras, plans, strict=True):
        with bpy.context.temp_override(active_object=camera, object=camera, selected_objects=[camera]):
            bpy.ops.movie_director.mark_shot()
        shot = camera.movie_director
        shot.frame_start, shot.frame_end = plan.frame_start, plan.frame_end
        shot.prompt = plan.prompt
        shot.camera_mode = "MANUAL"
        shot.camera_movements = set(plan.camera_moves)


def run(out_dir: str, say) -> int:
    import bpy

    import demo_scene
    import demo_summary

    started = time.monotonic()
    blend_path = os.path.join(out_dir, BLEND_NAME)
    with tempfile.TemporaryDirectory(prefix="md_demo_build_") as build_dir:
        md = install_extension(build_dir)
    say(f"Installed the extension as {md.__name__} (Blender {bpy.app.version_string})")

    scene = bpy.context.scene
    demo_scene.clear_data()
    demo_scene.build_set(scene)
    cameras = demo_scene.build_cameras(scene)
    # Saved first so the default output folder (//movie_director/) is next to the .blend in out_dir.
    bpy.ops.wm.save_as_mainfile(filepath=blend_path)
    mark_shots(cameras, demo_scene.SHOTS)
    say(f"Scene '{scene.name}' at {scene.render.fps} fps with {len(cameras)} shots; generating (PREVIEW)...")

    generate_error = ""
    try:
        bpy.ops.movie_director.generate_scene(quality="PREVIEW")
    except RuntimeError as exc:  # an ERROR report of the operator: show it and still report the shots
        generate_error = str(exc).strip()
    finally:
        md.runtime.session.stop()
    bpy.ops.wm.save_mainfile()

    strips = list(md.compat.all_strips(scene.sequence_editor)) if scene.sequence_editor else []
    rows = demo_summary.shot_rows(scene, strips, out_dir)
    say("")
    say(demo_summary.table(rows))
    say("")
    if generate_error:
        say(f"generate_scene reported: {generate_error}")
    if scene.movie_director.batch_summary:
        say(f"Batch: {scene.movie_director.batch_summary}")
    say(f"Saved {blend_path} in {time.monotonic() - started:.1f} s")
    ok = len(rows) == len(demo_scene.SHOTS) and all(row.ok for row in rows)
    say("All shots done." if ok else "Some shots FAILED (see the table and the log).")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="demo_out", help="output folder (default: ./demo_out)")
    out_dir = os.path.abspath(parser.parse_args(argv).out)
    os.makedirs(out_dir, exist_ok=True)
    log_path = os.path.join(out_dir, LOG_NAME)

    print(f"Movie Director demo -> {out_dir}")
    print(generator_line())
    print(f"Blender's own output goes to {log_path}", flush=True)

    # Must be set before bpy is imported: Blender reads it once, and the demo must not touch the
    # user's real Blender configuration or extensions.
    user_dir = tempfile.mkdtemp(prefix="md_demo_user_")
    os.environ["BLENDER_USER_RESOURCES"] = user_dir
    sys.path.insert(0, DEMO_DIR)
    try:
        with output_to(log_path) as console:
            return run(out_dir, lambda line: print(line, file=console))
    finally:
        shutil.rmtree(user_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
