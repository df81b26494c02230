#!/usr/bin/env bash
# The main job: set up, then build a scene with three camera shots, generate them and save a .blend
# with the clips on its timeline (default ./demo_out). Uses WanGP when WANGP_ROOT (and
# WANGP_SITE_PACKAGES, WANGP_ARGS) are set; otherwise the layout animatic (a Blender render, not AI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec .venv-bpy/bin/python demo/run_demo.py "$@"
