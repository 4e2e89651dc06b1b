-- wrk script of bench/serve.sh. BENCH_TARGET=recommendations: GET /api/recommendations/{random
-- customer} with the storefront key; BENCH_TARGET=health: GET /api/health. Prints one RESULT line.
local target = os.getenv("BENCH_TARGET") or "health"
local customers = tonumber(os.getenv("BENCH_CUSTOMERS") or "100000")
local key = os.getenv("BENCH_API_KEY") or ""
local headers = { ["X-Api-Key"] = key }

function setup(thread)
  thread:set("id", tostring(thread))
end

function init(args)
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), 8), 16) % 100000)
end

function request()
  if target == "health" then
    return wrk.format("GET", "/api/health")
  end
  return wrk.format("GET", string.format("/api/recommendations/bench-%06d", math.random(0, customers - 1)), headers)
end

local non2xx = 0
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT target=%s requests=%d rps=%.1f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d non2xx=%d\n",
    target, summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
