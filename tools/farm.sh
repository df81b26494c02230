#!/usr/bin/env bash
# A local farm to try farm mode on one machine: a Ray head plus N simulated GPU workers (the custom
# resource md_gpu stands in for GPUs; the workers run the WanGP test double tests/fake_wangp).
#   bash tools/farm.sh up N     start it; prints the URL and the token (also in demo_out/farm/farm.env)
#   bash tools/farm.sh down     stop it, leaving no process behind
# Ray listens on more than the loopback address, so this refuses to run where other network interfaces
# exist: run it inside a private network namespace (as root: `unshare -n bash`, then `ip link set lo up`),
# or set MD_FARM_ALLOW_NETWORK=1 on a machine whose firewall you control.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
DATA="${MD_FARM_DATA:-$REPO/demo_out/farm}"
RAY="$REPO/.venv-wangp/bin/ray"
PY="$REPO/.venv-wangp/bin/python"
RAY_PORT="${MD_FARM_RAY_PORT:-6390}"
HTTP_PORT="${MD_FARM_PORT:-8765}"
# Ray's folder for this farm (short: Ray's socket paths must fit in 107 bytes); it names this farm's processes.
RAY_TMP="/tmp/md-farm-ray-$HTTP_PORT"

private_network() {
  local others
  others="$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -v '^lo$' || true)"
  [ -z "$others" ]
}

# Every process of this farm: those naming its Ray folder (head services) and all their descendants
# (Ray's workers rename themselves "ray::..."), plus the HTTP front. Nothing else is touched.
farm_pids() {
  local roots
  roots="$(pgrep -f -- "$RAY_TMP" || true) $(cat "$DATA/serve.pid" 2>/dev/null || true)"
  ps -e -o pid=,ppid= | awk -v roots="$roots" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2 }
    END { changed = 1
          while (changed) { changed = 0
            for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } }
          for (p in keep) if (p in parent) print p }'
}

down() {
  local pids
  pids="$(farm_pids)"
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 50); do
      alive=""; for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
      [ -z "$alive" ] && break
      sleep 0.2
    done
    # shellcheck disable=SC2086
    [ -z "$alive" ] || kill -KILL $alive 2>/dev/null || true
  fi
  rm -f "$DATA/serve.pid"
  sleep 0.5
  if [ -n "$(farm_pids)" ]; then
    echo "farm: processes are still running:" >&2
    # shellcheck disable=SC2046
    ps -o pid=,args= -p $(farm_pids | tr '\n' ',' | sed 's/,$//') >&2
    exit 1
  fi
  rm -rf "$RAY_TMP"
  echo "farm: stopped"
}

up() {
  local n="${1:-2}"
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "farm: usage: bash tools/farm.sh up N (N workers, at least 1)" >&2; exit 2; }
  if ! private_network && [ "${MD_FARM_ALLOW_NETWORK:-}" != 1 ]; then
    echo "farm: this machine has network interfaces besides lo and Ray listens on them: run inside" \
         "'unshare -n' with 'ip link set lo up' (or set MD_FARM_ALLOW_NETWORK=1 behind your own firewall)" >&2
    exit 2
  fi
  if ! "$PY" -c "import ray, numpy, PIL, imageio_ffmpeg" 2>/dev/null; then
    # Installing needs the package registry, which a private network namespace cannot reach.
    echo "farm: the environments are not set up: run 'bash tools/setup.sh' first, outside the private network" >&2
    exit 1
  fi
  down >/dev/null 2>&1 || true
  mkdir -p "$DATA"
  rm -f "$DATA/farm.env" "$DATA/journal.json"
  # Ray's own token authentication, with the token kept in the farm's folder (not the user's ~/.ray).
  export RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH="$DATA/ray_auth_token"
  [ -s "$RAY_AUTH_TOKEN_PATH" ] || (umask 077 && "$PY" -c "import secrets; print(secrets.token_hex(32))" >"$RAY_AUTH_TOKEN_PATH")
  # Ray's worker processes inherit the raylet's environment: the repository must be importable there.
  PYTHONPATH="$REPO" RAY_USAGE_STATS_ENABLED=0 "$RAY" start --head --node-ip-address=127.0.0.1 --port="$RAY_PORT" \
    --num-cpus=2 --resources="{\"md_gpu\": $n}" --include-dashboard=false --disable-usage-stats --temp-dir="$RAY_TMP" \
    >"$DATA/ray_start.log" 2>&1 || { cat "$DATA/ray_start.log" >&2; exit 1; }
  PYTHONPATH="$REPO" nohup "$PY" -m farm.serve --address "127.0.0.1:$RAY_PORT" --bind 127.0.0.1 --port "$HTTP_PORT" \
    --data-dir "$DATA" --wangp-root "$REPO/tests/fake_wangp" --simulated "$n" --scratch "$DATA/scratch" \
    --vram "${MD_FARM_VRAM:-24}" \
    >"$DATA/serve.log" 2>&1 &
  echo $! >"$DATA/serve.pid"
  for _ in $(seq 300); do
    [ -f "$DATA/farm.env" ] && break
    kill -0 "$(cat "$DATA/serve.pid")" 2>/dev/null || { cat "$DATA/serve.log" >&2; exit 1; }
    sleep 0.2
  done
  [ -f "$DATA/farm.env" ] || { echo "farm: the head did not start (see $DATA/serve.log)" >&2; exit 1; }
  # shellcheck disable=SC1091
  . "$DATA/farm.env"
  # Ready when every worker has loaded WanGP and reported to the dispatcher.
  for _ in $(seq 600); do
    if curl -sf -H "Authorization: Bearer $MD_FARM_TOKEN" "$MD_FARM_URL/v1/info" 2>/dev/null \
        | "$PY" -c "import json,sys; w=json.load(sys.stdin)['workers']; sys.exit(sum(x['state']!='lost' for x in w) < $n)"; then
      echo "farm: up with $n worker(s)"
      echo "MD_FARM_URL=$MD_FARM_URL"
      echo "MD_FARM_TOKEN=$MD_FARM_TOKEN"
      return 0
    fi
    sleep 0.2
  done
  echo "farm: the workers did not report within 2 minutes (see $DATA/serve.log and /tmp/ray/session_latest/logs)" >&2
  exit 1
}

case "${1:-}" in
  up) up "${2:-2}" ;;
  down) down ;;
  *) echo "usage: bash tools/farm.sh up N | down" >&2; exit 2 ;;
esac
