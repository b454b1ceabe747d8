#!/usr/bin/env bash
# Helpers for running a private PostgreSQL cluster without Docker.
# Source this file:  . scripts/postgres.sh
#
# Why: the dev/CI machines may have no Docker engine, so scripts/run and
# scripts/test fall back to a local cluster started with initdb/pg_ctl from the
# distribution packages. The cluster listens on 127.0.0.1 only, with trust auth
# for a superuser named "postgres" (local development/testing only).
#
# PostgreSQL refuses to run as root, so when we are root every server-side
# command goes through `runuser -u postgres`; otherwise it runs as the caller.
set -euo pipefail

# Directory holding initdb/pg_ctl/psql (set by contentapi_pg_ensure_binaries).
CONTENTAPI_PG_BIN="${CONTENTAPI_PG_BIN:-}"

_contentapi_log() { echo "[postgres] $*" >&2; }

# Prints the newest /usr/lib/postgresql/<ver>/bin that has initdb and pg_ctl.
_contentapi_pg_find_bin() {
  local d best=""
  # sort -V so that e.g. 9.6 < 15 < 17.
  while IFS= read -r d; do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then best="$d"; fi
  done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V)
  if [[ -z "$best" ]]; then return 1; fi
  echo "$best"
}

# Finds initdb/pg_ctl; installs the Debian packages if they are absent.
contentapi_pg_ensure_binaries() {
  local bin
  if bin="$(_contentapi_pg_find_bin)"; then
    CONTENTAPI_PG_BIN="$bin"
  else
    _contentapi_log "PostgreSQL binaries not found; installing with apt-get"
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
      command -v sudo >/dev/null 2>&1 || { _contentapi_log "not root and no sudo: install the 'postgresql' package"; return 1; }
      sudo=(sudo -n)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    # Install postgresql-common first and disable the automatic "main" cluster
    # (same trick as the official postgres Docker image): we start our own
    # private clusters and do not want a system server on port 5432.
    "${sudo[@]}" apt-get install -y -q --no-install-recommends postgresql-common </dev/null
    if [[ -f /etc/postgresql-common/createcluster.conf ]]; then
      "${sudo[@]}" sed -ri 's/^#?\s*(create_main_cluster)\s*=.*$/\1 = false/' /etc/postgresql-common/createcluster.conf
    fi
    # "postgresql" pulls in the current server version incl. contrib
    # (pg_trgm, unaccent).
    "${sudo[@]}" apt-get install -y -q postgresql </dev/null
    bin="$(_contentapi_pg_find_bin)" || { _contentapi_log "initdb still not found after install"; return 1; }
    CONTENTAPI_PG_BIN="$bin"
  fi
  export CONTENTAPI_PG_BIN
}

