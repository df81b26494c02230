"""Movie Director, start to finish in a headless Blender: three camera shots in, three clips on the timeline out.

Run it with the Python that has ``bpy`` installed::

    .venv-bpy/bin/python demo/run_demo.py [--out DIR]      # DIR defaults to ./demo_out

It builds the extension zip, installs it into a sandboxed Blender user folder, builds a small set
with three camera shots (a dolly in, a pan, a static wide), marks them as shots with prompts,
generates them all with ``movie_director.generate_scene(quality="PREVIEW")``, saves
``DIR/movie_director_demo.blend`` with the clips on its timeline and prints one line per shot. A run
with a failed shot saves ``DIR/movie_director_demo_failed.blend`` instead: a good result is never
replaced by a failed one.

With ``WANGP_ROOT`` (and ``WANGP_SITE_PACKAGES``, ``WANGP_ARGS``) set, WanGP generates the clips;
with ``--farm``, the farm started by ``bash tools/farm.sh up N`` does (each take's sidecar names its worker).
Without, the layout animatic does: a Blender render of the layout through each shot camera, NOT AI
video; it exercises the whole pipeline on any machine. Exit code 1 when any shot failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import TextIO

DEMO_DIR = os.path.dirname(os.path.abspath(__file__))
BLEND_NAME = "movie_director_demo.blend"
LOG_NAME = "blender_output.log"


@contextlib.contextmanager
def output_to(log_path: str) -> Iterator[TextIO]:
    """Send file descriptors 1 and 2 to ``log_path`` and yield a stream to the real console.

    Blender's C code prints a line per rendered image and encoded frame ("Saved:", "Video append
    frame"); the demo's own lines stay readable on the console and nothing is lost.
    """
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


def use_farm(out_dir: str) -> str:
    """Farm mode for the demo: the URL and token from the environment, else from ``tools/farm.sh up``."""
    env_file = os.path.join(out_dir, "farm", "farm.env")
    if not os.environ.get("MD_FARM_URL") and os.path.isfile(env_file):
        with open(env_file, encoding="utf-8") as fh:
            for line in fh:
                name, _, value = line.strip().partition("=")
                if name in ("MD_FARM_URL", "MD_FARM_TOKEN"):
                    os.environ[name] = value
    if not os.environ.get("MD_FARM_URL"):
        return f"--farm: no farm found: run `bash tools/farm.sh up 2` first (it writes {env_file})"
    os.environ["WANGP_HOST_MODE"] = "FARM"
    return ""


def generator_line() -> str:
    if os.environ.get("WANGP_HOST_MODE") == "FARM":
        return f"Generator: the farm at {os.environ['MD_FARM_URL']} (WanGP on its workers; each take names its worker)"
    root = os.environ.get("WANGP_ROOT", "")
    if root and not os.path.isfile(os.path.join(root, "wgp.py")):
        return (f"Generator: WanGP, but WANGP_ROOT={root} is not a WanGP install (it has no wgp.py), "
                "so no shot can be generated.")
    if root:
        return f"Generator: WanGP from {root} (AI video)"
    return ("Generator: the layout animatic. WanGP is not configured (WANGP_ROOT is not set), so each shot is "
            "rendered by Blender through its own camera: a Blender render of the layout, NOT AI video.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="demo_out", help="output folder (default: ./demo_out)")
    parser.add_argument(
        "--allow-online", action="store_true",
        help="let WanGP download missing model weights (headless Blender starts with online access off, "
             "so WanGP runs offline and a model whose weights are not on disk fails fast)",
    )
    parser.add_argument("--farm", action="store_true",
                        help="generate on the farm started by `bash tools/farm.sh up N` (or MD_FARM_URL/MD_FARM_TOKEN)")
    args = parser.parse_args(argv)
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    problem = use_farm(out_dir) if args.farm else ""
    if problem:
        print(problem, file=sys.stderr)
        return 2
    log_path = os.path.join(out_dir, LOG_NAME)

    print(f"Movie Director demo -> {out_dir}")
    print(generator_line())
    print(f"Blender's own output goes to {log_path}", flush=True)

    # Before bpy is imported (Blender reads it once): the demo must not touch the user's own
    # Blender configuration or extensions.
    user_dir = tempfile.mkdtemp(prefix="md_demo_user_")
    os.environ["BLENDER_USER_RESOURCES"] = user_dir
    sys.path.insert(0, DEMO_DIR)
    try:
        with output_to(log_path) as console:
            import demo_pipeline

            return demo_pipeline.run(out_dir, BLEND_NAME, lambda line: print(line, file=console),
                                     allow_online=args.allow_online, progress=console)
    finally:
        shutil.rmtree(user_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
