#!/usr/bin/env bash
# Run every check: lint, the bpy-free backend tests, the extension build + strict validation,
# and the Blender tier (real bpy from PyPI) against the WanGP test double, with WanGP inside Blender
# and again in a bridge process. Fails on any failure.
# MD_BPY_MATRIX="4.5.15 4.2.23" also runs the Blender tier on those LTS wheels.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

# The WanGP stand-in environment: its packages are appended to Blender's path (in-process mode) and
# its interpreter runs the bridge child (bridge mode), like a user's WanGP install.
export MD_TEST_WANGP_SITE_PACKAGES="$PWD/.venv-wangp/lib/python3.11/site-packages"
export MD_TEST_WANGP_PYTHON="$PWD/.venv-wangp/bin/python"
export PYTHONDONTWRITEBYTECODE=1

echo "== lint (ruff)"
.venv-wangp/bin/ruff check .

echo "== extension: strict validation and build"
.venv-bpy/bin/python tools/ext.py validate
.venv-bpy/bin/python tools/ext.py build --out dist >/dev/null

echo "== tier 1: backend (Python 3.11 without bpy)"
.venv-wangp/bin/python -m pytest tests/backend -q -p no:cacheprovider

echo "== tier 2: Blender (bpy 5.0.1)"
.venv-bpy/bin/python -m pytest tests/blender -q -p no:cacheprovider

echo "== tier 2: Blender (bpy 5.0.1), WanGP in a bridge process"
MD_TEST_HOST_MODE=BRIDGE .venv-bpy/bin/python -m pytest tests/blender -q -p no:cacheprovider

for v in ${MD_BPY_MATRIX:-}; do
  echo "== tier 2: Blender (bpy $v)"
  BPY_VERSION="$v" bash tools/setup.sh
  ".venv-bpy-$v/bin/python" -m pytest tests/blender -q -p no:cacheprovider
done
