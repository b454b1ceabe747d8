#!/usr/bin/env bash
# Webhook latency (issue 15): the published API against a database, 4 subscriptions to a receiver on loopback, 1,000
# publishes (an article created, then published, one at a time), and the time from each publish's commit (the change
# log's changed_at, carried in the payload's timestamp) to the webhook's arrival, p50/p95/p99/max; also from the
# publish's answer. Every signature is checked.
#
#   WEBHOOK_DB="Host=127.0.0.1;Port=55990;Database=mine;Username=postgres" bench/webhooks.sh
#
# The database is migrated first (use a copy, e.g. `create database mine template contentapi_100k`); the articles it
# publishes stay in it. Environment: WEBHOOK_DB (required), WEBHOOK_API=folder of a published API (default: publish
# the working tree), PUBLISHES=1000, SUBSCRIPTIONS=4.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
: "${WEBHOOK_DB:?set WEBHOOK_DB to a connection string of a database to publish into (see the comment at the top)}"
PUBLISHES="${PUBLISHES:-1000}"
SUBSCRIPTIONS="${SUBSCRIPTIONS:-4}"

TMP="$(mktemp -d /tmp/contentapi-webhooks.XXXXXX)"
API_PID=""
cleanup() {
  [[ -z "$API_PID" ]] || { kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null || true; }
  rm -rf "$TMP"
}
trap cleanup EXIT

API="${WEBHOOK_API:-}"
if [[ -z "$API" ]]; then
  API="$TMP/api"
  echo "publishing the API from $ROOT" >&2
  dotnet publish "$ROOT/Api/Api.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$API" >&2
fi
dotnet build "$HERE/webhooks/WebhookBench.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$TMP/bench" >&2

export ConnectionStrings__ContentDb="$WEBHOOK_DB" ASPNETCORE_ENVIRONMENT=Production
(cd "$API" && dotnet Api.dll migrate) >&2
ADMIN_KEY=$(cd "$API" && dotnet Api.dll apikey create --name "bench-webhooks-admin-$$" --role admin 2>/dev/null)
PUBLISHER_KEY=$(cd "$API" && dotnet Api.dll apikey create --name "bench-webhooks-publisher-$$" --role publisher 2>/dev/null)

PORT=$(( 20000 + RANDOM % 10000 ))
(cd "$API" && exec env ASPNETCORE_URLS="http://127.0.0.1:$PORT" PublicBaseUrl="http://127.0.0.1:$PORT/" \
  PhotoStorage__Path="$TMP/photos" Webhooks__AllowedNetworks__0=127.0.0.0/8 \
  RateLimits__Authenticated__PermitLimit=1000000000 Shutdown__ReadinessDelay=0 \
  dotnet Api.dll) >"$TMP/api.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/ready" 2>/dev/null && break
  kill -0 "$API_PID" 2>/dev/null || { cat "$TMP/api.log" >&2; exit 1; }
  sleep 0.2
done

dotnet "$TMP/bench/WebhookBench.dll" "http://127.0.0.1:$PORT" "$ADMIN_KEY" "$PUBLISHER_KEY" "$PUBLISHES" "$SUBSCRIPTIONS"
