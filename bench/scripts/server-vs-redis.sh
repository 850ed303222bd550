#!/usr/bin/env bash
# Measures the qrrot server against a real redis-server with matching persistence, on this machine.
#
#   bench/scripts/server-vs-redis.sh                 # 3 rounds, fsync always and everysec
#   ROUNDS=5 FSYNC="everysec" bench/scripts/server-vs-redis.sh
#
# For each fsync policy both servers are started side by side on free loopback ports:
#   qrrot:  ./qrrot serve --wal DIR --port P --fsync POLICY
#   Redis:  redis-server --appendonly yes --appendfsync POLICY --save ''   (AOF only, like qrrot's WAL)
# then redis-benchmark runs SET, GET and INCR with -c CLIENTS at -P 1 and -P 16, interleaved
# (qrrot, Redis, qrrot, Redis ... for ROUNDS rounds) because absolute numbers drift run to run on a shared
# machine. Before the first round every server gets one unmeasured pass of WARMUP_REQUESTS per test (the
# JVM compiles its hot paths during the first seconds; Redis gets the same pass). For every run it records
# the share of CPU time the hypervisor stole (/proc/stat), the main source of noise on a shared VM.
# It prints a table of medians with the qrrot/Redis ratio and writes, under OUT:
#   results.tsv (every run), summary.md (the table), chart.png (when gnuplot or matplotlib is present).
# With CEILING=1 a third server joins the interleaving: Redis with no persistence at all. Its column is the
# most this client reaches on this machine in the same window; no persistent server can beat it.
#
# Settings (environment):
#   ROUNDS=3  FSYNC="always everysec"  CLIENTS=50  PIPELINES="1 16"  TESTS=set,get,incr
#     (any redis-benchmark -t names: hset,sadd,spop for collections, zadd,zpopmin for sorted sets; zadd
#     adds random members to one key, so that sorted set outgrows the packed encoding within a run)
#   REQUESTS_P1=100000  REQUESTS_PN=1000000  KEYSPACE=100000  WARMUP_REQUESTS=50000 (0: none)
#   CEILING=0
#   OUT=${TMPDIR:-/tmp}/qrrot-bench/server-vs-redis-<time>
#   QRROT_SERVE  command template for the qrrot side; {dir} {port} {fsync} are substituted.
#                Default: "<repo>/qrrot serve --wal {dir} --port {port} --fsync {fsync}".
#                (Debugging the script itself: QRROT_SERVE='redis-server --port {port} --dir {dir}
#                 --appendonly yes --appendfsync {fsync} --save ""' compares Redis with Redis.)
#   QRROT_JAVA_OPTS passed through to the launcher (e.g. -Xmx4g).
#
# Needs: redis-server and redis-benchmark (Debian: apt-get install -y redis-server redis-tools),
# Java 17 + Maven for the launcher's first build. For the chart: apt-get install -y gnuplot-nox
# (or python3-matplotlib). Stops only the servers it started, by PID.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ROUNDS="${ROUNDS:-3}"
FSYNC="${FSYNC:-always everysec}"
CLIENTS="${CLIENTS:-50}"
PIPELINES="${PIPELINES:-1 16}"
TESTS="${TESTS:-set,get,incr}"
REQUESTS_P1="${REQUESTS_P1:-100000}"
REQUESTS_PN="${REQUESTS_PN:-1000000}"
KEYSPACE="${KEYSPACE:-100000}"
WARMUP_REQUESTS="${WARMUP_REQUESTS:-50000}"
CEILING="${CEILING:-0}"
OUT="${OUT:-${TMPDIR:-/tmp}/qrrot-bench/server-vs-redis-$(date +%Y%m%d-%H%M%S)}"
default_serve="$repo/qrrot serve --wal {dir} --port {port} --fsync {fsync}"
QRROT_SERVE="${QRROT_SERVE:-$default_serve}"

for tool in redis-server redis-benchmark redis-cli; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "server-vs-redis: $tool not found; install it: apt-get install -y redis-server redis-tools" >&2
    exit 2
  fi
done

mkdir -p "$OUT"
work="$(mktemp -d "${TMPDIR:-/tmp}/qrrot-bench.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=lib.sh
. "$here/lib.sh"   # free_port

