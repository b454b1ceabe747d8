#!/usr/bin/env bash
# Quick measurement of one or more store-missed paths against a database that already has content, for trying a change
# to the read path (bench/run.sh is the benchmark; this is a developer's stopwatch, not a result).
#
#   QUICK_DB="Host=127.0.0.1;Port=55990;Database=mine;Username=postgres" bench/quick.sh \
#     '/api/articles?tag=trafik&pageSize=20' '/odata/Articles?$top=20&$select=title'
#
# For each path: WARMUP seconds of load, then DURATION seconds measured with wrk (CONNECTIONS connections), every request
# with a new Host header so that the response store cannot answer it (BUST=0 turns that off). Prints req/s, p50/p99 and
# the CPU milliseconds per request of the API process and of the PostgreSQL backends serving it (found by the
# connection's Application Name, so other users of a shared cluster do not count). The machine's other load still
# disturbs req/s; compare CPU per request.
#
# Environment: QUICK_DB (required), QUICK_API=folder of a published API (default: publish the working tree to a
# temporary folder), WARMUP=30, DURATION=15, CONNECTIONS=32, BUST=1, QUICK_ENV="Name=value ..." extra environment for
# the API (e.g. DOTNET_gcServer=0), WRK_TIMEOUT=… wrk's per-request timeout (wrk's default is 2s: set it for slower
# queries such as the $apply aggregations, or their requests count as errors). Rate limits are raised out of reach: every request comes from one address.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
: "${QUICK_DB:?set QUICK_DB to a connection string of a database with content (see the comment at the top)}"
WARMUP="${WARMUP:-30}"
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-32}"
BUST="${BUST:-1}"
(( $# > 0 )) || { echo "usage: QUICK_DB=... bench/quick.sh PATH [PATH...]" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }

TMP="$(mktemp -d /tmp/contentapi-quick.XXXXXX)"
API_PID=""
cleanup() {
  [[ -z "$API_PID" ]] || { kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null || true; }
  rm -rf "$TMP"
}
trap cleanup EXIT

# shellcheck source=bench/api.sh
. "$HERE/api.sh"
API="${QUICK_API:-}"
if [[ -z "$API" ]]; then
  API="$TMP/api"
  bench_publish_api "$ROOT" "$API"
fi

APP="quick-$$"
PORT=$(( 20000 + RANDOM % 10000 ))
# shellcheck disable=SC2086
(cd "$API" && exec env ASPNETCORE_URLS="http://127.0.0.1:$PORT" ASPNETCORE_ENVIRONMENT=Production \
  ConnectionStrings__ContentDb="$QUICK_DB;Application Name=$APP" PhotoStorage__Path="$TMP/photos" \
  RateLimits__Anonymous__PermitLimit=1000000000 RateLimits__Authenticated__PermitLimit=1000000000 Shutdown__ReadinessDelay=0 \
  ${QUICK_ENV:-} \
  dotnet Api.dll) >"$TMP/api.log" 2>&1 &
API_PID=$!
bench_wait_ready "$API_PID" "$PORT" "$TMP/api.log"

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# psql reaches the database the API uses (libpq's PG* variables from the connection string).
# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"
contentapi_pg_env_from_connection_string "$QUICK_DB"
PSQL="$(contentapi_pg_client_bin)/psql"
backends() { # the backends of this API's pool, by application name
  "$PSQL" -X -At -d postgres -c "select pid from pg_stat_activity where application_name = '$APP'" 2>/dev/null || true
}
# CPU ticks of the backends listed at the start that still run at the end (a backend that ended meanwhile is left out).
pg_ticks_start() { local pid; for pid in "$@"; do echo "$pid $(ticks "$pid")"; done; }
pg_ticks_since() { # file of "pid ticks" lines
  local t=0 pid before now
  while read -r pid before; do
    now=$(ticks "$pid")
    (( now >= before )) && t=$(( t + now - before ))
  done <"$1"
  echo "$t"
}
HZ=$(getconf CLK_TCK)

printf '%-70s %9s %8s %8s %7s %9s %9s\n' path req/s p50_ms p99_ms errors api_ms/req pg_ms/req
for path in "$@"; do
  export BENCH_PATH="$path" BENCH_NAME=quick BENCH_OUT=""
  if [[ "$BUST" == 1 ]]; then export BENCH_BUST="miss$RANDOM"; else unset BENCH_BUST; fi
  (( WARMUP == 0 )) || wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" ${WRK_TIMEOUT:+--timeout "$WRK_TIMEOUT"} -s "$HERE/wrk/scenario.lua" "http://127.0.0.1:$PORT" >/dev/null
  mapfile -t pids < <(backends)
  api0=$(ticks "$API_PID"); pg_ticks_start "${pids[@]}" >"$TMP/pg0"
  export BENCH_START=1000000
  line=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" ${WRK_TIMEOUT:+--timeout "$WRK_TIMEOUT"} -s "$HERE/wrk/scenario.lua" "http://127.0.0.1:$PORT" | grep '^{')
  api1=$(ticks "$API_PID"); pg=$(pg_ticks_since "$TMP/pg0")
  field() { grep -oP "\"$1\":\K[0-9.]+" <<<"$line"; }
  awk -v path="${path:0:70}" -v rps="$(field rps)" -v p50="$(field p50_ms)" -v p99="$(field p99_ms)" \
    -v errors="$(field errors)" -v n="$(field requests)" -v api="$((api1 - api0))" -v pg="$pg" -v hz="$HZ" \
    'BEGIN { n = n > 0 ? n : 1; printf "%-70s %9.1f %8.2f %8.2f %7d %9.3f %9.3f\n", path, rps, p50, p99, errors, api * 1000 / hz / n, pg * 1000 / hz / n }'
done
echo "RSS of the API at the end: $(awk '/VmRSS/ {print $2/1000 " MB"}' "/proc/$API_PID/status"); peak $(awk '/VmHWM/ {print $2/1000 " MB"}' "/proc/$API_PID/status")"
