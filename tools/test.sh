#!/usr/bin/env bash
# Run every check: lint, the bpy-free backend tests, the extension build + strict validation,
# and the Blender tier (real bpy from PyPI) against the WanGP test double, with WanGP inside Blender
# and again in a bridge process, and the farm on a real Ray cluster (tests/ray, inside `unshare -n`, so
# as root). Fails on any failure; ends with the time each tier took.
# MD_BPY_MATRIX="4.5.15 4.2.23 5.2.4" also runs the Blender tier on those wheels: up to 5.0 (Python
# 3.11, like WanGP's environment) with WanGP inside Blender; from 5.1 (Python 3.13) in bridge mode,
# the only mode there, with the in-process tests reported as skipped (not applicable).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

# The WanGP stand-in environment: its packages are appended to Blender's path (in-process mode) and
# its interpreter runs the bridge child (bridge mode), like a user's WanGP install.
export MD_TEST_WANGP_SITE_PACKAGES="$PWD/.venv-wangp/lib/python3.11/site-packages"
export MD_TEST_WANGP_PYTHON="$PWD/.venv-wangp/bin/python"
export PYTHONDONTWRITEBYTECODE=1

timings=""
started=$SECONDS
tier() {  # tier NAME COMMAND...: run one tier, note how long it took
  local name="$1" began=$SECONDS; shift
  echo "== $name"
  "$@"
  timings="$timings$(printf '%5ss  %s' $((SECONDS - began)) "$name")"$'\n'
}

tier "lint (ruff)" .venv-wangp/bin/ruff check .
tier "extension: strict validation and build" \
  bash -c '.venv-bpy/bin/python tools/ext.py validate && .venv-bpy/bin/python tools/ext.py build --out dist >/dev/null'
tier "tier 1: backend (Python 3.11 without bpy)" .venv-wangp/bin/python -m pytest tests/backend -q -p no:cacheprovider
# Ray listens on more than the loopback address: its tier runs in a private network namespace (root).
if unshare -n true 2>/dev/null; then
  tier "tier 3: the farm on a Ray cluster (private network namespace)" \
    unshare -n bash -c 'ip link set lo up && exec .venv-wangp/bin/python -m pytest tests/ray -q -p no:cacheprovider'
else
  echo "== tier 3: the farm on a Ray cluster: NOT RUN (it needs 'unshare -n', i.e. root, for a private network)"
fi
tier "tier 2: Blender (bpy 5.0.1)" .venv-bpy/bin/python -m pytest tests/blender -q -p no:cacheprovider
tier "tier 2: Blender (bpy 5.0.1), WanGP in a bridge process" \
  env MD_TEST_HOST_MODE=BRIDGE .venv-bpy/bin/python -m pytest tests/blender -q -p no:cacheprovider

for v in ${MD_BPY_MATRIX:-}; do
  began=$SECONDS
  BPY_VERSION="$v" bash tools/setup.sh
  timings="$timings$(printf '%5ss  %s' $((SECONDS - began)) "setup bpy $v")"$'\n'
  case "$v" in
    4.*|5.0.*) tier "tier 2: Blender (bpy $v)" ".venv-bpy-$v/bin/python" -m pytest tests/blender -q -p no:cacheprovider ;;
    *) tier "tier 2: Blender (bpy $v, Python 3.13), WanGP in a bridge process" \
         env MD_TEST_HOST_MODE=BRIDGE ".venv-bpy-$v/bin/python" -m pytest tests/blender -q -p no:cacheprovider ;;
  esac
done

# Faults and hostile input: nothing the user made is lost. Each part writes its scoreboard to
# build/faults/; the table it prints is the README's "Faults and bad input" table.
export MD_FAULTS_RESULTS="$PWD/build/faults"
rm -rf "$MD_FAULTS_RESULTS"
tier "tier 3: faults, backend" .venv-wangp/bin/python -m pytest tests/faults/backend -q -p no:cacheprovider
tier "tier 3: faults, Blender (bpy 5.0.1)" .venv-bpy/bin/python -m pytest tests/faults/blender -q -p no:cacheprovider
tier "tier 3: faults, Blender (bpy 5.0.1), WanGP in a bridge process" \
  env MD_TEST_HOST_MODE=BRIDGE .venv-bpy/bin/python -m pytest tests/faults/blender -q -p no:cacheprovider
tier "tier 3: faults, the table" .venv-wangp/bin/python tools/faults_table.py "$MD_FAULTS_RESULTS"

echo "== time per tier"
printf '%s' "$timings"
printf '%5ss  total\n' $((SECONDS - started))
