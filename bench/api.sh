# Shared by bench/quick.sh and bench/sync-delta.sh (sourced): the API published, and started until it is ready.

# bench_publish_api ROOT DEST: the working tree's API, published in Release to DEST.
bench_publish_api() {
  echo "publishing the API from $1" >&2
  dotnet publish "$1/Api/Api.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$2" >&2
}

# bench_wait_ready PID PORT LOG: waits up to 30 s for /health/ready; the log and failure when the process ended.
bench_wait_ready() {
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "http://127.0.0.1:$2/health/ready" 2>/dev/null && return 0
    kill -0 "$1" 2>/dev/null || { cat "$3" >&2; return 1; }
    sleep 0.2
  done
}
