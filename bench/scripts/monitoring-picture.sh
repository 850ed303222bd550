#!/usr/bin/env bash
# Draws docs/img/monitoring.png, the dashboard of docs/operations.md ("Monitoring"), from data a real Prometheus
# scraped from a real server under a real load.
#
#   bench/scripts/monitoring-picture.sh                         # about 4 minutes of load, then the picture
#   PHASES="30:4:1 30:16:8" PNG=/tmp/m.png bench/scripts/monitoring-picture.sh
#
# 1. starts ./qrrot serve --wal DIR --port P --metrics-port M (fsync always) on a fresh directory,
#    prometheus-redis-exporter --redis.addr=redis://127.0.0.1:P, and prometheus scraping both every second
#    (its configuration is written to OUT/prometheus.yml);
# 2. runs the load in PHASES, each SECONDS:CLIENTS:PIPELINE: three redis-benchmark processes side by side
#    (-t set, -t get, -t lpush, -r KEYSPACE, each with CLIENTS connections and -P PIPELINE) for SECONDS;
#    CLIENTS 0 is a pause;
# 3. asks Prometheus's /api/v1/query_range for the panels (the PromQL is in monitoring-picture.py, the series
#    names in the picture's titles), keeps each answer in OUT/*.json and plots them in one PNG with matplotlib.
#
#   REPLOT=DIR bench/scripts/monitoring-picture.sh redraws the picture from the answers an earlier run kept in
#   DIR (no server, no load).
#
# Settings (environment): PHASES="60:4:1 75:16:8 30:0:0 60:8:1"  KEYSPACE=200000  STEP=2 (seconds between
#   points)  PNG=docs/img/monitoring.png  OUT=${TMPDIR:-/tmp}/qrrot-bench/monitoring-<time> (kept; the data
#   directory is removed at the end).
# Needs: prometheus and prometheus-redis-exporter (Debian packages of those names), redis-benchmark and redis-cli
# (redis-tools), python3 with matplotlib (python3-matplotlib), Java 17 + Maven for the launcher's first build.
# Stops only the processes it started, by PID.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
PHASES="${PHASES:-60:4:1 75:16:8 30:0:0 60:8:1}"
KEYSPACE="${KEYSPACE:-200000}"
STEP="${STEP:-2}"
PNG="${PNG:-$repo/docs/img/monitoring.png}"
OUT="${OUT:-${TMPDIR:-/tmp}/qrrot-bench/monitoring-$(date +%Y%m%d-%H%M%S)}"

log() { echo "monitoring-picture: $*" >&2; }
# the python3 on the PATH, or Debian's (where python3-matplotlib puts matplotlib) when that one lacks it
py=""
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import matplotlib' >/dev/null 2>&1; then py="$p"; break; fi
done
[ -n "$py" ] || { log "no python3 with matplotlib: apt-get install -y python3-matplotlib"; exit 2; }

# shellcheck source=lib.sh
. "$here/lib.sh"   # free_port

plot() {
  PROM="${PROM:-}" START=$start END=$end STEP=$STEP OUT="$OUT" PNG="$PNG" PHASES="$PHASES" "$py" "$here/monitoring-picture.py"
}
if [ -n "${REPLOT:-}" ]; then
  OUT="$REPLOT"
  # shellcheck source=/dev/null
  . "$OUT/run.env"   # start, end, STEP, PHASES of that run
  plot
  exit 0
fi

for tool in prometheus prometheus-redis-exporter redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null 2>&1 || { log "$tool not found (see the header of this script)"; exit 2; }
done
mkdir -p "$OUT"
pids=()
cleanup() {
  local p
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$OUT/data"
}
trap cleanup EXIT

port=$(free_port)
mport=$(free_port)
eport=$(free_port)
pport=$(free_port)
log "qrrot on $port (metrics $mport), redis_exporter on $eport, prometheus on $pport; results in $OUT"
"$repo/qrrot" serve --wal "$OUT/data" --port "$port" --metrics-port "$mport" --fsync always >"$OUT/qrrot.log" 2>&1 &
qrrot_pid=$!
pids+=($qrrot_pid)
for _ in $(seq 1 600); do
  [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && break
  kill -0 "$qrrot_pid" 2>/dev/null || break
  sleep 1
done
[ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] || { log "qrrot did not start; see $OUT/qrrot.log"; exit 1; }

prometheus-redis-exporter --redis.addr="redis://127.0.0.1:$port" --web.listen-address="127.0.0.1:$eport" \
  >"$OUT/redis_exporter.log" 2>&1 &
pids+=($!)
cat >"$OUT/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: qrrot
    static_configs: [{targets: ['127.0.0.1:$mport']}]
  - job_name: redis
    static_configs: [{targets: ['127.0.0.1:$eport']}]
EOF
prometheus --config.file="$OUT/prometheus.yml" --storage.tsdb.path="$OUT/tsdb" \
  --web.listen-address="127.0.0.1:$pport" >"$OUT/prometheus.log" 2>&1 &
pids+=($!)

sleep 10   # a few scrapes of the idle server first
start=$(date +%s)
for phase in $PHASES; do
  IFS=: read -r secs clients pipeline <<<"$phase"
  if [ "$clients" = 0 ]; then
    log "pause ${secs}s"
    sleep "$secs"
    continue
  fi
  log "${secs}s of set, get, lpush: $clients clients each, pipeline $pipeline"
  bench=()
  for t in set get lpush; do
    timeout "$secs" redis-benchmark -p "$port" -t "$t" -r "$KEYSPACE" -c "$clients" -P "$pipeline" -n 2000000000 -l -q \
      >>"$OUT/benchmark-$t.log" 2>&1 &
    bench+=($!)
  done
  for p in "${bench[@]}"; do wait "$p" || true; done
done
sleep 10
end=$(date +%s)
log "load from $(date -u -d "@$start" +%H:%M:%S) to $(date -u -d "@$end" +%H:%M:%S) UTC; querying and plotting"

printf 'start=%s\nend=%s\nSTEP=%s\nPHASES="%s"\n' "$start" "$end" "$STEP" "$PHASES" >"$OUT/run.env"
PROM="http://127.0.0.1:$pport" plot
grep 'level=error' "$OUT/redis_exporter.log" >&2 || true
log "done: $PNG (query answers in $OUT)"
