#!/usr/bin/env bash
# The cost of a sync delta call after 1,000 changes (issue 15): an app whose copy was complete asks
# GET /api/sync?token=… after CHANGES changes were committed, and each page of the answer is timed store missed.
#
#   SYNC_DB="Host=127.0.0.1;Port=55990;Database=mine;Username=postgres" bench/sync-delta.sh
#
# SYNC_DB is a database with content (the 100,000-article copy of the brief; it is migrated, and changed: run it on a
# copy). The changes are made in SQL, in transactions of 50, so the change log's triggers write them as any save
# would: CHANGES - CHANGES/20 published articles get a new title, CHANGES/20 are taken back to draft (removals; the
# photos and contacts only they showed leave view too). The script takes the token of the log's position before the
# changes, follows the delta to its end once with curl (pages, items, removals), then measures with bench/quick.sh
# (CONNECTIONS=1: one app's call, not a server's throughput; every request store missed) the first page and the first
# page of the last round (a delta reads 1,000 entries a round), and prints p50/p99 and the CPU milliseconds per call of the API and of PostgreSQL.
#
# Environment: SYNC_DB (required), CHANGES=1000, PAGE_SIZE=100 (the pages followed), MEASURE_SIZES="$PAGE_SIZE" (the
# first page is measured at each of these sizes), SYNC_API=folder of a published API (default: publish
# the working tree), WARMUP=30, DURATION=30 (passed to quick.sh). Needs curl, wrk, python3.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
: "${SYNC_DB:?set SYNC_DB to a connection string of a copy of a database with content (see the comment at the top)}"
CHANGES="${CHANGES:-1000}"
PAGE_SIZE="${PAGE_SIZE:-100}"
export WARMUP="${WARMUP:-30}" DURATION="${DURATION:-30}" CONNECTIONS=1

TMP="$(mktemp -d /tmp/contentapi-sync.XXXXXX)"
API_PID=""
cleanup() {
  [[ -z "$API_PID" ]] || { kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null || true; }
  rm -rf "$TMP"
}
trap cleanup EXIT

# shellcheck source=bench/api.sh
. "$HERE/api.sh"
API="${SYNC_API:-$TMP/api}"
[[ -n "${SYNC_API:-}" ]] || bench_publish_api "$ROOT" "$API"
(cd "$API" && ConnectionStrings__ContentDb="$SYNC_DB" ASPNETCORE_ENVIRONMENT=Production dotnet Api.dll migrate >/dev/null)

# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"
contentapi_pg_env_from_connection_string "$SYNC_DB"
PSQL="$(contentapi_pg_client_bin)/psql"
sql() { "$PSQL" -X -At -v ON_ERROR_STOP=1 -c "$1"; }

# The token an app holds when its copy is complete up to a position (Api/Sync/SyncToken.cs: version 1, not initial,
# since = through = position, no cursor).
token_at() {
  python3 -c 'import base64,struct,sys; p=int(sys.argv[1]); print(base64.urlsafe_b64encode(bytes([1,0])+struct.pack(">qq",p,p)+bytes(18)).decode().rstrip("="))' "$1"
}

before=$(sql "select greatest(pruned_through, (select max(position) from change_log)) from change_log_state")
removals=$(( CHANGES / 20 ))
edits=$(( CHANGES - removals ))
echo "making $edits edits and $removals unpublishes of published articles" >&2
ids=$(sql "select id from articles where status = 'Published' order by random() limit $CHANGES")
mapfile -t picked <<<"$ids"
for (( i = 0; i < ${#picked[@]}; i += 50 )); do
  list=$(printf "'%s'," "${picked[@]:i:50}"); list="${list%,}"
  if (( i < edits )); then
    sql "update articles set title = left(title, 180) || ' (uppdaterad)', updated_at = now(), version = version + 1 where id in ($list)" >/dev/null
  else
    sql "update articles set status = 'Draft', updated_at = now(), version = version + 1 where id in ($list)" >/dev/null
  fi
done
after=$(sql "select greatest(pruned_through, (select max(position) from change_log)) from change_log_state")
echo "change log: $(( after - before )) entries after position $before" >&2

PORT=$(( 20000 + RANDOM % 10000 ))
(cd "$API" && exec env ASPNETCORE_URLS="http://127.0.0.1:$PORT" ASPNETCORE_ENVIRONMENT=Production \
  ConnectionStrings__ContentDb="$SYNC_DB" PhotoStorage__Path="$TMP/photos" Shutdown__ReadinessDelay=0 \
  RateLimits__Anonymous__PermitLimit=1000000000 dotnet Api.dll) >"$TMP/api.log" 2>&1 &
API_PID=$!
bench_wait_ready "$API_PID" "$PORT" "$TMP/api.log"

# Follow the delta once, as an app would.
token=$(token_at "$before")
pages=() items=0 removed=0 bytes=0
while :; do
  pages+=("/api/sync?pageSize=$PAGE_SIZE&token=$token")
  curl -fsS "http://127.0.0.1:$PORT${pages[-1]}" >"$TMP/page.json"
  read -r n r more next < <(python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print(len(p["items"]), len(p["removed"]), int(p["hasMore"]), p["nextSyncToken"])' "$TMP/page.json")
  items=$(( items + n )); removed=$(( removed + r )); bytes=$(( bytes + $(stat -c %s "$TMP/page.json") ))
  token="$next"
  (( more == 1 )) || break
done
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true; API_PID=""
echo "the delta: ${#pages[@]} pages of up to $PAGE_SIZE, $items items and $removed removals, $(( bytes / 1024 )) KiB in all" >&2

# The first page at each size in MEASURE_SIZES, and the first page of the delta's last round.
first="${pages[0]#*&}"
paths=()
for size in ${MEASURE_SIZES:-$PAGE_SIZE}; do paths+=("/api/sync?pageSize=$size&$first"); done
QUICK_API="$API" QUICK_DB="$SYNC_DB" "$HERE/quick.sh" "${paths[@]}" "${pages[-1]}"
