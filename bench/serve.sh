#!/usr/bin/env bash
# Serving benchmark: GET /api/recommendations/{customerId} (random customers, storefront key) side by
# side with GET /api/health, each measured by wrk (2 threads) on 127.0.0.1 against the Release app on
# the embedded store with a 10,000-item catalog, a promoted item-item model and 100,000 customers with
# cached lists (set up through the app's services by `Recommender.Benchmarks serve`).
# The two endpoints alternate for ROUNDS rounds (health, then recommendations, DURATION each) so that
# whatever else the machine does weighs on both alike; each round's ratio is printed, and the summary
# gives the median ratio and the worst recommendations p99 over the rounds.
#   bash bench/serve.sh                       # defaults below
#   ROUNDS=5 DURATION=20s CONNECTIONS=16 bash bench/serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-7180}
ITEMS=${ITEMS:-10000}
CUSTOMERS=${CUSTOMERS:-100000}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=2
URL="http://127.0.0.1:${PORT}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)..." >&2
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

dotnet build bench/Recommender.Benchmarks -c Release -nologo -v q >&2
work=$(mktemp -d)
dotnet bench/Recommender.Benchmarks/bin/Release/net10.0/Recommender.Benchmarks.dll serve \
  --port "$PORT" --items "$ITEMS" --customers "$CUSTOMERS" --ready-file "$work/ready" >"$work/app.log" 2>&1 &
app=$!
stop() {
  if kill -0 "$app" 2>/dev/null; then
    kill -TERM "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

echo "setting up $ITEMS items and $CUSTOMERS customers (app PID $app)..." >&2
for _ in $(seq 1 1800); do
  [[ -s "$work/ready" ]] && break
  if ! kill -0 "$app" 2>/dev/null; then
    cat "$work/app.log" >&2
    echo "the app stopped during setup" >&2
    exit 1
  fi
  sleep 1
done
[[ -s "$work/ready" ]] || { cat "$work/app.log" >&2; echo "setup took too long" >&2; exit 1; }
tail -n 1 "$work/app.log" >&2
export BENCH_API_KEY; BENCH_API_KEY=$(cat "$work/ready")
export BENCH_CUSTOMERS=$CUSTOMERS

run() { # target duration
  BENCH_TARGET=$1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" -s bench/serve.lua "$URL" | grep '^RESULT'
}

run health "$WARMUP" >/dev/null
run recommendations "$WARMUP" >/dev/null

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
echo
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(dotnet --version) SDK"
echo "wrk: $THREADS threads, $CONNECTIONS connections, $ROUNDS rounds of $DURATION per endpoint (after $WARMUP warm-up each), $URL"
printf '%-6s %-31s %10s %9s %9s %9s %8s %7s\n' round endpoint "req/s" "p50 ms" "p95 ms" "p99 ms" "non-2xx" ratio
ratios=(); p99s=(); health_rps=(); recs_rps=()
for round in $(seq 1 "$ROUNDS"); do
  health=$(run health "$DURATION")
  recs=$(run recommendations "$DURATION")
  ratio=$(awk -v a="$(field "$recs" rps)" -v b="$(field "$health" rps)" 'BEGIN { printf "%.2f", a / b }')
  ratios+=("$ratio"); p99s+=("$(field "$recs" p99_ms)"); health_rps+=("$(field "$health" rps)"); recs_rps+=("$(field "$recs" rps)")
  for line in "$health" "$recs"; do
    if [[ $(field "$line" target) == health ]]; then name="GET /api/health"; shown=""; else name="GET /api/recommendations/{id}"; shown=$ratio; fi
    printf '%-6s %-31s %10s %9s %9s %9s %8s %7s\n' "$round" "$name" "$(field "$line" rps)" "$(field "$line" p50_ms)" "$(field "$line" p95_ms)" "$(field "$line" p99_ms)" "$(field "$line" non2xx)" "$shown"
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
worst() { printf '%s\n' "$@" | sort -g | tail -n 1; }
echo "median req/s: health $(median "${health_rps[@]}"), recommendations $(median "${recs_rps[@]}")"
echo "recommendations/health throughput, median of $ROUNDS rounds: $(median "${ratios[@]}") (rounds: ${ratios[*]}; target >= 0.50)"
echo "recommendations p99, worst round: $(worst "${p99s[@]}") ms (target < 10 ms)"
echo "app memory: $(sed -n 's/^VmHWM:\s*/peak RSS /p' "/proc/$app/status"), $(sed -n 's/^VmRSS:\s*/RSS now /p' "/proc/$app/status")"
