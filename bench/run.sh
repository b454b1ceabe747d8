#!/usr/bin/env bash
# HTTP benchmark of the API against two baselines, on a private PostgreSQL with 100 000 generated articles.
#
#   bench/run.sh                                  # everything, ~12-13 minutes on a 2-core machine; writes bench/RESULTS.md
#   WARMUP=5 DURATION=15 CONNECTIONS=32 bench/run.sh   # longer periods (the total then exceeds 15 minutes)
#
# What it does (see the "Benchmark" section of README.md):
#   1. builds the API (dotnet publish -c Release) and the baselines bench/baselines/{FixedJson,RawNpgsql};
#   2. starts a throwaway PostgreSQL cluster (scripts/postgres.sh) in a temporary folder on a free port, runs the API's
#      `migrate`, `seed-demo`, `generate-articles $ARTICLES`, then VACUUM ANALYZE;
#   3. EXPLAINs the hand-written queries (psql) and records the plans of the API's own SQL (auto_explain, one request
#      per scenario, then switched off again);
#   4. pins PostgreSQL and each server to CPU $SERVER_CPU and wrk to CPU $CLIENT_CPU; warms each freshly started server
#      up ($SERVER_WARMUP s); runs every scenario with wrk (1 thread, $CONNECTIONS connections): $WARMUP s warm-up,
#      a pause until the server CPU is idle, then $DURATION s measured (bench/wrk/scenario.lua writes p50/p99/req/s/
#      errors as JSON lines to bench/out/results.jsonl), sampling the server's RSS and CPU time meanwhile;
#   5. writes its results in machine-readable form to bench/out (results.jsonl, meta.tsv, facts.tsv, notes, plans) and
#      has bench/report (a small C# program) write bench/RESULTS.md from them; stops everything and deletes the
#      temporary folder (trap EXIT).
#
# Environment (all optional):
#   ARTICLES=100000       generated articles              WARMUP=3 / DURATION=12   seconds per scenario
#   SERVER_WARMUP=45      seconds of load on FixedJson and on the API (what its output cache answers) right after they
#                         start, before any measurement: on one pinned core the JIT's tiered compilation needs ~30-45 s
#                         of load before a .NET server reaches its steady state
#   MISS_WARMUP=90        seconds of cache misses (articles, list pages, OData) the API gets first: the code behind them
#                         (EF Core, Npgsql, OData) is large, and measured here it takes 60-120 s of such load on one core
#                         until its CPU per request stops falling (from ~3 ms to ~0.6 ms per article, from ~10 ms to
#                         ~2.5 ms per OData query)
#   RAW_WARMUP=30         seconds of load on RawNpgsql (little code to compile)
#   CONNECTIONS=32        wrk connections                  WRK_TIMEOUT=5s           wrk's per-request timeout
#   SERVER_CPU=0          CPU of servers + PostgreSQL      CLIENT_CPU=1             CPU of wrk
#   BENCH_SOURCE=worktree build the API from the working tree, or from a git ref (e.g. HEAD) via `git archive`
#   BENCH_DATA_DIR=dir    keep the cluster and photo files in dir between runs (generation is skipped when the
#                         database already has $ARTICLES articles); default: a temporary folder, deleted at the end
#   BENCH_RESULTS=file   where to write the report instead of bench/RESULTS.md (e.g. for a shortened trial run:
#                         ARTICLES=2000 SERVER_WARMUP=5 MISS_WARMUP=5 RAW_WARMUP=5 WARMUP=1 DURATION=3 BENCH_RESULTS=/tmp/r.md)
#   BENCH_CONN_EXTRA="Max Auto Prepare=64"  appended to the connection string of the API and of RawNpgsql (e.g. to
#                         measure prepared statements, off by default: see README, ConnectionStrings:ContentDb)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
ARTICLES="${ARTICLES:-100000}"
WARMUP="${WARMUP:-3}"
SERVER_WARMUP="${SERVER_WARMUP:-45}"
MISS_WARMUP="${MISS_WARMUP:-90}"
RAW_WARMUP="${RAW_WARMUP:-30}"
DURATION="${DURATION:-12}"
CONNECTIONS="${CONNECTIONS:-32}"
WRK_TIMEOUT="${WRK_TIMEOUT:-5s}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
BENCH_SOURCE="${BENCH_SOURCE:-worktree}"
BENCH_DATA_DIR="${BENCH_DATA_DIR:-}"
BENCH_CONN_EXTRA="${BENCH_CONN_EXTRA:-}"
OUT="$HERE/out"
LUA="$HERE/wrk/scenario.lua"
RESULTS="${BENCH_RESULTS:-$HERE/RESULTS.md}"
JSONL="$OUT/results.jsonl"
META="$OUT/meta.tsv"
NOTES="$OUT/notes.txt"
FACTS="$OUT/facts.tsv"

# shellcheck source=../scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"

