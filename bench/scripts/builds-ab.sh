#!/usr/bin/env bash
# Two builds of qrrot against each other, interleaved: redis-benchmark throughput of each jar's server on the same
# machine in the same run (what a change costs the request path, when a micro-benchmark is not the whole story).
#
#   bench/scripts/builds-ab.sh OLD.jar NEW.jar        # e.g. a worktree's cli/target/qrrot.jar against this one's
#   ROUNDS=5 TESTS=set,get FSYNC=always bench/scripts/builds-ab.sh OLD.jar NEW.jar
#
# Both servers run side by side with the launcher's JVM flags on free loopback ports, each with its own data
# directory; after a warm-up, every round runs each test at -P1 (100k requests) and -P16 (1M requests), 50
# clients, -r 100000, first on the old server and then on the new one. Prints the medians and new/old per cell,
# with every round's number (their spread is the machine's noise). Writes OUT/results.tsv.
# Settings: ROUNDS=3 TESTS=set,get FSYNC=always OUT=${TMPDIR:-/tmp}/qrrot-bench/builds-ab-<time>
# Needs: redis-benchmark, redis-cli, python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
[ $# -eq 2 ] || { echo "usage: $(basename "$0") OLD.jar NEW.jar" >&2; exit 2; }
old_jar="$1"
new_jar="$2"
ROUNDS="${ROUNDS:-3}"
TESTS="${TESTS:-set,get}"
FSYNC="${FSYNC:-always}"
OUT="${OUT:-${TMPDIR:-/tmp}/qrrot-bench/builds-ab-$(date +%Y%m%d-%H%M%S)}"
JVM="-XX:+UseParallelGC -Xms128m -Xmn96m -XX:InitialSurvivorRatio=3 -XX:MinSurvivorRatio=3 -XX:+UseAdaptiveSizePolicyWithSystemGC -XX:+AlwaysPreTouch"
mkdir -p "$OUT"
results="$OUT/results.tsv"
: > "$results"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

start() { # jar port dir
  rm -rf "$3"
  # shellcheck disable=SC2086
  java $JVM -jar "$1" serve --wal "$3" --port "$2" --fsync "$FSYNC" > "$3.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do redis-cli -p "$2" PING >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "$(basename "$0"): the server of $1 did not come up; see $3.log" >&2
  exit 1
}
old_port=$(free_port); start "$old_jar" "$old_port" "$OUT/old"
new_port=$(free_port); start "$new_jar" "$new_port" "$OUT/new"
for p in "$old_port" "$new_port"; do redis-benchmark -p "$p" -c 50 -n 50000 -r 100000 -t "$TESTS" -q > /dev/null; done
for r in $(seq 1 "$ROUNDS"); do
  for P in 1 16; do
    n=$([ "$P" = 1 ] && echo 100000 || echo 1000000)
    for side in old new; do
      port=$([ "$side" = old ] && echo "$old_port" || echo "$new_port")
      redis-benchmark -p "$port" -c 50 -P "$P" -n "$n" -r 100000 -t "$TESTS" --csv 2>/dev/null | tr -d '"' \
        | awk -F, -v s="$side" -v P="$P" -v r="$r" 'NR>1{print r"\t"s"\tP"P"\t"$1"\t"$2}' >> "$results"
    done
  done
done
python3 - "$results" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, s, P, t, v = line.rstrip('\n').split('\t')
    d[(P, t, s)].append(float(v))
for (P, t) in sorted({(k[0], k[1]) for k in d}):
    o = statistics.median(d[(P, t, 'old')]); n = statistics.median(d[(P, t, 'new')])
    print(f"{P}\t{t}\told {o:.0f}\tnew {n:.0f}\tnew/old {n/o:.3f}\trounds old {sorted(int(x) for x in d[(P, t, 'old')])} new {sorted(int(x) for x in d[(P, t, 'new')])}")
PY