# Runs a command as the user that owns the cluster ("postgres" when we are
# root). cd / first so that runuser does not complain about an unreadable cwd.
_contentapi_pg_as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# When root: the postgres user must be able to traverse every parent of the
# data dir (e.g. /root is 0700). Add o+x (search only, not read) where missing.
_contentapi_pg_fix_parent_access() {
  local dir="$1"
  [[ "$(id -u)" == 0 ]] || return 0
  id postgres >/dev/null 2>&1 || { _contentapi_log "no 'postgres' system user; install the postgresql package"; return 1; }
  # Collect the ancestors, then check them top-down (a child can only be
  # tested once its parent is traversable).
  local p="$dir" ancestors=() i
  while [[ "$p" != "/" && -n "$p" ]]; do
    p="$(dirname "$p")"
    ancestors+=("$p")
  done
  for (( i = ${#ancestors[@]} - 1; i >= 0; i-- )); do
    p="${ancestors[$i]}"
    if ! runuser -u postgres -- test -x "$p" 2>/dev/null; then
      _contentapi_log "granting o+x on $p so the postgres user can reach $dir"
      chmod o+x "$p"
    fi
  done
}

# Socket directory: the data dir itself when its path is short and "simple"
# (unix socket paths are limited to ~107 bytes, and the value is passed through
# pg_ctl's shell), else /tmp.
_contentapi_pg_socket_dir() {
  local dir="$1"
  if [[ ${#dir} -le 80 && "$dir" =~ ^[A-Za-z0-9_./-]+$ ]]; then echo "$dir"; else echo /tmp; fi
}

# Prints the port of the server running on <datadir>, or fails if none runs.
contentapi_pg_running_port() {
  local dir="$1"
  [[ -n "$CONTENTAPI_PG_BIN" ]] || contentapi_pg_ensure_binaries
  [[ -f "$dir/postmaster.pid" ]] || return 1
  _contentapi_pg_as_owner "$CONTENTAPI_PG_BIN/pg_ctl" status -D "$dir" >/dev/null 2>&1 || return 1
  # Line 4 of postmaster.pid is the port.
  sed -n 4p "$dir/postmaster.pid"
}

# contentapi_pg_start <datadir> <port>
# initdb if <datadir> is absent/empty, then start the server if it is not
# already running. Idempotent; an existing cluster (and its data) is reused.
contentapi_pg_start() {
  local dir="$1" port="$2"
  [[ -n "$dir" && -n "$port" ]] || { _contentapi_log "usage: contentapi_pg_start <datadir> <port>"; return 2; }
  contentapi_pg_ensure_binaries
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"   # absolute path: pg_ctl runs from /
  if [[ "$(id -u)" == 0 ]]; then
    _contentapi_pg_fix_parent_access "$dir"
    chown postgres:postgres "$dir"
  fi
  chmod 700 "$dir"

  if [[ ! -f "$dir/PG_VERSION" ]]; then
    if [[ -n "$(ls -A "$dir")" ]]; then
      _contentapi_log "$dir is not empty and is not a PostgreSQL cluster; refusing to initdb"
      return 1
    fi
    _contentapi_log "initdb $dir"
    local locale_opt=(--no-locale)
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then locale_opt=(--locale=C.UTF-8); fi
    _contentapi_pg_as_owner "$CONTENTAPI_PG_BIN/initdb" -D "$dir" -U postgres \
      --auth=trust -E UTF8 "${locale_opt[@]}" >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; return 1; }
    rm -f "$dir.initdb.log"
  fi

  local running
  if running="$(contentapi_pg_running_port "$dir")"; then
    if [[ "$running" != "$port" ]]; then
      _contentapi_log "cluster $dir already runs on port $running (wanted $port)"
      return 1
    fi
    _contentapi_log "already running: $dir (port $port)"
    return 0
  fi

  local sock; sock="$(_contentapi_pg_socket_dir "$dir")"
  # Log inside the data dir: it is the one place guaranteed writable by the
  # server user (the parent may be root-owned).
  _contentapi_log "starting $dir on 127.0.0.1:$port (log: $dir/postgres.log)"
  # 300 connections: the test run holds several API hosts at once (two instances, webhook senders), each with its
  # pools and its change listener; PostgreSQL's default of 100 ran out.
  if ! _contentapi_pg_as_owner "$CONTENTAPI_PG_BIN/pg_ctl" start -w -t 60 -D "$dir" \
      -l "$dir/postgres.log" \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$sock -c max_connections=300" >/dev/null; then
    _contentapi_log "failed to start; last log lines:"
    tail -n 20 "$dir/postgres.log" >&2 || true
    return 1
  fi
}

# contentapi_pg_start_standby <standby datadir> <port> <primary port> [apply delay]
# A streaming standby of the cluster on 127.0.0.1:<primary port>: pg_basebackup -R (as the cluster's owner) into
# <standby datadir> when it holds no cluster yet, then started like any cluster (hot standby, read-only). With
# <apply delay> (PostgreSQL's recovery_min_apply_delay, e.g. 1s) it replays each commit that long after the primary
# made it: a standby lagging on purpose, for the tests of reads that must wait for it. The primary needs what initdb
# gives by default: wal_level=replica, max_wal_senders and a "host replication" entry for 127.0.0.1 in pg_hba.conf.
contentapi_pg_start_standby() {
  local dir="$1" port="$2" primary="$3" delay="${4:-}"
  [[ -n "$dir" && -n "$port" && -n "$primary" ]] || { _contentapi_log "usage: contentapi_pg_start_standby <datadir> <port> <primary port> [apply delay]"; return 2; }
  contentapi_pg_ensure_binaries
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"
  if [[ "$(id -u)" == 0 ]]; then
    _contentapi_pg_fix_parent_access "$dir"
    chown postgres:postgres "$dir"
  fi
  chmod 700 "$dir"
  if [[ ! -f "$dir/PG_VERSION" ]]; then
    _contentapi_log "pg_basebackup from 127.0.0.1:$primary into $dir"
    _contentapi_pg_as_owner "$CONTENTAPI_PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$dir" \
      -R -X stream --checkpoint=fast >"$dir.basebackup.log" 2>&1 \
      || { cat "$dir.basebackup.log" >&2; return 1; }
    rm -f "$dir.basebackup.log" "$dir/postmaster.pid" "$dir/postgres.log"
    # The primary's own settings came along in postgresql.auto.conf; the standby's are appended (the last one wins).
    if [[ -n "$delay" ]]; then
      echo "recovery_min_apply_delay = '$delay'" | _contentapi_pg_as_owner tee -a "$dir/postgresql.auto.conf" >/dev/null
    fi
  fi
  contentapi_pg_start "$dir" "$port"
}

# contentapi_pg_stop <datadir> — fast shutdown; no-op if not running/absent.
contentapi_pg_stop() {
  local dir="$1"
  [[ -f "$dir/PG_VERSION" ]] || return 0
  [[ -n "$CONTENTAPI_PG_BIN" ]] || contentapi_pg_ensure_binaries
  dir="$(cd "$dir" && pwd -P)"
  if contentapi_pg_running_port "$dir" >/dev/null; then
    _contentapi_pg_as_owner "$CONTENTAPI_PG_BIN/pg_ctl" stop -D "$dir" -m fast -w >/dev/null || true
  fi
  return 0
}

# True if something listens on 127.0.0.1:<port> (or on the wildcard address).
contentapi_port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    # Any socket on the port, not only a listener: a connection's local port cannot be bound either.
    ss -Htan 2>/dev/null | awk '{print $4}' | grep -Eq "[:.]${port}\$"
  else
    # A successful connect means something listens; refused means free.
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# Prints a free TCP port on 127.0.0.1: random from 20000 up to the start of the kernel's ephemeral range (where
# outgoing connections take their local ports, which could take the port between this check and the server's bind).
contentapi_free_port() {
  local i port low=32768 span
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  span=$(( low > 21000 ? low - 20000 : 40000 ))
  for i in $(seq 1 200); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % span ))
    if ! contentapi_port_in_use "$port"; then echo "$port"; return 0; fi
  done
  _contentapi_log "no free port found"
  return 1
}

# 0 when a Docker engine answers within a few seconds, else 1.
contentapi_docker_available() {
  command -v docker >/dev/null 2>&1 || return 1
  if command -v timeout >/dev/null 2>&1; then
    timeout 5 docker info >/dev/null 2>&1
  else
    docker info >/dev/null 2>&1
  fi
}

# Sets libpq's PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD (and PGSSLMODE) from an Npgsql connection string
# ("Host=…;Port=…;Database=…;Username=…;Password=…"), so the PostgreSQL tools reach the database the API uses.
contentapi_pg_env_from_connection_string() {
  local part key value
  local -a parts
  IFS=';' read -r -a parts <<< "$1"
  for part in "${parts[@]}"; do
    [[ "$part" == *=* ]] || continue
    key="$(echo "${part%%=*}" | tr '[:upper:]' '[:lower:]' | tr -d ' ')"
    value="${part#*=}"
    value="${value#"${value%%[![:space:]]*}"}"; value="${value%"${value##*[![:space:]]}"}"
    case "$key" in
      host|server) export PGHOST="$value" ;;
      port) export PGPORT="$value" ;;
      database|db) export PGDATABASE="$value" ;;
      username|userid|user|uid) export PGUSER="$value" ;;
      password|pwd|psw) export PGPASSWORD="$value" ;;
      sslmode) # Npgsql's VerifyFull / VerifyCA are libpq's verify-full / verify-ca.
        value="$(echo "$value" | tr '[:upper:]' '[:lower:]')"
        case "$value" in verifyfull) value=verify-full ;; verifyca) value=verify-ca ;; esac
        export PGSSLMODE="$value" ;;
      rootcertificate|sslrootcert) export PGSSLROOTCERT="$value" ;;
    esac
  done
}

# Prints the directory of the newest client tools (pg_dump, pg_restore, psql) on this machine.
contentapi_pg_client_bin() {
  local d best=""
  if command -v pg_dump >/dev/null 2>&1 && [[ "$(readlink -f "$(command -v pg_dump)")" != */pg_wrapper ]]; then
    dirname "$(readlink -f "$(command -v pg_dump)")"; return 0
  fi
  while IFS= read -r d; do
    if [[ -x "$d/pg_dump" && -x "$d/pg_restore" && -x "$d/psql" ]]; then best="$d"; fi
  done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V)
  [[ -n "$best" ]] || { _contentapi_log "pg_dump not found: apt-get install postgresql-client"; return 1; }
  echo "$best"
}
