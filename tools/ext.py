"""Build and strictly validate the extension with the CLI that ships inside the ``bpy`` wheel.

Usage: ``python tools/ext.py build|validate|wheels [--out DIR]`` (run with the Python that has ``bpy``
installed; the CLI itself does not import bpy). Prints the zip path on build.

The manifest's ``wheels`` list is the source of truth for bundled packages: before building, every wheel
it names that is missing from the git-ignored ``wheels/`` folder is fetched with ``pip download
--only-binary=:all: --no-deps`` for the platform and Python version its file name carries (Linux,
Windows and macOS; Python 3.11 for Blender 4.2-5.0 and 3.13 for 5.1+). Wheels are never committed.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import os
import subprocess
import sys
import tomllib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(REPO, "blender_manifest.toml")


def manifest_wheels() -> list[str]:
    """Absolute paths of the wheels the manifest bundles."""
    with open(MANIFEST, "rb") as fh:
        relative = tomllib.load(fh).get("wheels", [])
    return [os.path.normpath(os.path.join(REPO, path)) for path in relative]


def pip_download_args(wheel_file: str) -> list[str]:
    """``pip download`` arguments that fetch exactly ``wheel_file`` (name-version-python-abi-platform.whl)."""
    name, version, python_tag, _abi, platform = os.path.basename(wheel_file)[:-len(".whl")].split("-")
    args = [f"{name.replace('_', '-')}=={version}", "--only-binary=:all:", "--no-deps"]
    if platform != "any":
        py = python_tag.removeprefix("cp")
        args += ["--platform", platform.split(".")[0], "--python-version", f"{py[0]}.{py[1:]}"]
    return args


def fetch_wheels() -> None:
    """Download every wheel of the manifest that is not in wheels/ yet (pip's cache makes this quick)."""
    for wheel in manifest_wheels():
        if os.path.isfile(wheel):
            continue
        folder = os.path.dirname(wheel)
        os.makedirs(folder, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                        "-d", folder, *pip_download_args(wheel)], check=True)
        if not os.path.isfile(wheel):
            sys.exit(f"tools/ext.py: pip did not fetch {os.path.basename(wheel)}: fix the manifest's wheels list")


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
    fetch_wheels()
    os.makedirs(out_dir, exist_ok=True)
    cli = ext_cli()
    subprocess.run([sys.executable, cli, "build", "--source-dir", REPO, "--output-dir", out_dir], check=True)
    zips = sorted(glob.glob(os.path.join(out_dir, "movie_director-*.zip")), key=os.path.getmtime)
    subprocess.run([sys.executable, cli, "validate", zips[-1]], check=True)
    return zips[-1]


def validate() -> None:
    fetch_wheels()
    subprocess.run([sys.executable, ext_cli(), "validate", REPO], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("build", "validate", "wheels"))
    parser.add_argument("--out", default=os.path.join(REPO, "dist"))
    args = parser.parse_args()
    if args.command == "build":
        sys.stdout.write(build(os.path.abspath(args.out)) + "\n")
    elif args.command == "wheels":
        fetch_wheels()
    else:
        validate()


if __name__ == "__main__":
    main()
