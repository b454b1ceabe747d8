#!/usr/bin/env bash
# Two API instances behind nginx (deploy/nginx/contentapi.conf as written) under wrk: errors, stale answers and the
# spread per instance across publishes through either instance and a restart of one (issue 17).
#
#   PX_DB="Host=127.0.0.1;Port=55990;Database=mine;Username=postgres" bench/proxy.sh
#
# The database must be one this script may change (a copy: `create database mine template contentapi_100k`): it runs
# `migrate`, makes an admin API key and changes the lead of one published article PX_PUBLISHES times.
# wrk reads through nginx for PX_DURATION seconds (stored answers: the article list, 50 articles by slug, an OData
# page); meanwhile a checker publishes a new lead of one article every 0.5 s, through A and B in turn, and reads it
# through nginx without a pause: a read showing an older lead than a read that had ended before it began is stale.
# At PX_STOP_AT seconds B gets SIGTERM; once it has exited it is started again. Reported: wrk's requests and errors
# (socket errors and statuses >= 400), the checker's reads and stale ones (and those within the moment the other
# instance takes to hear of a commit), the answers per instance from nginx's access log, the requests nginx retried,
# and the machine's load average.
#
# Environment: PX_DB (required), PX_API=folder of a published API (default: publish the working tree),
# PX_DURATION=90, PX_STOP_AT=15, PX_CONNECTIONS=32, PX_THREADS=2. Needs nginx (apt-get install nginx), wrk, curl, python3.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
: "${PX_DB:?set PX_DB to a connection string of a database this script may change (see the comment at the top)}"
PX_DURATION="${PX_DURATION:-90}" PX_STOP_AT="${PX_STOP_AT:-15}" PX_CONNECTIONS="${PX_CONNECTIONS:-32}" PX_THREADS="${PX_THREADS:-2}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x "$NGINX" ]] || { echo "nginx is missing: apt-get install nginx" >&2; exit 1; }

TMP="$(mktemp -d /tmp/contentapi-proxy.XXXXXX)"
chmod 755 "$TMP"
declare -A PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
# shellcheck source=bench/api.sh
. "$HERE/api.sh"

API="${PX_API:-}"
if [[ -z "$API" ]]; then
  API="$TMP/api"
  bench_publish_api "$ROOT" "$API"
fi
run() { (cd "$API" && env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__ContentDb="$PX_DB" PhotoStorage__Path="$TMP/photos" dotnet Api.dll "$@"); }
run migrate >&2
export PX_KEY; PX_KEY="$(run apikey create --name "proxy-$$" --role admin 2>/dev/null)"

PORT=$(( 20000 + RANDOM % 10000 ))
start() { # name port
  (cd "$API" && exec env ASPNETCORE_URLS="http://127.0.0.1:$2" ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__ContentDb="$PX_DB;Application Name=proxy-$1" PhotoStorage__Path="$TMP/photos" \
    RateLimits__Enabled=false Shutdown__ReadinessDelay=00:00:01 dotnet Api.dll) >>"$TMP/$1.log" 2>&1 &
  PIDS[$1]=$!
}
start a "$PORT"
start b "$((PORT + 1))"
bench_wait_ready "${PIDS[a]}" "$PORT" "$TMP/a.log"
bench_wait_ready "${PIDS[b]}" "$((PORT + 1))" "$TMP/b.log"