STARTED_AT=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
T0=$SECONDS
log() { printf '[bench %4ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# A free TCP port below the kernel's ephemeral range (so that no client connection can be holding it), not in use in
# any TCP state.
free_port() {
  local lo=20000 hi=32000 eph port i
  eph=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  (( hi < eph )) || hi=$eph
  for i in $(seq 1 200); do
    port=$(( lo + RANDOM % (hi - lo) ))
    if command -v ss >/dev/null 2>&1; then
      ss -Htan 2>/dev/null | awk '{print $4; print $5}' | grep -Eq "[:.]$port\$" && continue
    else
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    fi
    echo "$port"
    return 0
  done
  contentapi_free_port
}

# ---------------------------------------------------------------------------------------------------------------------
# Cleanup: every process this script starts is tracked by pid and stopped here; the cluster is stopped; the temporary
# folder is deleted.
TMP="$(mktemp -d /tmp/contentapi-bench.XXXXXX)"
PIDS=()
PGDATA_DIR=""
track() { PIDS+=("$1"); }
stop_pid() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ -n "$PGDATA_DIR" ]]; then
    # auto_explain must never stay on in a kept cluster.
    if [[ -n "${PGPORT_BENCH:-}" ]]; then
      "$CONTENTAPI_PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PGPORT_BENCH" -U postgres -d postgres \
        -c 'alter system reset all' -c 'select pg_reload_conf()' >/dev/null 2>&1
    fi
    contentapi_pg_stop "$PGDATA_DIR"
  fi
  rm -rf "$TMP"
  if [[ $rc -ne 0 ]]; then log "failed (exit $rc); logs in $OUT"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
