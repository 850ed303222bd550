#!/usr/bin/env bash
# Measures qrrot's memcached text protocol against a real memcached, on this machine, with the same client.
#
#   bench/scripts/memcached-vs-qrrot.sh                       # 3 rounds, fsync always, everysec and no
#   ROUNDS=5 FSYNC=always PIPELINES=1 bench/scripts/memcached-vs-qrrot.sh
#
# For each fsync policy both servers are started side by side on free loopback ports:
#   qrrot:      ./qrrot serve --wal DIR --port P --memcached-port M --fsync POLICY
#   memcached:  memcached -l 127.0.0.1 -p M -t MC_THREADS -m 1024 -U 0 [-u root]   (keeps nothing on disk)
# Memcached is not durable, so "fsync always" is the honest headline (every acknowledged set is on disk) and
# "fsync no" the like-for-like comparison (neither server waits for the disk).
# The client is bench/scripts/McLoad.java (compiled once into the work directory): CLIENTS connections, one
# thread each, PIPELINE requests written at once and their answers read, for RUN_SECONDS per run; 16-byte keys
# drawn uniformly from KEYSPACE, VALUE_BYTES-byte values. Tests: set, get, mix (9 get : 1 set per request).
# Before the first round every server gets the whole keyspace loaded (so gets hit) and one unmeasured pass of
# WARMUP_SECONDS per test and pipeline depth (the JVM compiles its hot paths; memcached gets the same pass).
# Then the runs are interleaved (qrrot, memcached, qrrot, memcached ... for ROUNDS rounds), because absolute
# numbers drift run to run on a shared machine; each run records the share of CPU time the hypervisor stole.
# Prints a markdown table of medians with the qrrot/memcached ratio and writes, under OUT:
#   results.tsv (every run), summary.md (the table), environment.txt.
#
# Settings (environment):
#   ROUNDS=3  FSYNC="always everysec no"  CLIENTS=50  PIPELINES="1 16"  TESTS="set get mix"
#   RUN_SECONDS=5  WARMUP_SECONDS=2  KEYSPACE=100000  VALUE_BYTES=32  MC_THREADS=1
#   OUT=${TMPDIR:-/tmp}/qrrot-bench/memcached-vs-qrrot-<time>
#   QRROT_SERVE  command template for the qrrot side; {dir} {port} {mcport} {fsync} are substituted.
#                Default: "<repo>/qrrot serve --wal {dir} --port {port} --memcached-port {mcport} --fsync {fsync}".
#                (Debugging the script itself: QRROT_SERVE='memcached -l 127.0.0.1 -p {mcport} -U 0 -u root'
#                 compares memcached with memcached.)
#   QRROT_JAVA_OPTS passed through to the launcher.
#
# Needs: memcached (Debian: apt-get install -y memcached), Java 17 (javac) and, for the launcher's first build,
# Maven. Stops only the servers it started, by PID.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ROUNDS="${ROUNDS:-3}"
FSYNC="${FSYNC:-always everysec no}"
CLIENTS="${CLIENTS:-50}"
PIPELINES="${PIPELINES:-1 16}"
TESTS="${TESTS:-set get mix}"
RUN_SECONDS="${RUN_SECONDS:-5}"
WARMUP_SECONDS="${WARMUP_SECONDS:-2}"
KEYSPACE="${KEYSPACE:-100000}"
VALUE_BYTES="${VALUE_BYTES:-32}"
MC_THREADS="${MC_THREADS:-1}"
OUT="${OUT:-${TMPDIR:-/tmp}/qrrot-bench/memcached-vs-qrrot-$(date +%Y%m%d-%H%M%S)}"
default_serve="$repo/qrrot serve --wal {dir} --port {port} --memcached-port {mcport} --fsync {fsync}"
QRROT_SERVE="${QRROT_SERVE:-$default_serve}"

for tool in memcached java javac; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "memcached-vs-qrrot: $tool not found (memcached: apt-get install -y memcached)" >&2
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

javac -d "$work/client" "$here/McLoad.java"
mcload() { java -XX:+UseParallelGC -cp "$work/client" McLoad 127.0.0.1 "$@"; }

