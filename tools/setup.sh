#!/usr/bin/env bash
# Set up everything the demo and the tests need, idempotently, on a fresh Debian machine with Python 3.11:
#   - the shared libraries `import bpy` links against (apt, only what is missing),
#   - .venv-bpy:   Blender as a Python module (bpy from PyPI) + pytest — plays Blender; no PIL/imageio,
#                  exactly like a real Blender, so WanGP's packages must come from WanGP's environment,
#   - .venv-wangp: plays WanGP's own Python environment (numpy, Pillow, imageio-ffmpeg) for the test
#                  double tests/fake_wangp, and runs the bpy-free backend tests.
# BPY_VERSION selects the bpy wheel (default 5.0.1; 4.5.x / 4.2.x LTS work too).
set -euo pipefail
cd "$(dirname "$0")/.."

BPY_VERSION="${BPY_VERSION:-5.0.1}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || { echo "setup: $PY not found (bpy wheels need Python 3.11)" >&2; exit 1; }

libs="libx11-6 libxrender1 libxfixes3 libxi6 libxkbcommon0 libsm6 libgl1 libegl1 libgomp1"
missing=""
for lib in $libs; do dpkg -s "$lib" >/dev/null 2>&1 || missing="$missing $lib"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: installing$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

venv() {  # venv DIR PACKAGES...: create DIR once and install what is missing
  local dir="$1"; shift
  [ -x "$dir/bin/python" ] || "$PY" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
}

bpy_venv=".venv-bpy"
[ "$BPY_VERSION" = "5.0.1" ] || bpy_venv=".venv-bpy-$BPY_VERSION"
if ! "$bpy_venv/bin/python" -c "import bpy,sys; sys.exit(bpy.app.version_string.split()[0] != '$BPY_VERSION')" 2>/dev/null; then
  echo "setup: installing bpy==$BPY_VERSION into $bpy_venv"
  venv "$bpy_venv" "bpy==$BPY_VERSION" "numpy<2" pytest
fi
if ! .venv-wangp/bin/python -c "import numpy, PIL, imageio_ffmpeg, pytest, ruff" 2>/dev/null; then
  echo "setup: installing .venv-wangp"
  venv .venv-wangp "numpy<2" pillow imageio-ffmpeg pytest ruff
fi
echo "setup: ready ($bpy_venv: bpy $BPY_VERSION; .venv-wangp: WanGP's stand-in environment)"