rm -f "$JSONL" "$META" "$NOTES" "$FACTS" "$OUT"/*.log "$OUT"/*.txt "$OUT"/*.json "$OUT"/*.jsonl
: >"$META"
: >"$NOTES"
note() { echo "$*" >>"$NOTES"; log "$*"; }

# ---------------------------------------------------------------------------------------------------------------------
# Tools.
command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is required"
command -v curl >/dev/null || die "curl is required"
command -v taskset >/dev/null || die "taskset (util-linux) is required"
if ! command -v wrk >/dev/null; then
  log "wrk not found; installing the Debian package"
  sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo -n)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y -q wrk </dev/null >&2 \
    || { "${sudo[@]}" apt-get update -q >&2 && "${sudo[@]}" apt-get install -y -q wrk </dev/null >&2; } \
    || die "could not install wrk (apt-get install wrk)"
fi
contentapi_pg_ensure_binaries
PSQL_BIN="$CONTENTAPI_PG_BIN/psql"
NPROC=$(nproc)
(( SERVER_CPU < NPROC && CLIENT_CPU < NPROC )) || die "CPUs $SERVER_CPU and $CLIENT_CPU do not both exist (nproc=$NPROC)"

# ---------------------------------------------------------------------------------------------------------------------
# 1. Build. No MSBuild node reuse and no shared compiler server: nothing may keep running after the script.
BUILD_FLAGS=(-c Release -nologo -v quiet -clp:ErrorsOnly -nodeReuse:false -p:UseSharedCompilation=false)
if [[ "$BENCH_SOURCE" == "worktree" ]]; then
  SRC="$ROOT"
  SOURCE_DESC="working tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  if [[ -n "$(git -C "$ROOT" status --porcelain -- Api Infrastructure Domain 2>/dev/null)" ]]; then
    SOURCE_DESC+=" with uncommitted changes in Api/Infrastructure/Domain"
  fi
else
  SRC="$TMP/src"
  mkdir -p "$SRC"
  git -C "$ROOT" archive "$BENCH_SOURCE" | tar -x -C "$SRC"
  SOURCE_DESC="git archive of $BENCH_SOURCE ($(git -C "$ROOT" rev-parse --short "$BENCH_SOURCE"))"
fi
log "building the API (Release) from the $SOURCE_DESC"
T_BUILD=$SECONDS
rm -rf "$OUT/api"
dotnet publish "$SRC/Api/Api.csproj" "${BUILD_FLAGS[@]}" -o "$OUT/api" >"$OUT/build-api.log" 2>&1 \
  || { cat "$OUT/build-api.log" >&2; die "the API does not build (try BENCH_SOURCE=HEAD to measure the last commit)"; }
API_DLL="$OUT/api/Api.dll"

# ---------------------------------------------------------------------------------------------------------------------
# 2. PostgreSQL and data.
if [[ -n "$BENCH_DATA_DIR" ]]; then
  mkdir -p "$BENCH_DATA_DIR"
  BENCH_DATA_DIR="$(cd "$BENCH_DATA_DIR" && pwd -P)"
  PGDATA_DIR="$BENCH_DATA_DIR/pg"
  PHOTOS="$BENCH_DATA_DIR/photos"
else
  PGDATA_DIR="$TMP/pg"
  PHOTOS="$TMP/photos"
fi
mkdir -p "$PHOTOS"
if PGPORT_BENCH="$(contentapi_pg_running_port "$PGDATA_DIR" 2>/dev/null)"; then
  log "reusing the running cluster $PGDATA_DIR on port $PGPORT_BENCH"
else
  PGPORT_BENCH="$(free_port)"
  contentapi_pg_start "$PGDATA_DIR" "$PGPORT_BENCH"
fi
psql_db() { "$PSQL_BIN" -X -q -h 127.0.0.1 -p "$PGPORT_BENCH" -U postgres -v ON_ERROR_STOP=1 "$@"; }
if [[ "$(psql_db -d postgres -Atc "select 1 from pg_database where datname = 'contentapi'")" != "1" ]]; then
  psql_db -d postgres -c 'create database contentapi'
fi
psql_app() { psql_db -d contentapi "$@"; }
CONN="Host=127.0.0.1;Port=$PGPORT_BENCH;Database=contentapi;Username=postgres"
[[ -z "$BENCH_CONN_EXTRA" ]] || CONN="$CONN;$BENCH_CONN_EXTRA"

api_env() {
  env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__ContentDb="$CONN" PhotoStorage__Path="$PHOTOS" "$@"
}

existing=$(psql_app -Atc "select count(*) from articles" 2>/dev/null || echo 0)
GEN_PID=""
if (( existing >= ARTICLES )); then
  log "the database already has $existing articles; skipping generation"
  GEN_SECONDS=0
else
  (( existing == 0 )) || die "$PGDATA_DIR has $existing articles (< $ARTICLES); delete it or use another BENCH_DATA_DIR"
  log "migrate, seed-demo, generate-articles $ARTICLES (in the background; ~3 s per 1000 here)"
  T_GEN=$SECONDS
  (
    cd "$OUT/api"
    api_env dotnet "$API_DLL" migrate
    # The demo pledge exists only when seed-demo runs on an empty database: before the generated articles.
    api_env dotnet "$API_DLL" seed-demo
    api_env dotnet "$API_DLL" generate-articles "$ARTICLES"
  ) >"$OUT/generate.log" 2>&1 &
  GEN_PID=$!
  track "$GEN_PID"
fi

# The baselines and the report program are built from this folder (RawNpgsql with the working tree's rendering code,
# also when BENCH_SOURCE names a git ref).
log "building the baselines and the report program (Release)"
for project in baselines/FixedJson/FixedJson.csproj baselines/RawNpgsql/RawNpgsql.csproj report/BenchReport.csproj; do
  name="$(basename "$project" .csproj)"
  rm -rf "$OUT/$name"
  dotnet publish "$HERE/$project" "${BUILD_FLAGS[@]}" -o "$OUT/$name" >"$OUT/build-$name.log" 2>&1 \
    || { cat "$OUT/build-$name.log" >&2; die "$name does not build"; }
done
BUILD_SECONDS=$((SECONDS - T_BUILD))

if [[ -n "$GEN_PID" ]]; then
  wait "$GEN_PID" || { tail -n 30 "$OUT/generate.log" >&2; die "data generation failed"; }
  GEN_SECONDS=$((SECONDS - T_GEN))
  log "data generated in ${GEN_SECONDS}s"
fi
psql_app -c 'vacuum analyze' >/dev/null
read -r N_ARTICLES N_PUBLISHED < <(psql_app -AtF ' ' -c "select count(*), count(*) filter (where status = 'Published') from articles")
log "articles: $N_ARTICLES ($N_PUBLISHED published)"

# Every published slug in a fixed pseudo-random order: the uncached scenario walks through them without repeating,
# so an output cache (entries live for a minute or so) cannot answer them.
SLUGS="$TMP/slugs.txt"
psql_app -Atc "select slug from articles where status = 'Published' order by md5(id::text)" >"$SLUGS"
N_SLUGS=$(wc -l <"$SLUGS")
CACHED_SLUG="$(head -n 1 "$SLUGS")"
log "$N_SLUGS slugs; the cached scenario asks for $CACHED_SLUG"

# ---------------------------------------------------------------------------------------------------------------------
# 3. Plans. (a) the hand-written queries of RawNpgsql through psql; (b) the API's own SQL, caught by auto_explain.
{
  echo "-- list, page 50"
  psql_app -c "explain (analyze, costs off) select a.id, a.slug, a.title, a.lead, a.tags, a.published_at, a.updated_at, p.id from (select id, slug, title, lead, tags, published_at, updated_at, hero_photo_id from articles where status = 'Published' order by published_at desc, id desc limit 20 offset 980) a left join photos p on p.id = a.hero_photo_id order by a.published_at desc, a.id desc"
  echo "-- list, count"
  psql_app -c "explain (analyze, costs off) select count(*)::int from articles where status = 'Published'"
  echo "-- article by slug"
  psql_app -c "explain (analyze, costs off) select a.id, a.body::text, p.id, pl.id from articles a left join photos p on p.id = a.hero_photo_id left join pledges pl on pl.id = a.pledge_id and pl.status = 'Published' where a.slug = '$CACHED_SLUG' and a.status = 'Published'"
  echo "-- tag query"
  psql_app -c "explain (analyze, costs off) select slug, title, published_at from articles where status = 'Published' and tags @> array['trafik']::text[] order by published_at desc, id limit 20"
  echo "-- tag query, count"
  psql_app -c "explain (analyze, costs off) select count(*) from articles where status = 'Published' and tags @> array['trafik']::text[]"
} >"$OUT/explain-psql.txt" 2>&1 || note "EXPLAIN via psql failed; see bench/out/explain-psql.txt"

ODATA_PATH="/odata/Articles?\$filter=tags/any(t:t%20eq%20%27trafik%27)&\$orderby=publishedAt%20desc&\$top=20&\$select=title,slug,publishedAt&\$count=true"
SECOND_SLUG="$(sed -n 2p "$SLUGS")"

wait_ready() { # url pid seconds
  local url="$1" pid="$2" i
  for i in $(seq 1 "$(( $3 * 5 ))"); do
    kill -0 "$pid" 2>/dev/null || return 1
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

API_PLANS="$OUT/api-plans.log"
: >"$API_PLANS"
probe_api_sql() {
  local port pid logfile before
  logfile="$PGDATA_DIR/postgres.log"
  psql_db -d postgres -c "load 'auto_explain'" -c "alter system set session_preload_libraries = 'auto_explain'" \
    -c "alter system set auto_explain.log_min_duration = 0" -c 'select pg_reload_conf()' >/dev/null
  before=$(stat -c %s "$logfile")
  port="$(free_port)"
  (cd "$OUT/api" && exec env ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__ContentDb="$CONN" PhotoStorage__Path="$PHOTOS" dotnet "$API_DLL") >"$OUT/api-probe.log" 2>&1 &
  pid=$!
  track "$pid"
  if wait_ready "http://127.0.0.1:$port/health/ready" "$pid" 60; then
    for path in "/api/articles/by-slug/$SECOND_SLUG" "/api/articles?page=1&pageSize=20" "/api/articles?page=50&pageSize=20" \
                "$ODATA_PATH" "/api/pledges/current"; do
      curl -sS -o /dev/null --max-time 30 "http://127.0.0.1:$port$path" || true
    done
  else
    note "the API did not start for the SQL probe; see bench/out/api-probe.log"
  fi
  stop_pid "$pid"
  psql_db -d postgres -c 'alter system reset all' -c 'select pg_reload_conf()' >/dev/null
  sleep 0.5
  tail -c +"$((before + 1))" "$logfile" >"$API_PLANS"
}
log "recording the plans of the API's SQL (auto_explain, one request per scenario)"
probe_api_sql || note "the SQL probe failed"

# ---------------------------------------------------------------------------------------------------------------------
# 4. Benchmarks.
PM_PID="$(head -n 1 "$PGDATA_DIR/postmaster.pid")"
pin_postgres() {
  local pid ppid
  taskset -a -p -c "$SERVER_CPU" "$PM_PID" >/dev/null
  for status in /proc/[0-9]*/status; do
    ppid=$(awk '/^PPid:/ {print $2; exit}' "$status" 2>/dev/null || true)
    if [[ "$ppid" == "$PM_PID" ]]; then
      pid="${status#/proc/}"; pid="${pid%/status}"
      taskset -a -p -c "$SERVER_CPU" "$pid" >/dev/null 2>&1 || true
    fi
  done
}
pin_postgres
PG_MASK="$(taskset -p "$PM_PID" | awk '{print $NF}')"
log "PostgreSQL (postmaster $PM_PID and its children) pinned to CPU $SERVER_CPU (mask $PG_MASK); wrk on CPU $CLIENT_CPU"

