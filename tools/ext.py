"""Build and strictly validate the extension with the CLI that ships inside the ``bpy`` wheel.

Usage: ``python tools/ext.py build|validate [--out DIR]`` (run with the Python that has ``bpy``
installed; the CLI itself does not import bpy). Prints the zip path on build.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ext_cli() -> str:
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("tools/ext.py: the bpy module is not installed in this Python")
    base = list(spec.submodule_search_locations)[0]
    found = glob.glob(os.path.join(base, "*", "scripts", "addons_core", "bl_pkg", "cli", "blender_ext.py"))
    if not found:
        sys.exit(f"tools/ext.py: blender_ext.py not found under {base}")
    return found[0]


def build(out_dir: str) -> str:
    os.makedirs(out_dir, exist_ok=True)
    cli = ext_cli()
    subprocess.run([sys.executable, cli, "build", "--source-dir", REPO, "--output-dir", out_dir], check=True)
    zips = sorted(glob.glob(os.path.join(out_dir, "movie_director-*.zip")), key=os.path.getmtime)
    subprocess.run([sys.executable, cli, "validate", zips[-1]], check=True)
    return zips[-1]


def validate() -> None:
    subprocess.run([sys.executable, ext_cli(), "validate", REPO], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("build", "validate"))
    parser.add_argument("--out", default=os.path.join(REPO, "dist"))
    args = parser.parse_args()
    if args.command == "build":
        sys.stdout.write(build(os.path.abspath(args.out)) + "\n")
    else:
        validate()


if __name__ == "__main__":
    main()
