#!/usr/bin/env bash
# Two API instances on one database: do writes made through one show on the other's next anonymous read? (issue 15)
#
#   TI_DB="Host=127.0.0.1;Port=55990;Database=mine;Username=postgres" bench/two-instances.sh
#
# The database must be one this script may change (a copy: `create database mine template contentapi_100k`): it runs
# `migrate`, makes an admin API key, unpublishes and publishes again TI_ARTICLES published articles and erases
# TI_CONTACTS contacts that published articles show. Two instances of one published API, A and B, run side by side.
# For each article: A reads it by slug twice (the second read is a store hit), B unpublishes it, and A reads it again
# at once: a 200 there is a leak (withdrawn content shown). Then B publishes it again, A reads it (stored), B changes
# its lead and publishes that, and A's next read must have the new lead. For each contact: A reads the contact and
# an article showing it, B erases the contact, and A's next reads must no longer show it. Every leaking read is
# retried every 5 ms for up to TI_WAIT seconds; the report gives the share of first re-reads that leaked, how many
# of them were store hits, how many still leaked after TI_WAIT seconds, and the longest time from B's answer to the
# write until A stopped leaking.
#
# Environment: TI_DB (required), TI_API=folder of a published API (default: publish the working tree to a temporary
# folder), TI_ARTICLES=100, TI_CONTACTS=20, TI_WAIT=1, TI_ENV="Name=value ..." extra environment for both instances.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
: "${TI_DB:?set TI_DB to a connection string of a database this script may change (see the comment at the top)}"
export TI_ARTICLES="${TI_ARTICLES:-100}" TI_CONTACTS="${TI_CONTACTS:-20}" TI_WAIT="${TI_WAIT:-1}"

TMP="$(mktemp -d /tmp/contentapi-two.XXXXXX)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

API="${TI_API:-}"
if [[ -z "$API" ]]; then
  API="$TMP/api"
  echo "publishing the API from $ROOT" >&2
  dotnet publish "$ROOT/Api/Api.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$API" >&2
fi

run() { # the API's command line against the database
  (cd "$API" && env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__ContentDb="$TI_DB" PhotoStorage__Path="$TMP/photos" dotnet Api.dll "$@")
}
run migrate >&2
export TI_KEY; TI_KEY="$(run apikey create --name "two-instances-$$" --role admin 2>/dev/null)"