kb() { awk -v k="$2" '$1 == k":" {print $2; exit}' "/proc/$1/status" 2>/dev/null || echo 0; }
# CPU time in clock ticks: of one process (user + system), and of the servers' CPU ("busy total" from /proc/stat).
proc_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0; }
cpu_ticks() { awk -v c="cpu$SERVER_CPU" '$1 == c {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
CLK_TCK=$(getconf CLK_TCK)
# CPU ticks of this script's PostgreSQL cluster: the postmaster and its children (backends, background processes),
# living and exited.
pg_ticks() {
  local total=0 f key val pid ppid
  for f in /proc/[0-9]*/status; do
    ppid=""
    { while read -r key val; do if [[ "$key" == PPid: ]]; then ppid="$val"; break; fi; done <"$f"; } 2>/dev/null || true
    pid="${f#/proc/}"; pid="${pid%/status}"
    if [[ "$ppid" == "$PM_PID" || "$pid" == "$PM_PID" ]]; then total=$((total + $(proc_ticks "$pid"))); fi
  done
  # Backends that have exited since: their time is the postmaster's reaped children's time (cutime + cstime).
  total=$((total + $(sed 's/.*) //' "/proc/$PM_PID/stat" 2>/dev/null | awk '{print $14 + $15}' || echo 0)))
  echo "$total"
}

SERVER_PID=""
SERVER_URL=""
start_server() { # name folder health-path command...   (the folder is the content root: the API reads appsettings.json there)
  local name="$1" dir="$2" health="$3" port attempt
  shift 3
  for attempt in 1 2 3; do
    port="$(free_port)"
    SERVER_URL="http://127.0.0.1:$port"
    (cd "$dir" && exec env ASPNETCORE_URLS="$SERVER_URL" taskset -c "$SERVER_CPU" "$@") >"$OUT/server-$name.log" 2>&1 &
    SERVER_PID=$!
    track "$SERVER_PID"
    if wait_ready "$SERVER_URL$health" "$SERVER_PID" 90; then break; fi
    stop_pid "$SERVER_PID"
    SERVER_PID=""
    # A port taken between the check and the bind: try another one.
    grep -qi 'address already in use' "$OUT/server-$name.log" && continue
    break
  done
  if [[ -z "$SERVER_PID" ]]; then
    note "$name did not start; see bench/out/server-$name.log"
    return 1
  fi
  log "$name listens on $SERVER_URL (pid $SERVER_PID, affinity $(taskset -p "$SERVER_PID" | awk '{print $NF}'))"
}
stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}

