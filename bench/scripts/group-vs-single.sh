#!/usr/bin/env bash
# Measures a replicated group of three members against a single qrrot with fsync always, on this machine.
#
#   bench/scripts/group-vs-single.sh
#   ROUNDS=5 CLIENTS=50 bench/scripts/group-vs-single.sh
#
# Starts, all from the shaded jar (cli/target/qrrot.jar, built first if missing):
#   single:          qrrot serve --wal DIR --port P --fsync always
#   group:           3 x qrrot serve --cluster on 127.0.0.1, 127.0.0.2, 127.0.0.3 (reads by read index)
#   group-lease:     the same with --leader-lease yes, on other ports
# then redis-benchmark SET and GET with -c CLIENTS at -P 1 and -P 16 against the single server and against each
# group's leader, interleaved for ROUNDS rounds (single, group, group-lease, single, ...), after one unmeasured
# warm-up pass each. It prints the median requests/s and the ratio to the single server, and the CPU seconds
# the servers' processes used per 1,000 SETs at -P 16 (all three members for a group, from /proc/PID/stat).
# Last, FAILOVERS times: FailoverProbe.java kills the group's leader with SIGKILL and times the first
# acknowledged write through the new leader (client side: MOVED followed, CLUSTERDOWN waited out); the killed
# member is started again before the next one.
#
# Settings (environment): ROUNDS=3 CLIENTS=50 REQUESTS_P1=20000 REQUESTS_PN=200000 FAILOVERS=5
#   ELECTION_MS=1000 (the members' --election-timeout) OUT=${TMPDIR:-/tmp}/qrrot-bench/group-vs-single-<time>
# Needs: redis-benchmark and redis-cli (Debian redis-tools). Stops only the processes it started.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
ROUNDS="${ROUNDS:-3}"
CLIENTS="${CLIENTS:-50}"
REQUESTS_P1="${REQUESTS_P1:-20000}"
REQUESTS_PN="${REQUESTS_PN:-200000}"
FAILOVERS="${FAILOVERS:-5}"
ELECTION_MS="${ELECTION_MS:-1000}"
OUT="${OUT:-${TMPDIR:-/tmp}/qrrot-bench/group-vs-single-$(date +%Y%m%d-%H%M%S)}"
jar="$repo/cli/target/qrrot.jar"
[ -f "$jar" ] || (cd "$repo" && mvn -B -q -DskipTests package -pl cli -am)
mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

