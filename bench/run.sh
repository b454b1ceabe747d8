#!/usr/bin/env bash
# HTTP benchmark of the API against two baselines, on a private PostgreSQL with 100 000 generated articles.
#
#   bench/run.sh                                  # everything, ~20-25 minutes on a 2-core machine; writes bench/RESULTS.md
#   BENCH_SCENARIOS='^(raw-pk|id-miss)$' bench/run.sh  # only the scenarios whose names match (a quick trial)
#
# What it does (see the "Benchmark" section of README.md):
#   1. builds the API (dotnet publish -c Release, ReadyToRun for this machine's runtime) and the baselines bench/baselines/{FixedJson,RawNpgsql};
#   2. starts a throwaway PostgreSQL cluster (scripts/postgres.sh) in a temporary folder on a free port, runs the API's
#      `migrate`, `seed-demo`, `generate-articles $ARTICLES`, then VACUUM ANALYZE;
#   3. EXPLAINs the hand-written queries (psql) and records the plans of the API's own SQL (auto_explain, one request
#      per scenario, then switched off again); the cluster runs with pg_stat_statements (track_planning on);
#   4. pins PostgreSQL and each server to CPU $SERVER_CPU and wrk to CPU $CLIENT_CPU; warms each freshly started server
#      up ($SERVER_WARMUP s); runs every scenario with wrk (1 thread, $CONNECTIONS connections): $WARMUP s warm-up,
#      a pause until the server CPU is idle, then $DURATION s measured (bench/wrk/scenario.lua writes p50/p99/req/s/
#      errors as JSON lines to bench/out/results.jsonl), sampling the server's RSS and CPU time meanwhile;
#      pg_stat_statements is reset before each measured period and dumped after it (bench/out/pgss-<scenario>.tsv);
#      after each store-missed API scenario's measured period the same load runs $PROFILE_SECONDS s more while
#      `dotnet-trace collect` samples the API's stacks (bench/out/trace-<scenario>.nettrace, converted to speedscope
#      JSON at the end, summarized by bench/report); the API's start-up: process start -> /health/ready, then its
#      first $STARTUP_REQUESTS requests (a store-missed mix) before any warm-up, against the same mix measured warm
#      later (scenario startup-mix);
#   5. writes its results in machine-readable form to bench/out (results.jsonl, meta.tsv, facts.tsv, notes, plans) and
#      has bench/report (a small C# program) write bench/RESULTS.md from them; stops everything and deletes the
#      temporary folder (trap EXIT).
#
# Environment (all optional):
#   ARTICLES=100000       generated articles              WARMUP=3 / DURATION=12   seconds per scenario
#   SERVER_WARMUP=45      seconds of load on FixedJson and on the API (what its output cache answers) right after they
#                         start, before any measurement: on one pinned core the JIT's tiered compilation needs ~30-45 s
#                         of load before a .NET server reaches its steady state
#   MISS_WARMUP=90        seconds of cache misses (articles, list pages, OData, searches) the API gets first: the code behind them
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
#   BENCH_CONN_EXTRA="Max Auto Prepare=64"  appended to the connection string of the API and of RawNpgsql (RawNpgsql
#                         prepares its statements anyway: Max Auto Prepare=32 unless the connection string sets it)
#   BENCH_SCENARIOS=regex run only the scenarios whose names match (grep -E); a server none of whose scenarios match is
#                         not started. Names: fixed-json raw-slug raw-pk raw-list-p1 raw-list-p50 raw-rest-tag raw-tag
#                         raw-tag3 startup-first-1000 slug-cached slug-uncached id-miss list-p1 list-p50 odata-tag
#                         list-p1-miss list-p50-miss rest-tag-miss odata-tag3-miss odata-tag-miss odata-expand-miss
#                         odata-apply-miss odata-tagmonths-miss search-common-miss search-rare-miss search-phrase-miss search-common-miss-32
#                         mixed-miss startup-mix pledge-current photo-rendition slug-304-after-fill slug-304
#                         middleware-cost
#   BENCH_PROFILE=1       0: no dotnet-trace CPU profile (pg_stat_statements is always on)
#   PROFILE_SECONDS=5     seconds of EventPipe stack sampling per store-missed scenario, after its measured period
#   DOTNET_TRACE_VERSION=10.0.750501  the dotnet-trace tool installed (dotnet tool install --tool-path bench/out/tools)
#   STARTUP_REQUESTS=1000 requests of the start-up measurement
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
BENCH_SCENARIOS="${BENCH_SCENARIOS:-}"
BENCH_PROFILE="${BENCH_PROFILE:-1}"
PROFILE_SECONDS="${PROFILE_SECONDS:-5}"
DOTNET_TRACE_VERSION="${DOTNET_TRACE_VERSION:-10.0.750501}"
STARTUP_REQUESTS="${STARTUP_REQUESTS:-1000}"
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
    # auto_explain must never stay on in a kept cluster (pg_stat_statements may).
    if [[ -n "${PGPORT_BENCH:-}" ]]; then
      "$CONTENTAPI_PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PGPORT_BENCH" -U postgres -d postgres \
        -c 'alter system reset session_preload_libraries' -c 'alter system reset auto_explain.log_min_duration' \
        -c 'select pg_reload_conf()' >/dev/null 2>&1
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
rm -f "$JSONL" "$META" "$NOTES" "$FACTS" "$OUT"/*.log "$OUT"/*.txt "$OUT"/*.json "$OUT"/*.jsonl "$OUT"/*.tsv \
  "$OUT"/*.nettrace
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
# The CPU profile's tool, from NuGet, into bench/out/tools (kept between runs).
DOTNET_TRACE=""
if [[ "$BENCH_PROFILE" == 1 ]]; then
  DOTNET_TRACE="$OUT/tools/dotnet-trace"
  if [[ ! -x "$DOTNET_TRACE" ]] || ! "$DOTNET_TRACE" --version 2>/dev/null | grep -q "^${DOTNET_TRACE_VERSION%%-*}"; then
    rm -rf "$OUT/tools"
    dotnet tool install dotnet-trace --version "$DOTNET_TRACE_VERSION" --tool-path "$OUT/tools" >"$OUT/tool-install.log" 2>&1 \
      || { DOTNET_TRACE=""; note "dotnet-trace $DOTNET_TRACE_VERSION could not be installed (bench/out/tool-install.log): no CPU profile"; }
  fi
fi

# BENCH_SCENARIOS: is scenario <name> (one of them) to be run?
wanted() {
  local name
  [[ -z "$BENCH_SCENARIOS" ]] && return 0
  for name; do grep -Eq -- "$BENCH_SCENARIOS" <<<"$name" && return 0; done
  return 1
}
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
# For this machine's runtime, so that the API is compiled ahead of time (ReadyToRun, see Api/Api.csproj) as deployed.
dotnet publish "$SRC/Api/Api.csproj" "${BUILD_FLAGS[@]}" --use-current-runtime --self-contained false -o "$OUT/api" >"$OUT/build-api.log" 2>&1 \
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
# pg_stat_statements (planning time too) needs its library loaded at server start: set it, restart once if needed (a
# kept cluster keeps the setting).
if [[ "$(psql_db -d postgres -Atc 'show shared_preload_libraries')" != *pg_stat_statements* ]]; then
  log "restarting PostgreSQL to load pg_stat_statements"
  psql_db -d postgres -c "alter system set shared_preload_libraries = 'pg_stat_statements'" >/dev/null
  contentapi_pg_stop "$PGDATA_DIR"
  contentapi_pg_start "$PGDATA_DIR" "$PGPORT_BENCH"
fi
psql_db -d postgres -c 'alter system set pg_stat_statements.track_planning = on' -c 'select pg_reload_conf()' >/dev/null
if [[ "$(psql_db -d postgres -Atc "select 1 from pg_database where datname = 'contentapi'")" != "1" ]]; then
  psql_db -d postgres -c 'create database contentapi'
fi
psql_app() { psql_db -d contentapi "$@"; }
psql_app -c 'set client_min_messages = warning' -c 'create extension if not exists pg_stat_statements' >/dev/null
CONN="Host=127.0.0.1;Port=$PGPORT_BENCH;Database=contentapi;Username=postgres"
[[ -z "$BENCH_CONN_EXTRA" ]] || CONN="$CONN;$BENCH_CONN_EXTRA"

# Production as deployed, but: rate limits stay on with allowances no scenario reaches (every request comes from one
# address), and no readiness delay when the API is stopped (no load balancer polls it).
API_SETTINGS=(ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__ContentDb="$CONN" PhotoStorage__Path="$PHOTOS"
  RateLimits__Anonymous__PermitLimit=1000000000 RateLimits__Authenticated__PermitLimit=1000000000
  Shutdown__ReadinessDelay=0)
api_env() { env "${API_SETTINGS[@]}" "$@"; }

existing=$(psql_app -Atc "select count(*) from articles" 2>/dev/null || echo 0)
GEN_PID=""
if (( existing >= ARTICLES )); then
  log "the database already has $existing articles; skipping generation (migrating it to this build's schema)"
  (cd "$OUT/api" && api_env dotnet "$API_DLL" migrate) >"$OUT/generate.log" 2>&1 \
    || { tail -n 30 "$OUT/generate.log" >&2; die "migrating the kept database failed"; }
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
# Every published id, in another fixed pseudo-random order (article by id, store missed; RawNpgsql by primary key).
IDS="$TMP/ids.txt"
psql_app -Atc "select id from articles where status = 'Published' order by md5(slug)" >"$IDS"

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

ODATA3_PATH="/odata/Articles?\$filter=tags/any(t:t%20eq%20%27trafik%27)&\$orderby=publishedAt%20desc&\$top=20&\$select=title,slug,publishedAt"
ODATA_PATH="$ODATA3_PATH&\$count=true"
REST_TAG_PATH="/api/articles?tag=trafik&pageSize=20"
EXPAND_PATH="/odata/Articles?\$top=20&\$orderby=publishedAt%20desc&\$expand=heroPhoto,contacts"
# Power BI's "articles per tag per month": every published article's tags grouped and counted by PostgreSQL.
APPLY_PATH="/odata/ArticleTags?\$apply=compute(year(publishedAt)%20as%20year,month(publishedAt)%20as%20month)/groupby((tag,year,month),aggregate(\$count%20as%20articles))&\$orderby=tag,year,month"
TAGMONTHS_PATH="/odata/TagMonths?\$filter=tag%20ne%20%27%27&\$orderby=tag,year,month"
SEARCH_COMMON_PATH="/api/search?q=kommunen"
SEARCH_RARE_PATH="/api/search?q=simskola"
SEARCH_PHRASE_PATH="/api/search?q=%22%C3%B6ppet%20hus%22"
SECOND_SLUG="$(sed -n 2p "$SLUGS")"

wait_ready() { # url pid seconds
  local url="$1" pid="$2" i
  # Every 50 ms: the API's start-up time is measured with it.
  for i in $(seq 1 "$(( $3 * 20 ))"); do
    kill -0 "$pid" 2>/dev/null || return 1
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    sleep 0.05
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
    for path in "/api/articles/by-slug/$SECOND_SLUG" "/api/articles/$(sed -n 2p "$IDS")" "/api/articles?page=1&pageSize=20" \
                "/api/articles?page=50&pageSize=20" "$REST_TAG_PATH" "$ODATA3_PATH" "$ODATA_PATH" "$EXPAND_PATH" "$APPLY_PATH" "/api/pledges/current"; do
      curl -sS -o /dev/null --max-time 30 "http://127.0.0.1:$port$path" || true
    done
  else
    note "the API did not start for the SQL probe; see bench/out/api-probe.log"
  fi
  stop_pid "$pid"
  psql_db -d postgres -c 'alter system reset session_preload_libraries' -c 'alter system reset auto_explain.log_min_duration' \
    -c 'select pg_reload_conf()' >/dev/null
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
READY_MS=""
start_server() { # name folder health-path command...   (the folder is the content root: the API reads appsettings.json there)
  local name="$1" dir="$2" health="$3" port attempt t0
  shift 3
  for attempt in 1 2 3; do
    port="$(free_port)"
    SERVER_URL="http://127.0.0.1:$port"
    t0=$(date +%s%N)
    (cd "$dir" && exec env ASPNETCORE_URLS="$SERVER_URL" taskset -c "$SERVER_CPU" "$@") >"$OUT/server-$name.log" 2>&1 &
    SERVER_PID=$!
    track "$SERVER_PID"
    if wait_ready "$SERVER_URL$health" "$SERVER_PID" 90; then
      READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
      break
    fi
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
# else that ran on that CPU: other processes of the machine, interrupts). pg_stat_statements is reset right before the
# measured period and dumped right after it (bench/out/pgss-<name>.tsv). With PROFILE=1 in the environment of the call
# (the store-missed API scenarios), the same load then runs on for $PROFILE_SECONDS s more while dotnet-trace samples
# the server's stacks: after the measured period, so the sampling does not slow what is measured.
# meta.tsv: name, peak RSS kB, VmHWM kB, wrk CPU %, note, server CPU busy %, server ticks, PostgreSQL ticks, other ticks.
# Waits (at most 30 s) until the server process and PostgreSQL are idle (< 10 % of a CPU over half a second between
# them): requests the warm-up left in flight when wrk stopped are finished before the measured period starts. (Their
# own CPU time, not the CPU's: on a shared machine other processes may keep the CPU busy, which the "other" column
# shows.)
quiesce() {
  local i a1 a2 b1 b2 hz
  hz=$(getconf CLK_TCK)
  for i in $(seq 1 60); do
    a1=$(proc_ticks "$SERVER_PID"); a2=$(pg_ticks); sleep 0.5; b1=$(proc_ticks "$SERVER_PID"); b2=$(pg_ticks)
    if (( (${b1:-0} - ${a1:-0} + ${b2:-0} - ${a2:-0}) * 20 <= hz )); then return 0; fi
  done
  note "$1: the server and PostgreSQL were still busy 30 s after the warm-up"
}
skip() { printf '%s\t0\t0\t0\t%s\t\t\t\t\n' "$1" "$2" >>"$META"; }
# pg_stat_statements of the bench database, one line per statement: calls, rows, total plan ms, total exec ms, query.
PGSS_SQL="select calls, rows, round(total_plan_time::numeric, 3), round(total_exec_time::numeric, 3),
  regexp_replace(query, '\s+', ' ', 'g') from pg_stat_statements
  where dbid = (select oid from pg_database where datname = 'contentapi') and query not like '%pg_stat_statements%'
  order by total_plan_time + total_exec_time desc"
pgss_reset() { psql_app -Atc 'select pg_stat_statements_reset()' >/dev/null 2>&1 || true; }
pgss_dump() { psql_app -AtF $'\t' -c "$PGSS_SQL" >"$OUT/pgss-$1.tsv" 2>/dev/null || true; }
wrk_run() { # seconds, then env assignments; wrk on the client CPU against $SERVER_URL (BENCH_CONNECTIONS=n among
  # them: that many connections instead of $CONNECTIONS)
  local seconds="$1" connections="$CONNECTIONS" arg
  shift
  for arg in "$@"; do [[ "$arg" != BENCH_CONNECTIONS=* ]] || connections="${arg#BENCH_CONNECTIONS=}"; done
  env "$@" taskset -c "$CLIENT_CPU" wrk -t1 -c"$connections" -d"${seconds}s" --timeout "$WRK_TIMEOUT" -s "$LUA" "$SERVER_URL"
}
scenario() {
  local name="$1" start=0 warm rss_file peak hwm times cpu c0 c1 p0 p1 g0 g1 busy srv pg rest
  shift
  wanted "$name" || return 0
  if [[ -z "$SERVER_PID" ]] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
    skip "$name" "server not running"
    return 0
  fi
  log "scenario $name: ${WARMUP}s warm-up + ${DURATION}s measured"
  warm=$(wrk_run "$WARMUP" "$@" BENCH_NAME="$name (warm-up)" BENCH_OUT="$OUT/warmup.jsonl" BENCH_STATUS=1 2>&1 | tail -n 1) || true
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
  pgss_reset
  g0=$(pg_ticks); c0=($(cpu_ticks)); p0=$(proc_ticks "$SERVER_PID")
  times=$( { TIMEFORMAT='%U %S %R'; time wrk_run "$DURATION" "$@" BENCH_NAME="$name" BENCH_OUT="$JSONL" BENCH_STATUS=1 \
    BENCH_START="$start" >"$OUT/wrk-$name.txt" 2>&1; } 2>&1 ) || true
  c1=($(cpu_ticks)); p1=$(proc_ticks "$SERVER_PID"); g1=$(pg_ticks)
  stop_pid "$sampler"
  pgss_dump "$name"
  srv=$((p1 - p0)); pg=$((g1 - g0))
  rest=$(( (c1[0] - c0[0]) - srv - pg )); (( rest >= 0 )) || rest=0
  busy=$(awk -v b="$((c1[0] - c0[0]))" -v t="$((c1[1] - c0[1]))" 'BEGIN { if (t > 0) printf "%.0f", 100 * b / t; else print 0 }')
  peak=$(sort -n "$rss_file" | tail -n 1)
  hwm=$(kb "$SERVER_PID" VmHWM)
  cpu=$(awk '{ if ($3 > 0) printf "%.0f", 100 * ($1 + $2) / $3; else print 0 }' <<<"$times")
  printf '%s\t%s\t%s\t%s\t\t%s\t%s\t%s\t%s\n' "$name" "${peak:-0}" "${hwm:-0}" "${cpu:-0}" "$busy" "$srv" "$pg" "$rest" >>"$META"
  grep -q "\"name\":\"$name\"" "$JSONL" 2>/dev/null || note "scenario $name produced no result; see bench/out/wrk-$name.txt"
  if [[ " $* " == *" PROFILE=1 "* ]]; then profile "$name" "$@"; fi
}

# profile <name> <env...>: the scenario's load for PROFILE_SECONDS + 2 s; after 1 s, dotnet-trace samples the server's
# managed stacks (EventPipe's SampleProfiler with the runtime's method rundown: what `--profile cpu-sampling` was
# before dotnet-trace 10 reserved that name for collect-linux) for PROFILE_SECONDS s. The trace is converted and
# summarized after the last scenario (bench/out/trace-<name>.speedscope.json, read by bench/report).
profile() {
  local name="$1" load
  shift
  [[ -n "$DOTNET_TRACE" ]] || return 0
  wrk_run "$((PROFILE_SECONDS + 3))" "$@" BENCH_NAME="$name (profile)" BENCH_OUT="$OUT/warmup.jsonl" BENCH_START=5000000 BENCH_BUST=prof \
    >/dev/null 2>&1 &
  load=$!
  sleep 1
  taskset -c "$CLIENT_CPU" "$DOTNET_TRACE" collect -p "$SERVER_PID" -o "$OUT/trace-$name.nettrace" \
    --providers 'Microsoft-DotNETCore-SampleProfiler:0xF00000000000:4,Microsoft-Windows-DotNETRuntime:0x14C14FCCBD:4' \
    --duration "00:00:00:$(printf '%02d' "$PROFILE_SECONDS")" >"$OUT/trace-$name.log" 2>&1 \
    || note "$name: dotnet-trace failed (bench/out/trace-$name.log)"
  wait "$load" 2>/dev/null || true
  quiesce "$name profile"
}

# server_warmup <name> <file of paths> <seconds> [env...]: round-robin requests over the paths, so that tiered
# compilation has settled before the first measurement. (Fixed times: on one pinned core the req/s of a fresh .NET
# server plateaus for 10-15 s at a time while it climbs, so "until it stops changing" stops too early.)
server_warmup() {
  local name="$1" file="$2" seconds="$3" line rps
  shift 3
  line=$(wrk_run "$seconds" "$@" BENCH_NAME="$name (server warm-up)" BENCH_OUT="$OUT/warmup.jsonl" BENCH_STATUS=1 \
    BENCH_SLUGS="$file" BENCH_PREFIX= 2>&1 | tail -n 1) || true
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
if wanted fixed-json && start_server FixedJson "$OUT/FixedJson" /health "$OUT/FixedJson/FixedJson"; then
  echo /fixed >"$TMP/warmup-fixed.txt"
  server_warmup FixedJson "$TMP/warmup-fixed.txt" "$SERVER_WARMUP"
  scenario fixed-json BENCH_PATH=/fixed
  curl -sS -o "$OUT/fixed.json" "$SERVER_URL/fixed" || true
  SERVER_HWM+=("FixedJson=$(kb "$SERVER_PID" VmHWM)")
fi
stop_server

# (b) RawNpgsql: the same work by hand (slug, list pages, REST and OData tag lists) and the database's limit (an
# article by primary key, the 3-column tag list without a count), every statement prepared.
if wanted raw-slug raw-pk raw-list-p1 raw-list-p50 raw-rest-tag raw-tag raw-tag3 \
    && start_server RawNpgsql "$OUT/RawNpgsql" /health env ConnectionStrings__ContentDb="$CONN" "$OUT/RawNpgsql/RawNpgsql"; then
  curl -sS -o "$OUT/raw-slug.json" "$SERVER_URL/api/articles/by-slug/$CACHED_SLUG" || true
  curl -sS -o "$OUT/raw-list-p50.json" "$SERVER_URL/api/articles?page=50&pageSize=20" || true
  curl -sS -o "$OUT/raw-rest-tag.json" "$SERVER_URL$REST_TAG_PATH" || true
  # Slugs and ids from the END of the lists (the measured scenarios start at their beginning), list pages, tag queries.
  paste -d '\n' <(tail -n 3000 "$SLUGS") <(tail -n 3000 "$IDS") | awk '
    NR % 2 == 0 { print "/raw/articles/" $0 } NR % 2 == 1 { print "/api/articles/by-slug/" $0 }
    NR % 6 == 0 { print "/api/articles?page=1&pageSize=20"; print "/api/articles?page=50&pageSize=20"; print "/raw/articles-by-tag/trafik?top=20"
                  print "/raw/tag-3/trafik?top=20"; print "/api/articles?tag=trafik&pageSize=20" }' >"$TMP/warmup-raw.txt"
  # Its cost is the database's (little to compile).
  server_warmup RawNpgsql "$TMP/warmup-raw.txt" "$RAW_WARMUP"
  scenario raw-slug BENCH_SLUGS="$SLUGS" BENCH_PREFIX=/api/articles/by-slug/
  scenario raw-pk BENCH_SLUGS="$IDS" BENCH_PREFIX=/raw/articles/
  scenario raw-list-p1 "BENCH_PATH=/api/articles?page=1&pageSize=20"
  scenario raw-list-p50 "BENCH_PATH=/api/articles?page=50&pageSize=20"
  scenario raw-rest-tag "BENCH_PATH=$REST_TAG_PATH"
  scenario raw-tag "BENCH_PATH=/raw/articles-by-tag/trafik?top=20"
  scenario raw-tag3 "BENCH_PATH=/raw/tag-3/trafik?top=20"
  SERVER_HWM+=("RawNpgsql=$(kb "$SERVER_PID" VmHWM)")
fi
stop_server

# (c) the API
API_HWM=0
# The store-missed mix of the start-up measurement (and of its warm comparison, startup-mix): articles by slug and by
# id (from the middle of the lists: the other scenarios start at their beginning and the warm-ups at their end), list
# pages, the REST and OData tag lists.
paste -d '\n' <(sed -n '20001,21000p' "$SLUGS") <(sed -n '20001,21000p' "$IDS") | awk -v odata="$ODATA_PATH" -v odata3="$ODATA3_PATH" '
  NR % 2 == 0 { print "/api/articles/" $0 } NR % 2 == 1 { print "/api/articles/by-slug/" $0 }
  NR % 4 == 0 { print "/api/articles?page=" (NR % 50 + 1) "&pageSize=20" }
  NR % 8 == 0 { print "/api/articles?tag=trafik&pageSize=20"; print odata3 }
  NR % 16 == 0 { print odata }' >"$TMP/startup-mix.txt"
[[ -s "$TMP/startup-mix.txt" ]] || printf '%s\n' "/api/articles/by-slug/$CACHED_SLUG" "/api/articles?page=1&pageSize=20" >"$TMP/startup-mix.txt"
# The memory scenario: the mix above with the most expensive queries OData allows: nested $expand two levels deep and
# 100 a page. (The nested article lists get a $top: without one, a contact's articles are not paged and the answer
# grows with the table, 3 MB for 100 contacts at 2,000 articles.)
NESTED_PATH="/odata/Contacts?\$top=20&\$expand=articles(\$top=20;\$expand=contacts,heroPhoto)"
awk -v expand="$EXPAND_PATH" -v nested="$NESTED_PATH" '{ print }
  NR % 10 == 0 { print nested; print "/odata/Articles?$top=100&$expand=heroPhoto,contacts,pledge" }
  NR % 14 == 0 { print "/odata/Pledges?$expand=articles($top=20;$expand=heroPhoto,contacts)"; print "/api/articles?page=" (NR % 40 + 1) "&pageSize=100"; print expand }
  ' "$TMP/startup-mix.txt" >"$TMP/mixed.txt"
STARTUP_READY_MS=""
if wanted startup-first-1000 slug-cached slug-uncached id-miss list-p1 list-p50 odata-tag list-p1-miss list-p50-miss \
    rest-tag-miss odata-tag3-miss odata-tag-miss odata-expand-miss odata-apply-miss odata-tagmonths-miss mixed-miss startup-mix pledge-current photo-rendition \
    slug-304-after-fill slug-304 search-common-miss search-rare-miss search-phrase-miss search-common-miss-32 \
  && start_server API "$OUT/api" /health/ready env "${API_SETTINGS[@]}" dotnet "$API_DLL"; then
  STARTUP_READY_MS="$READY_MS"
  log "API: process start -> /health/ready in $READY_MS ms"
  # Start-up: the first $STARTUP_REQUESTS requests, before anything else reaches the fresh process.
  if wanted startup-first-1000; then
    # wrk stops its thread at the limit and creates the file; SIGINT then makes it report at once.
    # (Not through wrk_run: $! must be wrk's own pid, env and taskset exec it.)
    env BENCH_SLUGS="$TMP/startup-mix.txt" BENCH_PREFIX= BENCH_BUST=first BENCH_LIMIT="$STARTUP_REQUESTS" \
      BENCH_LIMIT_FILE="$TMP/startup-done" BENCH_NAME=startup-first-1000 BENCH_OUT="$JSONL" BENCH_STATUS=1 \
      taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d300s --timeout "$WRK_TIMEOUT" -s "$LUA" "$SERVER_URL" \
      >"$OUT/wrk-startup-first-1000.txt" 2>&1 &
    first_pid=$!
    while kill -0 "$first_pid" 2>/dev/null && [[ ! -e "$TMP/startup-done" ]]; do sleep 0.05; done
    kill -INT "$first_pid" 2>/dev/null || true
    wait "$first_pid" 2>/dev/null || true
    printf '%s\t%s\t%s\t\t\t\t\t\t\n' startup-first-1000 0 "$(kb "$SERVER_PID" VmHWM)" >>"$META"
    quiesce "startup"
  fi
  # Same JSON as the baseline?
  curl -sS -o "$OUT/api-slug.json" "$SERVER_URL/api/articles/by-slug/$CACHED_SLUG" || true
  curl -sS -o "$OUT/api-list-p50.json" "$SERVER_URL/api/articles?page=50&pageSize=20" || true
  curl -sS -o "$OUT/api-rest-tag.json" "$SERVER_URL$REST_TAG_PATH" || true
  for doc in slug list-p50 rest-tag; do
    [[ -s "$OUT/raw-$doc.json" ]] || continue
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
  # First ${MISS_WARMUP} s of the work of store misses (a new Host each request): slugs and ids from the END of the
  # lists (the store-missed scenarios start at their beginning and never get that far), list pages in many sizes,
  # the tag lists, the OData queries (the expensive ones too), the searches; then what the store answers, until it
  # settles (cheap requests, so many of them: that is what makes the JIT tier up). In that order, the JIT has finished
  # with the code of store misses before the store-hit scenarios are measured. (Without the searches here, the first
  # search scenario compiled the search's code while it was measured: at 529ffc9 its p99 was 106 ms, p90 20 ms. And
  # until then the rule for ids ended each id's line with awk's `next`, and the rules of every second line fell on
  # those lines: the warm-up asked for articles by slug and by id only.)
  paste -d '\n' <(tail -n 5000 "$SLUGS") <(tail -n 5000 "$IDS") | awk -v odata="$ODATA_PATH" -v odata3="$ODATA3_PATH" -v expand="$EXPAND_PATH" -v nested="$NESTED_PATH" \
    -v common="$SEARCH_COMMON_PATH" -v rare="$SEARCH_RARE_PATH" -v phrase="$SEARCH_PHRASE_PATH" '
    NR % 2 == 0 { print "/api/articles/" $0 } NR % 2 == 1 { print "/api/articles/by-slug/" $0 }
    NR % 10 == 0 { print "/api/articles?page=" (NR % 50 + 1) "&pageSize=" (NR % 97 + 4); print "/api/articles?page=" (NR % 61 + 2) "&pageSize=20"
                   print "/api/articles?tag=trafik&pageSize=20"; print expand }
    NR % 2 == 0 { print odata "&$skip=" NR; print odata3 }
    NR % 40 == 0 { print nested; print "/odata/Articles?$top=100&$expand=heroPhoto,contacts,pledge" }
    NR % 40 == 20 { print common; print rare; print phrase }' \
    >"$TMP/warmup-api-miss.txt"
  server_warmup "API (store misses)" "$TMP/warmup-api-miss.txt" "$MISS_WARMUP" BENCH_BUST=warm
  printf '%s\n' "/api/articles/by-slug/$CACHED_SLUG" "/api/articles?page=1&pageSize=20" "/api/articles?page=50&pageSize=20" \
    "$ODATA_PATH" /api/pledges/current ${RENDITION:+"$RENDITION"} >"$TMP/warmup-api.txt"
  server_warmup API "$TMP/warmup-api.txt" "$SERVER_WARMUP"

  scenario slug-cached "BENCH_PATH=/api/articles/by-slug/$CACHED_SLUG"
  scenario list-p1 "BENCH_PATH=/api/articles?page=1&pageSize=20"
  scenario list-p50 "BENCH_PATH=/api/articles?page=50&pageSize=20"
  scenario odata-tag "BENCH_PATH=$ODATA_PATH"
  # Store missed. Articles: rotating over every published slug / id, each asked once (a new Host each request as
  # well for ids). The rest: the same request with a Host header that changes with every request ("Host:
  # miss-<n>.localhost"): the store of answers keys on the Host, so each one is a miss and the API does the database
  # work RawNpgsql does. PROFILE=1: pg_stat_statements and a CPU sample (profile()) give where the time goes.
  # A new Host per request too: at 10,000 articles the slugs run out within the measured period (bench/scale.sh).
  scenario slug-uncached BENCH_SLUGS="$SLUGS" BENCH_PREFIX=/api/articles/by-slug/ BENCH_BUST=slug PROFILE=1
  scenario id-miss BENCH_SLUGS="$IDS" BENCH_PREFIX=/api/articles/ BENCH_BUST=miss PROFILE=1
  scenario list-p1-miss "BENCH_PATH=/api/articles?page=1&pageSize=20" BENCH_BUST=miss
  scenario list-p50-miss "BENCH_PATH=/api/articles?page=50&pageSize=20" BENCH_BUST=miss
  scenario rest-tag-miss "BENCH_PATH=$REST_TAG_PATH" BENCH_BUST=miss PROFILE=1
  scenario odata-tag3-miss "BENCH_PATH=$ODATA3_PATH" BENCH_BUST=miss PROFILE=1
  scenario odata-tag-miss "BENCH_PATH=$ODATA_PATH" BENCH_BUST=miss PROFILE=1
  scenario odata-expand-miss "BENCH_PATH=$EXPAND_PATH" BENCH_BUST=miss PROFILE=1
  scenario odata-apply-miss "BENCH_PATH=$APPLY_PATH" BENCH_BUST=miss PROFILE=1
  # The same question answered from the kept counts (OData TagMonths).
  scenario odata-tagmonths-miss "BENCH_PATH=$TAGMONTHS_PATH" BENCH_BUST=miss
  # Search (issue 16), store missed: a word in nearly every generated article ("kommunen"), a rarer one (one object in
  # twelve, "simskola"), and a two-word phrase. One connection: issue 16's target (p99 < 50 ms) is the latency of one
  # search on the pinned core; with 32 at once on one core each would wait for the 31 others (the -32 scenarios).
  scenario search-common-miss "BENCH_PATH=$SEARCH_COMMON_PATH" BENCH_BUST=miss BENCH_CONNECTIONS=1 PROFILE=1
  scenario search-rare-miss "BENCH_PATH=$SEARCH_RARE_PATH" BENCH_BUST=miss BENCH_CONNECTIONS=1 PROFILE=1
  scenario search-phrase-miss "BENCH_PATH=$SEARCH_PHRASE_PATH" BENCH_BUST=miss BENCH_CONNECTIONS=1 PROFILE=1
  scenario search-common-miss-32 "BENCH_PATH=$SEARCH_COMMON_PATH" BENCH_BUST=miss
  scenario mixed-miss BENCH_SLUGS="$TMP/mixed.txt" BENCH_PREFIX= BENCH_BUST=mixed PROFILE=1
  # The start-up mix again, warm: the first-1000 figure's comparison.
  scenario startup-mix BENCH_SLUGS="$TMP/startup-mix.txt" BENCH_PREFIX= BENCH_BUST=warmmix
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
# Issue 14: what the rate limiter and CORS cost on the stored-article path. Two instances of the API, without and with
# them, loaded in turns on one stored article (bench/middleware-cost.sh); the target is under 5 % of req/s lost.
MIDDLEWARE_COST=""
if wanted middleware-cost; then
  log "middleware cost: rate limits and CORS off vs on (bench/middleware-cost.sh)"
  if MC_DB="$CONN" MC_API="$OUT/api" MC_PATH="/api/articles/by-slug/$CACHED_SLUG" WARMUP="$WARMUP" DURATION="$DURATION" \
      ROUNDS=3 taskset -c "$SERVER_CPU,$CLIENT_CPU" bash "$HERE/middleware-cost.sh" >"$OUT/middleware-cost.txt" 2>&1; then
    note "middleware cost (rate limits + CORS with a listed Origin, stored article, 3 rounds each): $(tail -n 1 "$OUT/middleware-cost.txt")"
    MIDDLEWARE_COST="$(tail -n 1 "$OUT/middleware-cost.txt")"
  else
    note "middleware cost: bench/middleware-cost.sh failed; see bench/out/middleware-cost.txt"
  fi
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
# The CPU samples, as speedscope JSON for bench/report (after the last measurement: converting takes CPU).
for trace in "$OUT"/trace-*.nettrace; do
  [[ -e "$trace" && -n "$DOTNET_TRACE" ]] || continue
  "$DOTNET_TRACE" convert "$trace" --format Speedscope -o "${trace%.nettrace}" >>"$OUT/trace-convert.log" 2>&1 \
    || note "$(basename "$trace"): dotnet-trace convert failed (bench/out/trace-convert.log)"
done
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
fact odata3_path "$ODATA3_PATH"
fact expand_path "$EXPAND_PATH"
fact rest_tag_path "$REST_TAG_PATH"
fact startup_ready_ms "$STARTUP_READY_MS"
fact startup_requests "$STARTUP_REQUESTS"
fact profile_seconds "$([[ -n "$DOTNET_TRACE" ]] && echo "$PROFILE_SECONDS" || echo 0)"
fact dotnet_trace_version "$DOTNET_TRACE_VERSION"
fact bench_scenarios "$BENCH_SCENARIOS"
fact middleware_cost "$MIDDLEWARE_COST"
fact n_ids "$(wc -l <"$IDS")"
fact mixed_paths "$(sed -E 's/(by-slug\/|articles\/)[^?\/]+$/\1…/' "$TMP/mixed.txt" | sort | uniq -c | sort -rn | awk '{c=$1; $1=""; printf "%s%s×%s", (NR>1?"; ":""), c, substr($0,2)}')"
fact fixed_json_bytes "$(stat -c %s "$OUT/fixed.json" 2>/dev/null || true)"
dotnet "$OUT/BenchReport/BenchReport.dll" "$OUT" "$RESULTS" || die "the report could not be written; the results are in $OUT"
log "wrote $RESULTS (whole run ${TOTAL_SECONDS}s)"