# scenario <name> <env assignments for scenario.lua...>
# Runs a warm-up and a measured period; during the measured period it samples the server's RSS twice a second and
# counts the CPU time of the server process, of PostgreSQL, and of the whole server CPU (what is left there is anything
# else that ran on that CPU: other processes of the machine, interrupts).
# meta.tsv: name, peak RSS kB, VmHWM kB, wrk CPU %, note, server CPU busy %, server ticks, PostgreSQL ticks, other ticks.
# Waits (at most 30 s) until the server CPU is idle (< 10 % busy over half a second): requests the warm-up left in
# flight when wrk stopped are finished before the measured period starts.
quiesce() {
  local i a b
  for i in $(seq 1 60); do
    a=($(cpu_ticks)); sleep 0.5; b=($(cpu_ticks))
    if (( (b[0] - a[0]) * 10 <= (b[1] - a[1]) )); then return 0; fi
  done
  note "$1: the server CPU was still busy 30 s after the warm-up"
}
skip() { printf '%s\t0\t0\t0\t%s\t\t\t\t\n' "$1" "$2" >>"$META"; }
scenario() {
  local name="$1" start=0 warm rss_file peak hwm times cpu c0 c1 p0 p1 g0 g1 busy srv pg rest
  shift
  if [[ -z "$SERVER_PID" ]] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
    skip "$name" "server not running"
    return 0
  fi
  log "scenario $name: ${WARMUP}s warm-up + ${DURATION}s measured"
  warm=$(env "$@" BENCH_NAME="$name (warm-up)" BENCH_OUT="$OUT/warmup.jsonl" BENCH_STATUS=1 \
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" --timeout "$WRK_TIMEOUT" -s "$LUA" "$SERVER_URL" \
    2>&1 | tail -n 1) || true
  # Rotating slugs: the measured period continues where the warm-up stopped.
  start=$(sed -n 's/.*"issued":\([0-9]*\).*/\1/p' <<<"$warm")
  start=${start:-0}
  quiesce "$name"
  rss_file="$OUT/rss-$name.txt"
  (
    while kill -0 "$SERVER_PID" 2>/dev/null; do
      while read -r key value _; do [[ "$key" == "VmRSS:" ]] && echo "$value"; done <"/proc/$SERVER_PID/status" 2>/dev/null || true
      sleep 0.5
    done
  ) >"$rss_file" &
  local sampler=$!
  g0=$(pg_ticks); c0=($(cpu_ticks)); p0=$(proc_ticks "$SERVER_PID")
  times=$( { TIMEFORMAT='%U %S %R'; time env "$@" BENCH_NAME="$name" BENCH_OUT="$JSONL" BENCH_STATUS=1 BENCH_START="$start" \
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout "$WRK_TIMEOUT" -s "$LUA" "$SERVER_URL" \
    >"$OUT/wrk-$name.txt" 2>&1; } 2>&1 ) || true
  c1=($(cpu_ticks)); p1=$(proc_ticks "$SERVER_PID"); g1=$(pg_ticks)
  stop_pid "$sampler"
  srv=$((p1 - p0)); pg=$((g1 - g0))
  rest=$(( (c1[0] - c0[0]) - srv - pg )); (( rest >= 0 )) || rest=0
  busy=$(awk -v b="$((c1[0] - c0[0]))" -v t="$((c1[1] - c0[1]))" 'BEGIN { if (t > 0) printf "%.0f", 100 * b / t; else print 0 }')
  peak=$(sort -n "$rss_file" | tail -n 1)
  hwm=$(kb "$SERVER_PID" VmHWM)
  cpu=$(awk '{ if ($3 > 0) printf "%.0f", 100 * ($1 + $2) / $3; else print 0 }' <<<"$times")
  printf '%s\t%s\t%s\t%s\t\t%s\t%s\t%s\n' "$name" "${peak:-0}" "${hwm:-0}" "${cpu:-0}" "$busy" "$srv" "$pg" "$rest" >>"$META"
  grep -q "\"name\":\"$name\"" "$JSONL" 2>/dev/null || note "scenario $name produced no result; see bench/out/wrk-$name.txt"
}

# server_warmup <name> <file of paths> <seconds>: round-robin requests over the paths, so that tiered compilation has
# settled before the first measurement. (Fixed times: on one pinned core the req/s of a fresh .NET server plateaus for
# 10-15 s at a time while it climbs, so "until it stops changing" stops too early.)
server_warmup() {
  local name="$1" file="$2" seconds="$3" line rps
  line=$(env BENCH_NAME="$name (server warm-up)" BENCH_OUT="$OUT/warmup.jsonl" BENCH_STATUS=1 BENCH_SLUGS="$file" \
    BENCH_PREFIX= taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --timeout "$WRK_TIMEOUT" -s "$LUA" \
    "$SERVER_URL" 2>&1 | tail -n 1) || true
  rps=$(sed -n 's/.*"rps":\([0-9.]*\).*/\1/p' <<<"$line")
  SERVER_WARMUP_DONE+=("$name=$seconds")
  log "$name: ${seconds}s server warm-up (${rps:-?} req/s on its warm-up mix)"
  quiesce "$name warm-up"
}
SERVER_WARMUP_DONE=()

SERVER_HWM=()
T_BENCH=$SECONDS
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# (a) FixedJson
if start_server FixedJson "$OUT/FixedJson" /health "$OUT/FixedJson/FixedJson"; then
  echo /fixed >"$TMP/warmup-fixed.txt"
  server_warmup FixedJson "$TMP/warmup-fixed.txt" "$SERVER_WARMUP"
  scenario fixed-json BENCH_PATH=/fixed
  curl -sS -o "$OUT/fixed.json" "$SERVER_URL/fixed" || true
  SERVER_HWM+=("FixedJson=$(kb "$SERVER_PID" VmHWM)")
fi
stop_server

# (b) RawNpgsql
if start_server RawNpgsql "$OUT/RawNpgsql" /health env ConnectionStrings__ContentDb="$CONN" "$OUT/RawNpgsql/RawNpgsql"; then
  curl -sS -o "$OUT/raw-slug.json" "$SERVER_URL/api/articles/by-slug/$CACHED_SLUG" || true
  curl -sS -o "$OUT/raw-list-p50.json" "$SERVER_URL/api/articles?page=50&pageSize=20" || true
  # Slugs from the END of the list (the measured scenario starts at its beginning), the list pages, the tag query.
  tail -n 3000 "$SLUGS" | awk '{ print "/api/articles/by-slug/" $0 }
    NR % 3 == 0 { print "/api/articles?page=1&pageSize=20"; print "/api/articles?page=50&pageSize=20"; print "/raw/articles-by-tag/trafik?top=20" }' \
    >"$TMP/warmup-raw.txt"
  # Its cost is the database's (little to compile).
  server_warmup RawNpgsql "$TMP/warmup-raw.txt" "$RAW_WARMUP"
  scenario raw-slug BENCH_SLUGS="$SLUGS" BENCH_PREFIX=/api/articles/by-slug/
  scenario raw-list-p1 "BENCH_PATH=/api/articles?page=1&pageSize=20"
  scenario raw-list-p50 "BENCH_PATH=/api/articles?page=50&pageSize=20"
  scenario raw-tag "BENCH_PATH=/raw/articles-by-tag/trafik?top=20"
  SERVER_HWM+=("RawNpgsql=$(kb "$SERVER_PID" VmHWM)")
fi
stop_server

# (c) the API
API_HWM=0
if start_server API "$OUT/api" /health/ready env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__ContentDb="$CONN" \
    PhotoStorage__Path="$PHOTOS" dotnet "$API_DLL"; then
  # Same JSON as the baseline?
  curl -sS -o "$OUT/api-slug.json" "$SERVER_URL/api/articles/by-slug/$CACHED_SLUG" || true
  curl -sS -o "$OUT/api-list-p50.json" "$SERVER_URL/api/articles?page=50&pageSize=20" || true
  for doc in slug list-p50; do
    if cmp -s "$OUT/api-$doc.json" "$OUT/raw-$doc.json"; then
      note "JSON of $doc: the API and RawNpgsql answer byte for byte the same ($(stat -c %s "$OUT/api-$doc.json") bytes)"
    else
      note "JSON of $doc: the API and RawNpgsql differ ($(stat -c %s "$OUT/api-$doc.json" 2>/dev/null || echo ?) vs $(stat -c %s "$OUT/raw-$doc.json" 2>/dev/null || echo ?) bytes)"
    fi
  done
  # HTTP caching as the API does it today.
  headers1="$(curl -sS -D - -o /dev/null "$SERVER_URL/api/articles/by-slug/$CACHED_SLUG" | tr -d '\r')"
  headers2="$(curl -sS -D - -o /dev/null "$SERVER_URL/api/articles/by-slug/$CACHED_SLUG" | tr -d '\r')"
  ETAG="$(awk -F': ' 'tolower($1) == "etag" {print $2; exit}' <<<"$headers1")"
  CACHE_CONTROL="$(awk -F': ' 'tolower($1) == "cache-control" {print $2; exit}' <<<"$headers1")"
  if grep -qi '^cache-status:.*; hit' <<<"$headers2"; then
    note "output cache: a repeated GET of one article is answered from the cache (Cache-Status: ContentApi; hit)"
  else
    note "output cache: no sign of one (a repeated GET of one article has no Cache-Status: …; hit)"
  fi
  note "article by slug, anonymous: ETag: ${ETAG:-none}; Cache-Control: ${CACHE_CONTROL:-none}"
  # A rendition from the article's hero photo; its first request makes it.
  RENDITION="$(curl -sS "$SERVER_URL/api/articles/by-slug/$CACHED_SLUG" \
    | grep -o '"heroPhoto":{.*' | grep -o '/api/photos/[^"]*/renditions/[^"]*' | grep -m1 '/320\.webp$' || true)"
  if [[ -n "$RENDITION" ]]; then
    first="$(curl -sS -o "$OUT/rendition.webp" -w '%{http_code} %{time_total}' "$SERVER_URL$RENDITION" || true)"
    note "photo rendition $RENDITION: the first request (which makes it) answered ${first% *} in ${first#* } s, $(stat -c %s "$OUT/rendition.webp" 2>/dev/null || echo ?) bytes"
  fi
  # First ${MISS_WARMUP} s of the work of cache misses: slugs from the END of the list (the uncached scenario starts at its beginning
  # and never gets that far), list pages and the OData query in many page sizes (an unknown query parameter is a 400); then what the output
  # cache answers, until it settles (cheap requests, so many of them: that is what makes the JIT tier up). In that
  # order, the JIT has finished with the code of cache misses before the cached scenarios are measured.
  # OData gets the largest share: its code (query option binders, the serializer) is the largest and, measured alone,
  # takes 80-120 s of load on one core to settle (≈ 10 → ≈ 2.5 ms of API CPU per request).
  tail -n 5000 "$SLUGS" | awk -v odata="$ODATA_PATH" '{ print "/api/articles/by-slug/" $0 }
    NR % 10 == 0 { print "/api/articles?page=" (NR % 50 + 1) "&pageSize=" (NR % 97 + 4); print "/api/articles?page=" (NR % 61 + 2) "&pageSize=20" }
    NR % 2 == 0 { print odata "&$skip=" NR }' >"$TMP/warmup-api-miss.txt"
  server_warmup "API (cache misses)" "$TMP/warmup-api-miss.txt" "$MISS_WARMUP"
  printf '%s\n' "/api/articles/by-slug/$CACHED_SLUG" "/api/articles?page=1&pageSize=20" "/api/articles?page=50&pageSize=20" \
    "$ODATA_PATH" /api/pledges/current ${RENDITION:+"$RENDITION"} >"$TMP/warmup-api.txt"
  server_warmup API "$TMP/warmup-api.txt" "$SERVER_WARMUP"

  scenario slug-cached "BENCH_PATH=/api/articles/by-slug/$CACHED_SLUG"
  scenario slug-uncached BENCH_SLUGS="$SLUGS" BENCH_PREFIX=/api/articles/by-slug/
  scenario list-p1 "BENCH_PATH=/api/articles?page=1&pageSize=20"
  scenario list-p50 "BENCH_PATH=/api/articles?page=50&pageSize=20"
  scenario odata-tag "BENCH_PATH=$ODATA_PATH"
  # The same requests with a Host header that changes with every request ("Host: miss-<n>.localhost"): the store of
  # answers keys on the Host, so each one is a miss and the API does the database work RawNpgsql does.
  scenario list-p1-miss "BENCH_PATH=/api/articles?page=1&pageSize=20" BENCH_BUST=miss
  scenario list-p50-miss "BENCH_PATH=/api/articles?page=50&pageSize=20" BENCH_BUST=miss
  scenario odata-tag-miss "BENCH_PATH=$ODATA_PATH" BENCH_BUST=miss
  scenario pledge-current BENCH_PATH=/api/pledges/current

  if [[ -n "$RENDITION" ]]; then
    scenario photo-rendition "BENCH_PATH=$RENDITION"
  else
    note "photo rendition: the article has no heroPhoto.renditions; scenario skipped"
    skip photo-rendition "skipped: no heroPhoto.renditions in the article"
  fi

  if [[ -n "$ETAG" ]]; then
    status304="$(curl -sS -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$SERVER_URL/api/articles/by-slug/$CACHED_SLUG" || true)"
    note "revalidation: If-None-Match: $ETAG is answered $status304"
    # First as things are after the cache-miss scenarios, which have filled the output cache (8 MB by default) with
    # list pages: only conditional GETs, as browsers and CDNs send once max-age has passed.
    scenario slug-304-after-fill "BENCH_PATH=/api/articles/by-slug/$CACHED_SLUG" "BENCH_HEADER=If-None-Match: $ETAG"
    # Then with the article surely in the output cache: unconditional GETs until one is answered from it (Cache-Status).
    primed=""
    for i in $(seq 1 40); do
      # Without an Accept header, as wrk sends it: the output cache varies by Accept.
      if curl -sS -H 'Accept:' -D - -o /dev/null "$SERVER_URL/api/articles/by-slug/$CACHED_SLUG" | grep -qi '^cache-status:.*; hit'; then primed=$i; break; fi
      sleep 0.25
    done
    if [[ -n "$primed" ]]; then
      note "revalidation: the article was answered from the output cache again after $primed unconditional GET(s)"
    else
      note "revalidation: after 40 unconditional GETs the article was still not answered from the output cache"
    fi
    scenario slug-304 "BENCH_PATH=/api/articles/by-slug/$CACHED_SLUG" "BENCH_HEADER=If-None-Match: $ETAG"
  else
    note "revalidation: skipped, the API sends no ETag on an anonymous GET of an article (nothing to put in If-None-Match)"
    skip slug-304-after-fill "skipped: the API sends no ETag on an anonymous GET /api/articles/by-slug/{slug}"
    skip slug-304 "skipped: the API sends no ETag on an anonymous GET /api/articles/by-slug/{slug}"
  fi
  API_HWM=$(kb "$SERVER_PID" VmHWM)
  SERVER_HWM+=("API=$API_HWM")
