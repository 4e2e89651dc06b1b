#!/usr/bin/env bash
# Starts the local stand-ins the Azure adapter tests talk to:
#   Azurite (Blob 127.0.0.1:10000, Queue 10001, Table 10002), in memory
#   @vercel/cosmosdb-server (Cosmos DB REST API, HTTPS 127.0.0.1:8081), in memory
# Idempotent: a stand-in whose PID file points at a live process is left running.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="${EMULATORS_RUN_DIR:-$here/.run}"
mkdir -p "$run_dir"
cd "$here"

if ! command -v node >/dev/null 2>&1; then
  echo "start.sh: node is not installed; install Node.js 20+ to run the emulators" >&2
  exit 1
fi

if [ ! -d node_modules/azurite ] || [ ! -d node_modules/@vercel/cosmosdb-server ]; then
  echo "start.sh: installing emulator packages (npm ci)..."
  npm ci --no-audit --no-fund >"$run_dir/npm-ci.log" 2>&1 || {
    echo "start.sh: npm ci failed; see $run_dir/npm-ci.log" >&2
    tail -20 "$run_dir/npm-ci.log" >&2
    exit 1
  }
fi

is_running() { # $1 = pid file
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

port_open() { # $1 = port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_for_ports() { # $1 = name, $2 = log, rest = ports
  local name="$1" log="$2"; shift 2
  for _ in $(seq 1 100); do
    local all=1
    for p in "$@"; do port_open "$p" || { all=0; break; }; done
    [ "$all" = 1 ] && return 0
    sleep 0.1
  done
  echo "start.sh: $name did not answer on port(s) $* within 10 s; log: $log" >&2
  tail -20 "$log" >&2 || true
  return 1
}

start() { # $1 = name, $2 = pid file, $3 = log, rest = command
  local name="$1" pid_file="$2" log="$3"; shift 3
  if is_running "$pid_file"; then
    echo "start.sh: $name already running (pid $(cat "$pid_file"))"
    return 0
  fi
  nohup "$@" >"$log" 2>&1 &
  echo $! >"$pid_file"
}

ensure_port_free() { # $1 = name, $2 = pid file, rest = ports
  local name="$1" pid_file="$2"; shift 2
  is_running "$pid_file" && return 0
  for p in "$@"; do
    if port_open "$p"; then
      echo "start.sh: port $p is already in use by another process; cannot start $name" >&2
      exit 1
    fi
  done
}

ensure_port_free azurite "$run_dir/azurite.pid" 10000 10001 10002
ensure_port_free "cosmos stand-in" "$run_dir/cosmos.pid" 8081

start azurite "$run_dir/azurite.pid" "$run_dir/azurite.log" \
  node node_modules/azurite/dist/src/azurite.js --silent --inMemoryPersistence --loose \
  --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1
start "cosmos stand-in" "$run_dir/cosmos.pid" "$run_dir/cosmos.log" node cosmos-server.js

failed=0
wait_for_ports azurite "$run_dir/azurite.log" 10000 10001 10002 || failed=1
wait_for_ports "cosmos stand-in" "$run_dir/cosmos.log" 8081 || failed=1
if [ "$failed" = 1 ]; then
  bash "$here/stop.sh" >/dev/null 2>&1 || true
  exit 1
fi
echo "start.sh: emulators ready (Azurite 127.0.0.1:10000-10002, Cosmos https://127.0.0.1:8081/)"
