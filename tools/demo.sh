#!/usr/bin/env bash
# The main job: set up, then build a scene with three camera shots, generate them and save a .blend
# with the clips on its timeline (default ./demo_out). Uses WanGP when WANGP_ROOT (and
# WANGP_SITE_PACKAGES, WANGP_ARGS) are set; otherwise the layout animatic (a Blender render, not AI).
# BPY_VERSION picks the Blender (default 5.0.1), e.g. BPY_VERSION=5.2.4 for Blender 5.2 LTS (a version CI tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bpy_venv=".venv-bpy"
if [ -n "${BPY_VERSION:-}" ] && [ "$BPY_VERSION" != "5.0.1" ]; then bpy_venv=".venv-bpy-$BPY_VERSION"; fi
exec "$bpy_venv/bin/python" demo/run_demo.py "$@"