fi
stop_server
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
BENCH_SECONDS=$((SECONDS - T_BENCH))

# ---------------------------------------------------------------------------------------------------------------------
# 5. RESULTS.md, written by bench/report from the machine-readable results in $OUT: results.jsonl (wrk), meta.tsv
#    (per scenario), notes.txt, the plans, and facts.tsv (the run's settings, machine and durations, written here).
fact() { printf '%s\t%s\n' "$1" "$2" >>"$FACTS"; }
: >"$FACTS"
TOTAL_SECONDS=$((SECONDS - T0))
fact started_at "$STARTED_AT"
fact total_seconds "$TOTAL_SECONDS"
fact build_seconds "$BUILD_SECONDS"
fact gen_seconds "$GEN_SECONDS"
fact bench_seconds "$BENCH_SECONDS"
fact nproc "$NPROC"
fact cpu_model "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
fact ram "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
fact os "$(. /etc/os-release && echo "$PRETTY_NAME")"
fact dotnet_sdk "$(dotnet --version)"
fact pg_version "$("$PSQL_BIN" -X -h 127.0.0.1 -p "$PGPORT_BENCH" -U postgres -d postgres -Atc 'show server_version' 2>/dev/null || echo '?')"
fact load_before "$LOAD_BEFORE"
fact load_after "$LOAD_AFTER"
fact source "$SOURCE_DESC"
fact connection "$(sed 's/Port=[0-9]*/Port=…/' <<<"$CONN")"
fact articles "$ARTICLES"
fact n_articles "$N_ARTICLES"
fact n_published "$N_PUBLISHED"
fact n_slugs "$N_SLUGS"
fact cached_slug "$CACHED_SLUG"
fact connections "$CONNECTIONS"
fact wrk_timeout "$WRK_TIMEOUT"
fact server_cpu "$SERVER_CPU"
fact client_cpu "$CLIENT_CPU"
fact warmup "$WARMUP"
fact duration "$DURATION"
fact server_warmup "$SERVER_WARMUP"
fact miss_warmup "$MISS_WARMUP"
fact raw_warmup "$RAW_WARMUP"
fact server_warmups "$(IFS=,; echo "${SERVER_WARMUP_DONE[*]}")"
fact server_hwm_kb "$(IFS=,; echo "${SERVER_HWM[*]}")"
fact api_hwm_kb "$API_HWM"
fact clk_tck "$CLK_TCK"
fact odata_path "$ODATA_PATH"
fact fixed_json_bytes "$(stat -c %s "$OUT/fixed.json" 2>/dev/null || true)"
dotnet "$OUT/BenchReport/BenchReport.dll" "$OUT" "$RESULTS" || die "the report could not be written; the results are in $OUT"
log "wrote $RESULTS (whole run ${TOTAL_SECONDS}s)"
