#!/usr/bin/env bash
# Scale mode of the benchmark: every API read scenario (store hit and store missed) at 10,000, 100,000 and 1,000,000
# articles, side by side, p50/p99 and the API's memory (issue 17: p99 at 1M <= 1.5 x p99 at 10k).
#
#   bench/scale.sh                                   # ~1 h on a 2-core machine (most of it the 1M run); writes the
#                                                    # "Scale" section of bench/RESULTS.md
#   SCALE_SIZES="2000 5000" DURATION=3 bench/scale.sh  # a quick trial
#
# For each size it runs bench/run.sh with ARTICLES=<size>, only the API's read scenarios (no baselines, no CPU
# profile), each size in its own kept cluster under $SCALE_DATA_DIR/<size> (generation is skipped when the database
# already has that many articles: `generate-articles` copies articles in SQL beyond the first 2,000, so a million take
# minutes), keeps that run's results in bench/out/scale/<size>/ (and its full report as RESULTS.md there), and at the
# end has bench/report write the side-by-side table and the plans of every size into bench/RESULTS.md.
#
# Environment (all optional; every variable of bench/run.sh passes through, e.g. DURATION, WARMUP, MISS_WARMUP):
#   SCALE_SIZES="10000 100000 1000000"
#   SCALE_DATA_DIR=dir    where the clusters live (~0.3 GB for 100k, ~3 GB for 1M); default: a temporary folder,
#                         deleted at the end. Keep it to measure again without generating again.
#   SCALE_SCENARIOS=regex the scenarios (grep -E on their names); default: every API read scenario
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
SIZES="${SCALE_SIZES:-10000 100000 1000000}"
SCENARIOS="${SCALE_SCENARIOS:-^(slug-|id-|list-|odata-|rest-|mixed-|pledge-|photo-|search-|apply-|tags)}"
OUT="$HERE/out"
SCALE_OUT="$OUT/scale"
log() { printf '[scale %4ds] %s\n' "$SECONDS" "$*" >&2; }

DATA="${SCALE_DATA_DIR:-}"
if [[ -z "$DATA" ]]; then
  DATA="$(mktemp -d /tmp/contentapi-scale.XXXXXX)"
  trap 'rm -rf "$DATA"' EXIT
fi
mkdir -p "$DATA"
rm -rf "$SCALE_OUT"
mkdir -p "$SCALE_OUT"

for size in $SIZES; do
  [[ "$size" =~ ^[0-9]+$ ]] || { log "not a number of articles: $size"; exit 2; }
  log "$size articles: bench/run.sh (cluster in $DATA/$size)"
  mkdir -p "$SCALE_OUT/$size"
  ARTICLES="$size" BENCH_DATA_DIR="$DATA/$size" BENCH_SCENARIOS="$SCENARIOS" BENCH_PROFILE="${BENCH_PROFILE:-0}" \
    BENCH_RESULTS="$SCALE_OUT/$size/RESULTS.md" bash "$HERE/run.sh"
  for file in results.jsonl meta.tsv facts.tsv notes.txt explain-psql.txt api-plans.log; do
    [[ ! -f "$OUT/$file" ]] || cp "$OUT/$file" "$SCALE_OUT/$size/"
  done
  # The cluster is stopped between sizes (run.sh does it); a kept one starts again on the next run.
done

dotnet "$OUT/BenchReport/BenchReport.dll" scale "$SCALE_OUT" "$HERE/RESULTS.md"
log "done: the Scale section of bench/RESULTS.md; each size's full report in bench/out/scale/<size>/RESULTS.md"
