#!/usr/bin/env bash
# Runs every test of the solution. The Azure adapter tests talk to real local servers: Azurite and
# the Cosmos DB stand-in are installed from npm (first run only) and started here, and stopped by
# PID when the tests end, whatever the outcome. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

bash tests/emulators/start.sh
trap 'bash tests/emulators/stop.sh' EXIT

log="$(mktemp)"
status=0
dotnet test Recommender.sln -c Release "$@" 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, summed over the test assemblies.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:")  failed  += $(i + 1)
         if ($i == "Passed:")  passed  += $(i + 1)
         if ($i == "Skipped:") skipped += $(i + 1)
       }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
rm -f "$log"
exit "$status"
