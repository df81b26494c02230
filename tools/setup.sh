#!/usr/bin/env bash
# Set up everything the demo and the tests need, idempotently, on a fresh Debian machine with Python 3.11:
#   - the shared libraries `import bpy` links against (apt, only what is missing),
#   - .venv-bpy:   Blender as a Python module (bpy from PyPI) + pytest, hypothesis — plays Blender; no PIL/imageio,
#                  exactly like a real Blender, so WanGP's packages must come from WanGP's environment,
#   - .venv-wangp: plays WanGP's own Python environment (numpy, Pillow, imageio-ffmpeg) for the test
#                  double tests/fake_wangp, and runs the bpy-free backend tests (pytest, hypothesis, ruff).
# BPY_VERSION selects the bpy wheel (default 5.0.1 in .venv-bpy; others go to .venv-bpy-<version>).
# The wheels up to 5.0 are built for Python 3.11 (PYTHON, default python3.11); 5.1 and later for
# Python 3.13, found as PYTHON313, then `python3.13` on the PATH, then pyenv's 3.13 interpreters.
# WanGP's stand-in environment stays on 3.11 (WanGP's own), so with 5.1+ the add-on runs WanGP in a
# bridge process, exactly as on a user's Blender 5.1+.
set -euo pipefail
cd "$(dirname "$0")/.."

BPY_VERSION="${BPY_VERSION:-5.0.1}"
PY311="${PYTHON:-python3.11}"
command -v "$PY311" >/dev/null || { echo "setup: $PY311 not found (WanGP's stand-in environment and the bpy wheels up to 5.0 need Python 3.11; set PYTHON=/path/to/python3.11)" >&2; exit 1; }

find_python313() {  # prints a Python 3.13 interpreter or nothing
  local candidate
  for candidate in "${PYTHON313:-}" "$(command -v python3.13 || true)" \
      "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    "$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null || continue
    echo "$candidate"; return 0
  done
}

case "$BPY_VERSION" in
  2.*|3.*|4.*|5.0|5.0.*) BPY_PY="$PY311" ;;
  *)
    BPY_PY="$(find_python313)"
    [ -n "$BPY_PY" ] || { echo "setup: bpy $BPY_VERSION needs Python 3.13, and none was found (looked at PYTHON313, python3.13 on the PATH and ${PYENV_ROOT:-$HOME/.pyenv}/versions/3.13*); install Python 3.13 or set PYTHON313=/path/to/python3.13" >&2; exit 1; }
    ;;
esac

libs="libx11-6 libxrender1 libxfixes3 libxi6 libxkbcommon0 libsm6 libgl1 libegl1 libgomp1"
missing=""
for lib in $libs; do dpkg -s "$lib" >/dev/null 2>&1 || missing="$missing $lib"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: installing$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

venv() {  # venv PYTHON DIR PACKAGES...: create DIR once with PYTHON and install what is missing
  local py="$1" dir="$2"; shift 2
  [ -x "$dir/bin/python" ] || "$py" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
}

bpy_venv=".venv-bpy"
[ "$BPY_VERSION" = "5.0.1" ] || bpy_venv=".venv-bpy-$BPY_VERSION"
if ! "$bpy_venv/bin/python" -c "import bpy,sys,hypothesis; sys.exit(bpy.app.version_string.split()[0] != '$BPY_VERSION')" 2>/dev/null; then
  echo "setup: installing bpy==$BPY_VERSION into $bpy_venv ($("$BPY_PY" -c 'import sys; print("Python %d.%d" % sys.version_info[:2])'))"
  # Blender 4.2 to 5.0 ship numpy 1.26; the 3.13 wheels need numpy 2 (no numpy 1.x wheel for 3.13).
  numpy="numpy<2"; [ "$BPY_PY" = "$PY311" ] || numpy="numpy"
  venv "$BPY_PY" "$bpy_venv" "bpy==$BPY_VERSION" "$numpy" pytest hypothesis
fi
if ! .venv-wangp/bin/python -c "import numpy, PIL, imageio_ffmpeg, pytest, hypothesis, ruff" 2>/dev/null; then
  echo "setup: installing .venv-wangp"
  venv "$PY311" .venv-wangp "numpy<2" pillow imageio-ffmpeg pytest hypothesis ruff
fi
# The tests read every exported cut back with OpenTimelineIO (the extension bundles the same versions as wheels).
OTIO="opentimelineio==0.18.1 otio-cmx3600-adapter==1.0.0 otio-fcp-adapter==1.0.0"
for env in "$bpy_venv" .venv-wangp; do
  if ! "$env/bin/python" -c "import opentimelineio, otio_cmx3600_adapter, otio_fcp_adapter" 2>/dev/null; then
    echo "setup: installing OpenTimelineIO into $env"
    venv "$env/bin/python" "$env" $OTIO
  fi
done
# The import contracts (tests/backend/test_import_contracts.py): import-linter and its grimp graph.
IMPORT_LINTER="import-linter==2.17"
if ! .venv-wangp/bin/python -c "import importlinter, grimp" 2>/dev/null; then
  echo "setup: installing $IMPORT_LINTER into .venv-wangp"
  venv "$PY311" .venv-wangp "$IMPORT_LINTER"
fi
# Farm mode: Ray runs the farm in WanGP's environment (the local farm and the Ray tier use this one).
RAY="ray==2.60.0"
if ! .venv-wangp/bin/python -c "import ray, sys; sys.exit(ray.__version__ != '${RAY#ray==}')" 2>/dev/null; then
  echo "setup: installing $RAY into .venv-wangp"
  venv "$PY311" .venv-wangp "$RAY"
fi
# The wheels the extension bundles, fetched now: a later build then needs no network (the local farm's
# demo builds the extension inside a private network namespace).
"$bpy_venv/bin/python" tools/ext.py wheels
echo "setup: ready ($bpy_venv: bpy $BPY_VERSION; .venv-wangp: WanGP's stand-in environment)"
