#!/usr/bin/env bash
# Anonymous reads with a standby in the read path, under load, through a change every half second and the standby
# going away and coming back: counts the failed requests (the target is 0). Not a speed measurement.
#
#   STANDBY_PRIMARY="Host=127.0.0.1;Port=56015;Database=bench;Username=postgres" \
#   STANDBY_STANDBY="Host=127.0.0.1;Port=56016;Database=bench;Username=postgres" STANDBY_DATA=/tmp/pg/standby \
#     bench/standby.sh
#
# The database needs content (the API's `generate-articles N`); STANDBY_DATA is the standby's data directory (stopped
# with pg_ctl -m fast at a third of the run, started again at two thirds; as the postgres user when root).
# Environment: STANDBY_API=folder of a published API (default: publish the working tree), DURATION=60 (s),
# CONNECTIONS=32, WARMUP=20 (s). Every request has a Host of its own (BENCH_BUST), so each reads a database; the paths
# rotate through an article list, five articles by slug and an OData page.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
: "${STANDBY_PRIMARY:?set STANDBY_PRIMARY (see the comment at the top)}"
: "${STANDBY_STANDBY:?set STANDBY_STANDBY}"
: "${STANDBY_DATA:?set STANDBY_DATA}"
DURATION="${DURATION:-60}"
CONNECTIONS="${CONNECTIONS:-32}"
WARMUP="${WARMUP:-20}"
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }

TMP="$(mktemp -d /tmp/contentapi-standby.XXXXXX)"
API_PID=""
WRITER_PID=""
cleanup() {
  [[ -z "$WRITER_PID" ]] || kill "$WRITER_PID" 2>/dev/null || true
  [[ -z "$API_PID" ]] || { kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null || true; }
  rm -rf "$TMP"
}
trap cleanup EXIT

# shellcheck source=bench/api.sh
. "$HERE/api.sh"
# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"
API="${STANDBY_API:-}"
if [[ -z "$API" ]]; then
  API="$TMP/api"
  bench_publish_api "$ROOT" "$API"
fi
contentapi_pg_env_from_connection_string "$STANDBY_PRIMARY"
PSQL="$(contentapi_pg_client_bin)/psql"
"$PSQL" -X -At -c "select '/api/articles/by-slug/' || slug from articles where status = 'Published' order by random() limit 5" >"$TMP/paths"
printf '%s\n' /api/articles '/odata/Articles?$top=20&$select=title,publishedAt' >>"$TMP/paths"

PORT=$(( 20000 + RANDOM % 10000 ))
(cd "$API" && exec env ASPNETCORE_URLS="http://127.0.0.1:$PORT" ASPNETCORE_ENVIRONMENT=Production \
  ConnectionStrings__ContentDb="$STANDBY_PRIMARY" ConnectionStrings__ContentDbStandby="$STANDBY_STANDBY;Timeout=2" \
  PhotoStorage__Path="$TMP/photos" Shutdown__ReadinessDelay=0 \
  RateLimits__Anonymous__PermitLimit=1000000000 RateLimits__Authenticated__PermitLimit=1000000000 \
  dotnet Api.dll) >"$TMP/api.log" 2>&1 &
API_PID=$!
bench_wait_ready "$API_PID" "$PORT" "$TMP/api.log"

export BENCH_SLUGS="$TMP/paths" BENCH_PREFIX="" BENCH_NAME=standby BENCH_STATUS=1 BENCH_OUT="$TMP/result.json"
BENCH_BUST="warm$RANDOM" BENCH_OUT="" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$HERE/wrk/scenario.lua" "http://127.0.0.1:$PORT" >/dev/null

# A change every half second (the change log's trigger notifies it: every one evicts, and the next reads wait for the
# standby to replay it).
( while sleep 0.5; do
    "$PSQL" -X -q -c "update articles set updated_at = now() where id = (select id from articles where status = 'Published' order by random() limit 1)" || true
  done ) &
WRITER_PID=$!
export BENCH_BUST="run$RANDOM"
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$HERE/wrk/scenario.lua" "http://127.0.0.1:$PORT" >"$TMP/wrk.txt" &
WRK_PID=$!
standby_port="$(contentapi_pg_running_port "$STANDBY_DATA")"
# Transactions the standby served in its database: it is read before it stops and again after it is back.
served() { "$PSQL" -X -At -h 127.0.0.1 -p "$standby_port" -c "select xact_commit from pg_stat_database where datname = current_database()"; }
first="$(served)"
sleep $(( DURATION / 3 ))
stopped="$(served)"
echo "[standby] stopping the standby" >&2
contentapi_pg_stop "$STANDBY_DATA"
sleep $(( DURATION / 3 ))
echo "[standby] starting the standby" >&2
contentapi_pg_start "$STANDBY_DATA" "$standby_port"
started="$(served)"
wait "$WRK_PID"
echo "standby transactions: $(( stopped - first )) in the first third, $(( $(served) - started )) after it was back"
kill "$WRITER_PID" 2>/dev/null || true
WRITER_PID=""
echo; cat "$TMP/result.json"; echo
echo "API log, standby lines:"
grep -i "standby" "$TMP/api.log" || true
grep -ci "fail\|exception" "$TMP/api.log" | sed 's/^/API log lines with fail or exception: /'
