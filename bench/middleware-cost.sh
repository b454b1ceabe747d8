#!/usr/bin/env bash
# The cost of middleware on the stored-article path (issue 14: rate limiter, CORS): two instances of the same published
# API run side by side against one database, A without the middleware and B with it, and wrk loads them in turns
# (A, B, A, B …) on one stored article (every request a store hit), so that the machine's other load falls on both.
# Prints req/s and API CPU ms per request for each round and the loss of B against A over all rounds.
#
#   MC_DB="Host=127.0.0.1;Port=55990;Database=mine;Username=postgres" bench/middleware-cost.sh
#
# Environment: MC_DB (required; a database with published articles, migrated), MC_API=folder of a published API
# (default: publish the working tree), MC_PATH (default: the first published article, /api/articles/<id>),
# MC_A_ENV / MC_B_ENV="Name=value ..." the two configurations (default: rate limits and CORS off / on: rate limits with
# allowances no benchmark reaches, since every request comes from one address, and CORS for one listed origin, which
# every request of both names in its Origin header), WARMUP=45 (seconds, each), DURATION=15, ROUNDS=3, CONNECTIONS=32.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
: "${MC_DB:?set MC_DB to a connection string of a database with content (see the comment at the top)}"
WARMUP="${WARMUP:-45}"; DURATION="${DURATION:-15}"; ROUNDS="${ROUNDS:-3}"; CONNECTIONS="${CONNECTIONS:-32}"
HUGE=1000000000
MC_A_ENV="${MC_A_ENV:-RateLimits__Enabled=false}"
MC_B_ENV="${MC_B_ENV:-RateLimits__Enabled=true RateLimits__Anonymous__PermitLimit=$HUGE RateLimits__Authenticated__PermitLimit=$HUGE Cors__AllowedOrigins__0=https://www.solvesborg.se}"
ORIGIN="${MC_ORIGIN:-https://www.solvesborg.se}"
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
# psql reaches the database the API uses (libpq's PG* variables from the connection string).
# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"
contentapi_pg_env_from_connection_string "$MC_DB"
PSQL="$(contentapi_pg_client_bin)/psql"

TMP="$(mktemp -d /tmp/contentapi-mc.XXXXXX)"
PIDS=()
cleanup() {
  local pid; for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

API="${MC_API:-}"
if [[ -z "$API" ]]; then
  API="$TMP/api"
  echo "publishing the API from $ROOT" >&2
  dotnet publish "$ROOT/Api/Api.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$API" >&2
fi
if [[ -z "${MC_PATH:-}" ]]; then
  MC_PATH="/api/articles/$("$PSQL" -X -At -c "select id from articles where status = 'Published' limit 1")"
fi

start() { # name, environment; prints the port
  local port=$(( 20000 + RANDOM % 10000 ))
  # shellcheck disable=SC2086
  (cd "$API" && exec env ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__ContentDb="$MC_DB" PhotoStorage__Path="$TMP/photos-$1" Shutdown__ReadinessDelay=0 Warmup__Enabled=false \
    $2 dotnet Api.dll) >"$TMP/$1.log" 2>&1 &
  PIDS+=($!); echo "$port $!"
}
read -r PORT_A PID_A < <(start a "$MC_A_ENV")
read -r PORT_B PID_B < <(start b "$MC_B_ENV")
PIDS=("$PID_A" "$PID_B")
for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 1 150); do curl -fsS -o /dev/null "http://127.0.0.1:$port/health/ready" 2>/dev/null && break; sleep 0.2; done
  curl -fsS -o /dev/null "http://127.0.0.1:$port$MC_PATH" || { cat "$TMP"/*.log >&2; exit 1; }
done
# B must really do the work it is measured for: CORS headers on the answer for the listed origin.
if [[ "$MC_B_ENV" == *Cors__AllowedOrigins* ]]; then
  curl -fsS -D - -o /dev/null -H "Origin: $ORIGIN" "http://127.0.0.1:$PORT_B$MC_PATH" | grep -qi '^access-control-allow-origin:' \
    || { echo "B sends no Access-Control-Allow-Origin for $ORIGIN" >&2; exit 1; }
fi

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
export BENCH_PATH="$MC_PATH" BENCH_NAME=middleware-cost BENCH_OUT="" BENCH_HEADER="Origin: $ORIGIN"
unset BENCH_BUST
load() { wrk -t1 -c"$CONNECTIONS" -d"$2s" -s "$HERE/wrk/scenario.lua" "http://127.0.0.1:$1" | grep '^{'; }
echo "path $MC_PATH; A: $MC_A_ENV; B: $MC_B_ENV" >&2
load "$PORT_A" "$WARMUP" >/dev/null; load "$PORT_B" "$WARMUP" >/dev/null

printf '%-6s %5s %10s %8s %11s\n' config round req/s errors api_ms/req
declare -A RPS=([a]=0 [b]=0) CPU=([a]=0 [b]=0) N=([a]=0 [b]=0)
for round in $(seq 1 "$ROUNDS"); do
  for config in a b; do
    if [[ $config == a ]]; then port=$PORT_A pid=$PID_A; else port=$PORT_B pid=$PID_B; fi
    t0=$(ticks "$pid"); line=$(load "$port" "$DURATION"); t1=$(ticks "$pid")
    field() { grep -oP "\"$1\":\K[0-9.]+" <<<"$line"; }
    rps=$(field rps); n=$(field requests)
    RPS[$config]=$(awk -v a="${RPS[$config]}" -v b="$rps" 'BEGIN { print a + b }')
    CPU[$config]=$(( ${CPU[$config]} + t1 - t0 )); N[$config]=$(( ${N[$config]} + n ))
    awk -v c="$config" -v r="$round" -v rps="$rps" -v e="$(field errors)" -v t=$((t1 - t0)) -v n="$n" -v hz="$HZ" \
      'BEGIN { printf "%-6s %5d %10.1f %8d %11.4f\n", c, r, rps, e, t * 1000 / hz / n }'
  done
done
awk -v ra="${RPS[a]}" -v rb="${RPS[b]}" -v ca="${CPU[a]}" -v cb="${CPU[b]}" -v na="${N[a]}" -v nb="${N[b]}" -v hz="$HZ" 'BEGIN {
  printf "A: %.1f req/s, %.4f API ms/req; B: %.1f req/s, %.4f API ms/req; B loses %.1f %% req/s, costs %+.1f %% CPU per request\n",
    ra / '"$ROUNDS"', ca * 1000 / hz / na, rb / '"$ROUNDS"', cb * 1000 / hz / nb, (1 - rb / ra) * 100, (cb / nb / (ca / na) - 1) * 100 }'
