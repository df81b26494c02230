#!/usr/bin/env bash
# Redraw docs/sidebar/*.png: record each panel state's layout (real bpy), then paint it (Pillow).
set -euo pipefail
cd "$(dirname "$0")/.."
dump="$(mktemp -d)"
trap 'rm -rf "$dump"' EXIT
MD_SIDEBAR_DUMP="$dump" PYTHONDONTWRITEBYTECODE=1 \
  .venv-bpy/bin/python -m pytest tests/blender/test_sidebar_layout.py -q -p no:cacheprovider -k reach
.venv-wangp/bin/python tools/sidebar_pictures.py "$dump" docs/sidebar