# answers_version PORT: true when a memcached-protocol server on PORT answers "version"
answers_version() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'version\r\n' >&3
    IFS= read -r -t 2 line <&3 || true
    [[ "$line" == VERSION* ]]
  ) 2>/dev/null
}

# wait_ready PORT PID SECONDS NAME -> 0 when ready; 1 when the server exited (its log tells why); dies on timeout
wait_ready() {
  local port=$1 pid=$2 limit=$3 name=$4 waited=0
  until answers_version "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
    if [ "$waited" -ge "$limit" ]; then
      echo "memcached-vs-qrrot: $name did not answer \"version\" on port $port within ${limit}s" >&2
      exit 1
    fi
  done
}

# start NAME LIMIT COMMAND... : starts a server whose command line contains {port} (the memcached protocol's) and
# optionally {auxport}, on free ports; when it exits before answering because another process took a port
# meanwhile (free_port only checks), tries other ports. Sets started_pid, started_port and started_auxport.
start() {
  local name=$1 limit=$2 attempt port aux args
  shift 2
  for attempt in 1 2 3 4 5; do
    port=$(free_port); aux=$(free_port)
    while [ "$aux" = "$port" ]; do aux=$(free_port); done
    args=("${@//\{port\}/$port}")
    args=("${args[@]//\{auxport\}/$aux}")
    "${args[@]}" > "$work/$name.log" 2>&1 &
    started_pid=$!; pids+=("$started_pid")
    if wait_ready "$port" "$started_pid" "$limit" "$name"; then
      started_port=$port; started_auxport=$aux
      return 0
    fi
    wait "$started_pid" 2>/dev/null || true
    if ! grep -qi 'address already in use' "$work/$name.log"; then break; fi
    echo "   $name: port $port was taken meanwhile; another one (attempt $attempt)" >&2
  done
  echo "memcached-vs-qrrot: $name exited before answering; its log: $work/$name.log" >&2
  tail -20 "$work/$name.log" >&2 || true
  exit 1
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

# bench NAME PORT PIPELINE TEST ROUND FSYNC -> appends one row to results.tsv
bench() {
  local name=$1 port=$2 pl=$3 test=$4 round=$5 fsync=$6 before after steal line
  before=$(cpu_times)
  line=$(mcload "$port" "$test" "$CLIENTS" "$pl" "$RUN_SECONDS" "$KEYSPACE" "$VALUE_BYTES")
  after=$(cpu_times)
  steal=$(echo "$before $after" | awk '{ d = $3 - $1; printf "%.1f", (d > 0 ? 100 * ($4 - $2) / d : 0) }')
  # McLoad prints: test ops_per_s ops seconds get_hits get_misses
  echo "$line" | awk -v f="$fsync" -v p="$pl" -v t="$name" -v r="$round" -v s="$steal" \
      '{ printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f, p, $1, t, r, $2, s, $6 }' >> "$OUT/results.tsv"
}

user_opt=()
if [ "$(id -u)" = 0 ]; then user_opt=(-u root); fi

printf 'fsync\tpipeline\ttest\tserver\tround\tops_per_s\tsteal_pct\tget_misses\n' > "$OUT/results.tsv"
{
  echo "# memcached-vs-qrrot $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm), $(nproc) cores; $(memcached -V) with -t $MC_THREADS -m 1024 -U 0; $(java -version 2>&1 | head -1)"
  echo "client: McLoad, $CLIENTS connections (one thread each), ${RUN_SECONDS}s per run, keyspace $KEYSPACE, values of $VALUE_BYTES bytes"
  echo "rounds=$ROUNDS pipelines=$PIPELINES tests=$TESTS warm-up ${WARMUP_SECONDS}s per test and depth"
  echo "qrrot command: $QRROT_SERVE"
} > "$OUT/environment.txt"

for fsync in $FSYNC; do
  mkdir -p "$work/qrrot-$fsync"
  cmd=$(printf '%s' "$QRROT_SERVE" | sed -e "s|{dir}|$work/qrrot-$fsync|g" -e "s|{port}|{auxport}|g" \
      -e "s|{mcport}|{port}|g" -e "s|{fsync}|$fsync|g")
  start memcached 30 memcached -l 127.0.0.1 -p "{port}" -t "$MC_THREADS" -m 1024 -U 0 "${user_opt[@]}"
  mpid=$started_pid; mport=$started_port
  start qrrot 600 bash -c "exec $cmd"   # the launcher may build the jar first
  qpid=$started_pid; qmport=$started_port; qport=$started_auxport
  echo "== fsync $fsync: qrrot on $qport (memcached protocol on $qmport), memcached on $mport" >&2
  servers="qrrot:$qmport memcached:$mport"
  for s in $servers; do
    echo "   load and warm-up: ${s%%:*}" >&2
    mcload "${s##*:}" load 4 0 0 "$KEYSPACE" "$VALUE_BYTES" > /dev/null
    if [ "$WARMUP_SECONDS" != 0 ]; then
      for pl in $PIPELINES; do
        for test in $TESTS; do
          mcload "${s##*:}" "$test" "$CLIENTS" "$pl" "$WARMUP_SECONDS" "$KEYSPACE" "$VALUE_BYTES" > /dev/null
        done
      done
    fi
  done
  for round in $(seq 1 "$ROUNDS"); do
    for pl in $PIPELINES; do
      for test in $TESTS; do
        for s in $servers; do
          echo "   round $round/$ROUNDS  -P $pl $test: ${s%%:*}" >&2
          bench "${s%%:*}" "${s##*:}" "$pl" "$test" "$round" "$fsync"
        done
      done
    done
  done
  stop "$qpid"; stop "$mpid"
done

# Medians per (fsync, pipeline, test, server), then the qrrot/memcached ratio.
awk -F'\t' 'NR > 1 { k = $1 "\t" $2 "\t" $3 "\t" $4; v[k] = v[k] " " $6 }
  END { for (k in v) { n = split(substr(v[k], 2), a, " ");
          for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
          m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2; print k "\t" m } }' "$OUT/results.tsv" \
  | sort > "$work/medians.tsv"
awk -F'\t' '{ key = $1 "\t" $2 "\t" $3; if ($4 == "qrrot") q[key] = $5; else m[key] = $5 }
  END { for (k in q) if (k in m) printf "%s\t%.0f\t%.0f\t%.2f\n", k, q[k], m[k], (m[k] > 0 ? q[k] / m[k] : 0) }' \
  "$work/medians.tsv" > "$work/ratios.tsv"
# Order: fsync as given, then pipeline depth, then the tests as given.
: > "$OUT/medians.tsv"
for fsync in $FSYNC; do
  for pl in $PIPELINES; do
    for test in $TESTS; do
      awk -F'\t' -v f="$fsync" -v p="$pl" -v t="$test" '$1 == f && $2 == p && $3 == t' "$work/ratios.tsv" >> "$OUT/medians.tsv"
    done
  done
done
steal=$(awk -F'\t' 'NR > 1 { n++; s += $7; if ($7 > m) m = $7 } END { if (n) printf "mean %.1f %%, max %.1f %%", s / n, m }' \
  "$OUT/results.tsv")
misses=$(awk -F'\t' 'NR > 1 { s += $8 } END { print s + 0 }' "$OUT/results.tsv")

{
  echo "| qrrot fsync | pipeline | test | qrrot ops/s | memcached ops/s | qrrot/memcached |"
  echo "|---|---:|---|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$OUT/medians.tsv"
  echo
  echo "Medians of $ROUNDS interleaved rounds of ${RUN_SECONDS}s after loading $KEYSPACE keys and a warm-up pass;"
  echo "$CLIENTS connections (McLoad, one thread each), ${VALUE_BYTES}-byte values, mix = 9 get : 1 set;"
  echo "memcached -t $MC_THREADS. Get misses in all runs: $misses. CPU time stolen by the hypervisor: $steal."
} > "$OUT/summary.md"
cat "$OUT/summary.md"
echo "results: $OUT" >&2