start() { # name port
  # shellcheck disable=SC2086
  (cd "$API" && exec env ASPNETCORE_URLS="http://127.0.0.1:$2" ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__ContentDb="$TI_DB;Application Name=two-instances-$1" PhotoStorage__Path="$TMP/photos" \
    RateLimits__Anonymous__PermitLimit=1000000000 RateLimits__Authenticated__PermitLimit=1000000000 Shutdown__ReadinessDelay=0 \
    ${TI_ENV:-} dotnet Api.dll) >"$TMP/$1.log" 2>&1 &
  PIDS+=($!)
}
PORT=$(( 20000 + RANDOM % 10000 ))
export TI_A="http://127.0.0.1:$PORT" TI_B="http://127.0.0.1:$((PORT + 1))"
start a "$PORT"
start b "$((PORT + 1))"
for url in "$TI_A" "$TI_B"; do
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$url/health/ready" 2>/dev/null && break
    sleep 0.2
  done
  curl -fsS -o /dev/null "$url/health/ready" || { cat "$TMP"/*.log >&2; exit 1; }
done

# psql finds the articles and contacts to change.
# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"
contentapi_pg_env_from_connection_string "$TI_DB"
PSQL="$(contentapi_pg_client_bin)/psql"
"$PSQL" -X -At -F ' ' -c "select id, slug from articles where status = 'Published' and pending_changes is null
  order by random() limit $TI_ARTICLES" >"$TMP/articles"
"$PSQL" -X -At -F ' ' -c "select distinct on (c.id) c.id, a.slug from contacts c join article_contacts ac on ac.contact_id = c.id
  join articles a on a.id = ac.article_id where a.status = 'Published' order by c.id, random() limit $TI_CONTACTS" >"$TMP/contacts"

python3 - "$TMP/articles" "$TMP/contacts" <<'PY'
import http.client, json, os, sys, time, urllib.parse

wait = float(os.environ["TI_WAIT"])
key = os.environ["TI_KEY"]
conns = {}

def call(base, method, path, body=None, headers=None):
    url = urllib.parse.urlsplit(base)
    conn = conns.get(base) or conns.setdefault(base, http.client.HTTPConnection(url.hostname, url.port, timeout=30))
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.getheader("Cache-Status", ""), response.getheader("ETag", ""), response.read()

def read(base, path): return call(base, "GET", path)
A, B = os.environ["TI_A"], os.environ["TI_B"]

written = 0.0  # when B answered the last write

def send(method, path, body=b"", headers=None):
    global written
    answer = call(B, method, path, body, {"X-Api-Key": key, **(headers or {})})
    written = time.monotonic()
    if answer[0] >= 300: sys.exit(f"{method} {path} answered {answer[0]}: {answer[3][:300]}")

def write(path): send("POST", path)

tally = {}  # kind -> [re-reads, leaked at once, of which store hits, still leaking after TI_WAIT, longest leak in ms]

def check(kind, path, leaking):
    """A's first re-read after a write through B; a leaking one is retried until TI_WAIT has passed."""
    t = tally.setdefault(kind, [0, 0, 0, 0, 0])
    t[0] += 1
    answer = read(A, path)
    if not leaking(answer):
        return
    t[1] += 1
    t[2] += "hit" in answer[1]
    until = time.monotonic() + wait
    while time.monotonic() < until:
        time.sleep(0.005)
        if not leaking(read(A, path)):
            t[4] = max(t[4], round(1000 * (time.monotonic() - written)))
            return
    t[3] += 1

for line in open(sys.argv[1]):
    id, slug = line.split()
    path = f"/api/articles/by-slug/{slug}"
    read(A, path); read(A, path)
    write(f"/api/articles/{id}/unpublish")
    check("unpublish", path, lambda a: a[0] == 200)
    # Published again (A's stored answer from before the unpublish is right again, or was evicted), then a change
    # published through B: A's next read must have the new lead.
    write(f"/api/articles/{id}/publish")
    while read(A, path)[0] != 200:
        time.sleep(0.05)
    read(A, path)
    etag = call(B, "GET", f"/api/articles/{id}", headers={"X-Api-Key": key})[2]
    lead = f"Ny ingress {id}."
    send("PATCH", f"/api/articles/{id}", json.dumps({"lead": lead}).encode(),
         {"If-Match": etag, "Content-Type": "application/merge-patch+json"})
    write(f"/api/articles/{id}/publish")
    check("publish of a change", path, lambda a: lead.encode() not in a[3])

for line in open(sys.argv[2]):
    id, slug = line.split()
    contact, article = f"/api/contacts/{id}", f"/api/articles/by-slug/{slug}"
    for path in (contact, contact, article, article):
        read(A, path)
    write(f"/api/admin/contacts/{id}/erase")
    check("erasure: the contact", contact, lambda a: a[0] == 200)
    check("erasure: an article showing it", article, lambda a: id.encode() in a[3])

print(f"{'write through B, re-read on A':34} {'re-reads':>8} {'leaked':>7} {'share':>7} {'hits':>5} {f'after {wait:g} s':>10} {'longest ms':>10}")
total = [0, 0, 0, 0, 0]
for kind, t in list(tally.items()) + [("all", None)]:
    t = t or total
    if kind != "all":
        total = [x + y for x, y in zip(total[:4], t[:4])] + [max(total[4], t[4])]
    longest = f"> {1000 * wait:g}" if t[3] else t[4]
    print(f"{kind:34} {t[0]:8} {t[1]:7} {100 * t[1] / max(t[0], 1):6.1f}% {t[2]:5} {t[3]:10} {longest:>10}")
PY