# The documented configuration with this run's addresses (the same four replacements as Tests/Support/Nginx.cs).
mkdir -p "$TMP/nginx"
sed -e "s|server 10.0.0.11:8080|server 127.0.0.1:$PORT|" -e "s|server 10.0.0.12:8080|server 127.0.0.1:$((PORT + 1))|" \
    -e "s|listen 80;|listen 127.0.0.1:$((PORT + 2));|" -e "s|/var/log/nginx/contentapi.access.log|$TMP/nginx/access.log|" \
    "$ROOT/deploy/nginx/contentapi.conf" >"$TMP/nginx/contentapi.conf"
{
  [[ "$(id -u)" == 0 ]] && echo "user root;"
  echo "daemon off; worker_processes 1; pid $TMP/nginx/nginx.pid; error_log $TMP/nginx/error.log notice;"
  echo "events { worker_connections 1024; }"
  echo "http {"
  for kind in client_body proxy fastcgi uwsgi scgi; do echo "  ${kind}_temp_path $TMP/nginx/$kind;"; done
  echo "  include $TMP/nginx/contentapi.conf;"
  echo "}"
} >"$TMP/nginx/nginx.conf"
"$NGINX" -p "$TMP/nginx/" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" &
PIDS[nginx]=$!
export PX_PROXY="http://127.0.0.1:$((PORT + 2))" PX_A="http://127.0.0.1:$PORT" PX_B="http://127.0.0.1:$((PORT + 1))"
for _ in $(seq 1 50); do curl -fsS -o /dev/null "$PX_PROXY/health/live" 2>/dev/null && break; sleep 0.1; done

# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"
contentapi_pg_env_from_connection_string "$PX_DB"
PSQL="$(contentapi_pg_client_bin)/psql"
{
  echo "/api/articles"
  echo "/odata/Articles?\$top=10&\$select=title,lead"
  "$PSQL" -X -At -c "select '/api/articles/by-slug/' || slug from articles where status = 'Published' order by random() limit 50"
} >"$TMP/paths"
export PX_ARTICLE; PX_ARTICLE="$("$PSQL" -X -At -c "select id from articles where status = 'Published' and pending_changes is null order by random() limit 1")"

# Warm-up: every path through both instances, so the run measures stored answers and the JIT has settled a little.
BENCH_SLUGS="$TMP/paths" BENCH_PREFIX="" wrk -t"$PX_THREADS" -c"$PX_CONNECTIONS" -d10s -s "$HERE/wrk/scenario.lua" "$PX_PROXY" >/dev/null
: >"$TMP/nginx/access.log"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

BENCH_NAME=proxy BENCH_OUT="$TMP/wrk.json" BENCH_STATUS=1 BENCH_SLUGS="$TMP/paths" BENCH_PREFIX="" \
  wrk -t"$PX_THREADS" -c"$PX_CONNECTIONS" -d"${PX_DURATION}s" --timeout 10s -s "$HERE/wrk/scenario.lua" "$PX_PROXY" >"$TMP/wrk.txt" &
WRK=$!
python3 - "$PX_DURATION" >"$TMP/checker.txt" <<'PY' &
import http.client, json, os, sys, threading, time, urllib.parse
duration = float(sys.argv[1]); key = os.environ["PX_KEY"]; article = os.environ["PX_ARTICLE"]
def conn(base):
    u = urllib.parse.urlsplit(base); return http.client.HTTPConnection(u.hostname, u.port, timeout=30)
def call(c, method, path, body=None, headers=None):
    c.request(method, path, body=body, headers=headers or {}); r = c.getresponse(); return r.status, r.getheader("ETag"), r.read()
writers = {"A": conn(os.environ["PX_A"]), "B": conn(os.environ["PX_B"])}
reader = conn(os.environ["PX_PROXY"])
slug = json.loads(call(writers["A"], "GET", f"/api/articles/{article}", headers={"X-Api-Key": key})[2])["slug"]
reads, errors, published, stop = [], [], [], time.monotonic() + duration - 2
clock0 = time.monotonic()
def read_loop():
    global reader
    while time.monotonic() < stop:
        start = time.monotonic() - clock0
        try:
            status, _, body = call(reader, "GET", f"/api/articles/by-slug/{slug}")
        except Exception as e:
            errors.append(str(e)); reader = conn(os.environ["PX_PROXY"]); continue
        if status != 200: errors.append(f"{status} {body[:200]!r}"); continue
        lead = json.loads(body)["lead"]
        reads.append((start, time.monotonic() - clock0, int(lead.rsplit(" ", 1)[1]) if lead.startswith("Proxybench ") else 0))