declare -A member_pid
start_member() { # name host port raft peers dir extra...
  local name=$1 host=$2 port=$3 raft=$4 peers=$5 dir=$6; shift 6
  java -Xmx1g -jar "$jar" serve --cluster --node-id "$name" --peers "$peers" --wal "$dir" \
    --election-timeout "$ELECTION_MS" "$@" >>"$dir.log" 2>&1 &
  member_pid["$host:$port"]=$!
  pids+=($!)
}
await_ping() { for _ in $(seq 1 600); do redis-cli -h "$1" -p "$2" PING >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
leader_of() { # prints host:port of the member whose INFO says role:master with the highest term
  local best="" term=-1 a t
  for a in "$@"; do
    info=$(redis-cli -h "${a%:*}" -p "${a#*:}" INFO replication 2>/dev/null | tr -d '\r') || continue
    if grep -q '^role:master' <<<"$info"; then
      t=$(grep '^raft_term:' <<<"$info" | cut -d: -f2)
      if [ "${t:-0}" -gt "$term" ]; then term=$t; best=$a; fi
    fi
  done
  echo "$best"
}
start_group() { # label extra-args...
  local label=$1; shift
  local port raft peers="" i
  port=$(free_port); raft=$(free_port)
  for i in 1 2 3; do peers+="${peers:+,}n$i=127.0.0.$i:$port@$raft"; done
  for i in 1 2 3; do start_member "n$i" "127.0.0.$i" "$port" "$raft" "$peers" "$OUT/$label-n$i" "$@"; done
  for i in 1 2 3; do await_ping "127.0.0.$i" "$port"; done
  eval "${label//-/_}_members='127.0.0.1:$port 127.0.0.2:$port 127.0.0.3:$port'"
  eval "${label//-/_}_peers='$peers'"
  for _ in $(seq 1 300); do [ -n "$(leader_of 127.0.0.1:$port 127.0.0.2:$port 127.0.0.3:$port)" ] && break; sleep 0.1; done
}

single_port=$(free_port)
java -Xmx1g -jar "$jar" serve --wal "$OUT/single" --port "$single_port" --fsync always >>"$OUT/single.log" 2>&1 &
single_pid=$!; pids+=($single_pid)
await_ping 127.0.0.1 "$single_port"
start_group group
start_group group-lease --leader-lease yes

cpu_of() { local s=0 p; for p in "$@"; do s=$((s + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo "$s"; }
hz=$(getconf CLK_TCK)
bench() { # target-label test pipeline -> prints rps; appends a row to results.tsv
  local label=$1 test=$2 pipe=$3 host port n members ps=() before after rps
  case $label in
    single) host=127.0.0.1; port=$single_port; ps=($single_pid) ;;
    *) members="${label//-/_}_members"; local l; l=$(leader_of ${!members}); host=${l%:*}; port=${l#*:}
       for a in ${!members}; do ps+=(${member_pid[$a]}); done ;;
  esac
  n=$([ "$pipe" = 1 ] && echo "$REQUESTS_P1" || echo "$REQUESTS_PN")
  before=$(cpu_of "${ps[@]}")
  rps=$(redis-benchmark -h "$host" -p "$port" -t "$test" -n "$n" -c "$CLIENTS" -P "$pipe" -r 100000 -q 2>/dev/null \
    | tr '\r' '\n' | grep -E '^[A-Z]+: [0-9.]+ requests per second' | tail -1 | awk '{print $2}')
  after=$(cpu_of "${ps[@]}")
  printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$test" "$pipe" "$rps" \
    "$(awk -v c=$((after - before)) -v hz="$hz" -v n="$n" 'BEGIN{printf "%.3f", c / hz / n * 1000}')" >>"$OUT/results.tsv"
}

printf 'server\ttest\tpipeline\trps\tcpu_s_per_1000\n' >"$OUT/results.tsv"
for label in single group group-lease; do for t in set get; do bench "$label" "$t" 16 >/dev/null; done; done
: >"$OUT/results.tsv"; printf 'server\ttest\tpipeline\trps\tcpu_s_per_1000\n' >"$OUT/results.tsv"
for r in $(seq 1 "$ROUNDS"); do
  for pipe in 1 16; do for t in set get; do for label in single group group-lease; do
    bench "$label" "$t" "$pipe"
  done; done; done
  echo "round $r done" >&2
done

python3 - "$OUT/results.tsv" <<'PY' | tee "$OUT/summary.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
med = {}
for r in rows:
    med.setdefault((r['server'], r['test'], r['pipeline']), []).append(float(r['rps']))
cpu = {}
for r in rows:
    cpu.setdefault((r['server'], r['test'], r['pipeline']), []).append(float(r['cpu_s_per_1000']))
print('| test | pipeline | single (fsync always) | group (read index) | ratio | group (lease) | ratio |')
print('|---|---:|---:|---:|---:|---:|---:|')
for t in ('set', 'get'):
    for p in ('1', '16'):
        s = statistics.median(med[('single', t, p)])
        g = statistics.median(med[('group', t, p)])
        l = statistics.median(med[('group-lease', t, p)])
        print(f'| {t.upper()} | {p} | {s:,.0f} | {g:,.0f} | {g/s:.2f} | {l:,.0f} | {l/s:.2f} |')
print()
print('CPU seconds per 1,000 SETs at -P 16 (all processes of the server; a group: its three members):')
for k in ('single', 'group', 'group-lease'):
    print(f'- {k}: {statistics.median(cpu[(k, "set", "16")]):.3f}')
PY

echo "failovers (kill -9 of the leader to the first acknowledged write through the new one):" | tee -a "$OUT/summary.md"
for f in $(seq 1 "$FAILOVERS"); do
  args=()
  for a in $group_members; do args+=("$a=${member_pid[$a]}"); done
  line=$(java "$here/FailoverProbe.java" "${args[@]}")
  echo "  $line" | tee -a "$OUT/summary.md"
  killed=$(sed -E 's/.*killed=([^ ]+).*/\1/' <<<"$line")
  host=${killed%:*}; port=${killed#*:}; i=${host##*.}
  wait "${member_pid[$killed]}" 2>/dev/null || true
  start_member "n$i" "$host" "$port" "" "$group_peers" "$OUT/group-n$i"
  await_ping "$host" "$port"
  sleep 3
done
echo "results in $OUT" >&2
