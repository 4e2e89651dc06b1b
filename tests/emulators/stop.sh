#!/usr/bin/env bash
# Stops the stand-ins started by start.sh (by the PIDs it recorded). Idempotent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="${EMULATORS_RUN_DIR:-$here/.run}"

stop() { # $1 = name, $2 = pid file
  local name="$1" pid_file="$2"
  [ -f "$pid_file" ] || return 0
  local pid
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
    fi
    echo "stop.sh: stopped $name (pid $pid)"
  fi
  rm -f "$pid_file"
}

stop azurite "$run_dir/azurite.pid"
stop "cosmos stand-in" "$run_dir/cosmos.pid"