t = threading.Thread(target=read_loop); t.start()
version = 0
while time.monotonic() < stop - 1:
    version += 1
    name = "A" if version % 2 else "B"
    for attempt in range(2):
        try:
            w = writers[name]
            status, etag, _ = call(w, "GET", f"/api/articles/{article}", headers={"X-Api-Key": key})
            s1 = call(w, "PATCH", f"/api/articles/{article}", json.dumps({"lead": f"Proxybench {version}"}).encode(),
                      {"X-Api-Key": key, "If-Match": etag, "Content-Type": "application/merge-patch+json"})[0]
            s2 = call(w, "POST", f"/api/articles/{article}/publish", b"", {"X-Api-Key": key})[0]
            if s1 < 300 and s2 < 300: published.append((name, time.monotonic() - clock0)); break
        except Exception:
            writers[name] = conn(os.environ["PX_" + name])
        name = "A"  # B is restarting: this one through A
    time.sleep(0.5)
t.join()
by_end = sorted(reads, key=lambda r: r[1]); newest, since, i = -1, 0.0, 0; stale = window = 0; widest = 0.0
for r in sorted(reads):
    while i < len(by_end) and by_end[i][1] < r[0]:
        if by_end[i][2] > newest: newest, since = by_end[i][2], by_end[i][1]
        i += 1
    if r[2] < newest:
        late = r[0] - since; widest = max(widest, late)
        if late < 1.0: window += 1
        else: stale += 1
print(json.dumps({"checker_reads": len(reads), "checker_errors": len(errors), "first_errors": errors[:3], "stale": stale,
                  "older_within_notify_window": window, "widest_window_ms": round(widest * 1000, 1),
                  "publishes": len(published), "through_b": sum(1 for p in published if p[0] == "B")}))
PY
CHECKER=$!

sleep "$PX_STOP_AT"
kill -TERM "${PIDS[b]}"; STOPPED="$(date +%s.%N)"
wait "${PIDS[b]}" || true
start b "$((PORT + 1))"
# Up to two minutes (a loaded machine starts .NET slowly); "back" is when it answers ready.
for _ in $(seq 1 600); do curl -fsS -o /dev/null "$PX_B/health/ready" 2>/dev/null && break; sleep 0.2; done
BACK="$(date +%s.%N)"
wait "$WRK" "$CHECKER"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$TMP" "$PORT" "$STOPPED" "$BACK" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PY'
import json, re, sys
tmp, port, stopped, back, load_before, load_after = sys.argv[1:]
w = json.loads(open(f"{tmp}/wrk.json").read().strip().splitlines()[-1])
c = json.loads(open(f"{tmp}/checker.txt").read())
a, b = f"127.0.0.1:{port}", f"127.0.0.1:{int(port) + 1}"
phases = {p: {"A": 0, "B": 0} for p in ("both_up", "b_stopping_or_down", "b_back")}; retried = 0; statuses = {}
for line in open(f"{tmp}/nginx/access.log"):
    m = re.search(r"\] ([\d.]+) \".*\" (\d{3}) \d+ [\d.]+ upstream=(.*) upstream_status=", line)
    at, ups = float(m.group(1)), m.group(3).split(", ")
    retried += len(ups) > 1
    phase = "both_up" if at < float(stopped) else "b_stopping_or_down" if at < float(back) else "b_back"
    who = "A" if ups[-1] == a else "B" if ups[-1] == b else "none"
    phases[phase][who] = phases[phase].get(who, 0) + 1
    statuses[m.group(2)] = statuses.get(m.group(2), 0) + 1
total = sum(sum(p.values()) for p in phases.values())
counts = phases["both_up"]
print(json.dumps({"wrk_requests": w["requests"], "wrk_rps": w["rps"], "wrk_errors": w["errors"], "wrk_errors_detail": w["errors_detail"],
                  "wrk_statuses": w["statuses"], "wrk_latency_ms": {k: w[k + "_ms"] for k in ("p50", "p90", "p99", "max")},
                  **c, "nginx_answers": total, "per_instance": phases,
                  "share_a_while_both_up": round(counts["A"] / max(1, counts["A"] + counts["B"]), 3), "retried_on_other": retried, "statuses": statuses,
                  "b_down_s": round(float(back) - float(stopped), 1), "load_before": load_before, "load_after": load_after}, indent=1))
PY
grep -E "\[(error|crit|alert)\]" "$TMP/nginx/error.log" | head -5 >&2 || true