# wait_ready PORT PID SECONDS NAME
wait_ready() {
  local port=$1 pid=$2 limit=$3 name=$4 waited=0
  until [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "server-vs-redis: $name exited before answering PING; its log: $work/$name.log" >&2
      tail -20 "$work/$name.log" >&2 || true
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
    if [ "$waited" -ge "$limit" ]; then
      echo "server-vs-redis: $name did not answer PING on port $port within ${limit}s" >&2
      exit 1
    fi
  done
}

stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# cpu_times -> "total steal" jiffies of all CPUs since boot (/proc/stat; steal is the 8th field)
cpu_times() {
  awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9; exit }' /proc/stat 2>/dev/null || echo "0 0"
}

# bench NAME PORT PIPELINE ROUND FSYNC -> appends rows to results.tsv (one per test, with the run's steal %)
bench() {
  local name=$1 port=$2 pl=$3 round=$4 fsync=$5 n before after steal
  if [ "$pl" -le 1 ]; then n=$REQUESTS_P1; else n=$REQUESTS_PN; fi
  for test in ${TESTS//,/ }; do
    before=$(cpu_times)
    redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" -P "$pl" -n "$n" -r "$KEYSPACE" -t "$test" --csv \
        2>/dev/null > "$work/run.csv"
    after=$(cpu_times)
    steal=$(echo "$before $after" | awk '{ d = $3 - $1; printf "%.1f", (d > 0 ? 100 * ($4 - $2) / d : 0) }')
    tr -d '"' < "$work/run.csv" | awk -F, -v f="$fsync" -v p="$pl" -v t="$name" -v r="$round" -v s="$steal" \
        'NR > 1 && $1 != "test" { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f, p, $1, t, r, $2, s }' >> "$OUT/results.tsv"
  done
}

# warmup PORT: one unmeasured pass of every test at every pipeline depth
warmup() {
  local port=$1 pl
  [ "$WARMUP_REQUESTS" -gt 0 ] || return 0
  for pl in $PIPELINES; do
    redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" -P "$pl" -n "$WARMUP_REQUESTS" -r "$KEYSPACE" \
        -t "$TESTS" -q > /dev/null 2>&1 || true
  done
}

printf 'fsync\tpipeline\ttest\tserver\tround\trps\tsteal_pct\n' > "$OUT/results.tsv"
{
  echo "# server-vs-redis $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm), $(nproc) cores; $(redis-server --version | awk '{print $1, $2, $3}')"
  echo "clients=$CLIENTS rounds=$ROUNDS requests(-P1)=$REQUESTS_P1 requests(-P>1)=$REQUESTS_PN keyspace=$KEYSPACE"
  echo "warm-up requests per test=$WARMUP_REQUESTS ceiling=$CEILING"
  echo "qrrot command: $QRROT_SERVE"
} > "$OUT/environment.txt"

for fsync in $FSYNC; do
  qport=$(free_port); rport=$(free_port)
  while [ "$rport" = "$qport" ]; do rport=$(free_port); done
  mkdir -p "$work/qrrot-$fsync" "$work/redis-$fsync"
  cmd=$(printf '%s' "$QRROT_SERVE" | sed -e "s|{dir}|$work/qrrot-$fsync|g" -e "s|{port}|$qport|g" -e "s|{fsync}|$fsync|g")
  echo "== fsync $fsync: qrrot on $qport, Redis on $rport" >&2
  bash -c "exec $cmd" > "$work/qrrot.log" 2>&1 &
  qpid=$!; pids+=("$qpid")
  redis-server --bind 127.0.0.1 --port "$rport" --dir "$work/redis-$fsync" --save '' \
      --appendonly yes --appendfsync "$fsync" > "$work/redis.log" 2>&1 &
  rpid=$!; pids+=("$rpid")
  servers="qrrot:$qport redis:$rport"
  cpid=
  if [ "$CEILING" = 1 ]; then
    cport=$(free_port)
    while [ "$cport" = "$qport" ] || [ "$cport" = "$rport" ]; do cport=$(free_port); done
    mkdir -p "$work/ceiling-$fsync"
    redis-server --bind 127.0.0.1 --port "$cport" --dir "$work/ceiling-$fsync" --save '' --appendonly no \
        > "$work/ceiling.log" 2>&1 &
    cpid=$!; pids+=("$cpid")
    wait_ready "$cport" "$cpid" 30 ceiling
    servers="$servers ceiling:$cport"
  fi
  wait_ready "$rport" "$rpid" 30 redis
  wait_ready "$qport" "$qpid" 600 qrrot   # the launcher may build the jar first
  for s in $servers; do
    echo "   warm-up: ${s%%:*}" >&2
    warmup "${s##*:}"
  done
  for round in $(seq 1 "$ROUNDS"); do
    for pl in $PIPELINES; do
      for s in $servers; do
        echo "   round $round/$ROUNDS  -P $pl: ${s%%:*}" >&2
        bench "${s%%:*}" "${s##*:}" "$pl" "$round" "$fsync"
      done
    done
  done
  stop "$qpid"; stop "$rpid"
  if [ -n "$cpid" ]; then stop "$cpid"; fi
done

# Medians per (fsync, pipeline, test, server), then the qrrot/Redis ratio.
awk -F'\t' 'NR > 1 { k = $1 "\t" $2 "\t" $3 "\t" $4; v[k] = v[k] " " $6 }
  END { for (k in v) { n = split(substr(v[k], 2), a, " ");
          for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
          m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2; print k "\t" m } }' "$OUT/results.tsv" \
  | sort > "$work/medians.tsv"
awk -F'\t' '{ key = $1 "\t" $2 "\t" $3; if ($4 == "qrrot") q[key] = $5; else if ($4 == "redis") r[key] = $5; else c[key] = $5 }
  END { for (k in q) if (k in r) printf "%s\t%.0f\t%.0f\t%.2f\t%s\n", k, q[k], r[k], (r[k] > 0 ? q[k] / r[k] : 0),
          (k in c) ? sprintf("%.0f", c[k]) : "-" }' \
  "$work/medians.tsv" | sort -t$'\t' -k1,1 -k2,2n -k3,3 > "$OUT/medians.tsv"
steal=$(awk -F'\t' 'NR > 1 { n++; s += $7; if ($7 > m) m = $7 } END { if (n) printf "mean %.1f %%, max %.1f %%", s / n, m }' \
  "$OUT/results.tsv")

{
  if [ "$CEILING" = 1 ]; then
    echo "| fsync | -P | test | qrrot ops/s | Redis ops/s | qrrot/Redis | Redis, no persistence |"
    echo "|---|---:|---|---:|---:|---:|---:|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$OUT/medians.tsv"
  else
    echo "| fsync | -P | test | qrrot ops/s | Redis ops/s | qrrot/Redis |"
    echo "|---|---:|---|---:|---:|---:|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$OUT/medians.tsv"
  fi
  echo
  echo "Medians of $ROUNDS interleaved rounds after a warm-up pass, -c $CLIENTS; CPU time stolen by the"
  echo "hypervisor during the runs: $steal; $(sed -n 2p "$OUT/environment.txt")."
} > "$OUT/summary.md"
cat "$OUT/summary.md"

# Chart: grouped bars of the ratio per case.
awk -F'\t' '{ printf "\"%s -P%s %s\"\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, $5, $6, ($7 == "-" ? 0 : $7) }' "$OUT/medians.tsv" \
  > "$work/chart.dat"
ceiling_plot=""
if [ "$CEILING" = 1 ]; then ceiling_plot=", '' using 5 title \"Redis, no persistence\""; fi
if command -v gnuplot >/dev/null 2>&1; then
  gnuplot <<GP
set terminal pngcairo size 1100,520 noenhanced font ",10"
set output "$OUT/chart.png"
set title "qrrot vs Redis (redis-benchmark -c $CLIENTS, medians of $ROUNDS interleaved rounds)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "ops/s"
set xtics rotate by -30
set key top left
set grid ytics
plot "$work/chart.dat" using 2:xtic(1) title "qrrot", '' using 3 title "Redis"$ceiling_plot
GP
  echo "chart: $OUT/chart.png" >&2
elif python3 -c 'import matplotlib' >/dev/null 2>&1; then
  python3 - "$work/chart.dat" "$OUT/chart.png" <<'PY'
import sys, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
labels = [r[0].strip('"') for r in rows]
q = [float(r[1]) for r in rows]; r_ = [float(r[2]) for r in rows]; c = [float(r[4]) for r in rows]
x = range(len(rows)); w = 0.3 if any(c) else 0.4
plt.figure(figsize=(11, 5))
plt.bar([i - w / 2 for i in x], q, w, label="qrrot"); plt.bar([i + w / 2 for i in x], r_, w, label="Redis")
if any(c):
    plt.bar([i + 1.5 * w for i in x], c, w, label="Redis, no persistence")
plt.xticks(list(x), labels, rotation=30, ha="right"); plt.ylabel("ops/s"); plt.legend(); plt.tight_layout()
plt.savefig(sys.argv[2], dpi=100)
PY
  echo "chart: $OUT/chart.png" >&2
else
  echo "no chart: install gnuplot (apt-get install -y gnuplot-nox) or python3-matplotlib" >&2
fi
echo "results: $OUT" >&2
