#!/usr/bin/env bash
# Memory of collections, qrrot against a real redis-server in one run: RSS after loading the same data.
#
#   bench/scripts/collections-memory.sh                   # 1M hashes of 10 small fields
#   HASHES=100000 FIELDS=10 bench/scripts/collections-memory.sh
#   BIG_HASH_FIELDS=1000000 HASHES=0 bench/scripts/collections-memory.sh   # one hash of 1M fields
#   SETS=1000000 HASHES=0 bench/scripts/collections-memory.sh                # 1M sets of 10 small integers
#   ZSET_MEMBERS=1000000 HASHES=0 bench/scripts/collections-memory.sh        # one sorted set of 1M members
#   LIST_ITEMS=10000000 HASHES=0 bench/scripts/collections-memory.sh         # one list of 10M short items
#
# Both servers start side by side on free loopback ports, empty:
#   qrrot:  ./qrrot serve --wal DIR --port P --fsync everysec
#   Redis:  redis-server --save '' --appendonly no       (persistence does not change what the data takes)
# Their RSS (VmRSS) is read when they are up and empty, then the same commands are piped to each with
# redis-cli --pipe (HSET hash:N f0 v0 ... as RESP, generated once; the sorted set as ZADD bigzset of 100
# (score, member:NNNNNNN) pairs each, scores random with 6 decimals from a fixed awk seed; the list as RPUSH
# biglist of 100 items item:N each), and after a pause
# RSS is read again.
# The table shows RSS before and after, the growth per hash (or per field), and the qrrot/Redis ratios of
# both: RSS after load is what a machine needs; the growth is the data structure's own cost without the
# JVM's fixed part. Writes the table to OUT/summary.md.
#
# Settings (environment): HASHES=1000000 FIELDS=10 BIG_HASH_FIELDS=0 SETS=0 MEMBERS=10 ZSET_MEMBERS=0 LIST_ITEMS=0
#   VALUE=value
#   PAUSE=5
#   OUT=${TMPDIR:-/tmp}/qrrot-bench/collections-memory-<time>  QRROT_JAVA_OPTS passed to the launcher.
# Needs: redis-server, redis-cli (apt-get install -y redis-server redis-tools), awk, Java 17 + Maven.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
HASHES="${HASHES:-1000000}"
FIELDS="${FIELDS:-10}"
BIG_HASH_FIELDS="${BIG_HASH_FIELDS:-0}"
SETS="${SETS:-0}"
MEMBERS="${MEMBERS:-10}"
ZSET_MEMBERS="${ZSET_MEMBERS:-0}"
LIST_ITEMS="${LIST_ITEMS:-0}"
VALUE="${VALUE:-value}"
PAUSE="${PAUSE:-5}"
OUT="${OUT:-${TMPDIR:-/tmp}/qrrot-bench/collections-memory-$(date +%Y%m%d-%H%M%S)}"

for tool in redis-server redis-cli awk; do
  command -v "$tool" >/dev/null 2>&1 || { echo "collections-memory: $tool not found" >&2; exit 2; }
done
mkdir -p "$OUT"
work="$(mktemp -d "${TMPDIR:-/tmp}/qrrot-mem.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# The commands, as RESP (redis-cli --pipe sends them as they are).
cmds="$work/commands.resp"
log "generating commands: $HASHES hashes of $FIELDS fields, one hash of $BIG_HASH_FIELDS fields, $SETS sets of $MEMBERS integers, one sorted set of $ZSET_MEMBERS members, one list of $LIST_ITEMS items"
awk -v hashes="$HASHES" -v fields="$FIELDS" -v big="$BIG_HASH_FIELDS" -v value="$VALUE" -v sets="$SETS" \
    -v members="$MEMBERS" -v zmembers="$ZSET_MEMBERS" -v items="$LIST_ITEMS" '
  function bulk(s) { printf "$%d\r\n%s\r\n", length(s), s }
  BEGIN {
    for (i = 0; i < hashes; i++) {
      printf "*%d\r\n", 2 + 2 * fields; bulk("HSET"); bulk("hash:" i)
      for (f = 0; f < fields; f++) { bulk("f" f); bulk(value f) }
    }
    for (i = 0; i < big; i += 100) {
      n = (big - i < 100) ? big - i : 100
      printf "*%d\r\n", 2 + 2 * n; bulk("HSET"); bulk("bighash")
      for (f = i; f < i + n; f++) { bulk("field:" f); bulk(value f) }
    }
    for (i = 0; i < sets; i++) {
      printf "*%d\r\n", 2 + members; bulk("SADD"); bulk("set:" i)
      for (m = 0; m < members; m++) { bulk(m * 7 + i % 13) }
    }
    srand(42)
    for (i = 0; i < zmembers; i += 100) {
      n = (zmembers - i < 100) ? zmembers - i : 100
      printf "*%d\r\n", 2 + 2 * n; bulk("ZADD"); bulk("bigzset")
      for (m = i; m < i + n; m++) { bulk(sprintf("%.6f", rand() * 1000000)); bulk(sprintf("member:%07d", m)) }
    }
    for (i = 0; i < items; i += 100) {
      n = (items - i < 100) ? items - i : 100
      printf "*%d\r\n", 2 + n; bulk("RPUSH"); bulk("biglist")
      for (m = i; m < i + n; m++) { bulk("item:" m) }
    }
  }' > "$cmds"

wait_port() {
  for _ in $(seq 1 600); do
    redis-cli -p "$1" PING >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "collections-memory: nothing answers on port $1" >&2
  return 1
}

measure() { # name port pid
  local name="$1" port="$2" pid="$3" before after
  wait_port "$port"
  sleep "$PAUSE"
  before=$(rss_kib "$pid")
  log "$name: loading"
  redis-cli -p "$port" --pipe < "$cmds" > "$work/$name.pipe" 2>&1 || { cat "$work/$name.pipe" >&2; exit 1; }
  sleep "$PAUSE"
  after=$(rss_kib "$pid")
  log "$name: RSS $before KiB empty, $after KiB loaded ($(redis-cli -p "$port" DBSIZE) keys)"
  echo "$name $before $after"
}

rport=$(free_port)
redis-server --port "$rport" --save '' --appendonly no --dir "$work" --daemonize no > "$work/redis.log" 2>&1 &
rpid=$!
pids+=("$rpid")
read -r _ rb ra < <(measure redis "$rport" "$rpid")
redis-cli -p "$rport" SHUTDOWN NOSAVE >/dev/null 2>&1 || true

qport=$(free_port)
mkdir -p "$work/q"
"$repo/qrrot" serve --wal "$work/q" --port "$qport" --fsync everysec \
  > "$work/qrrot.log" 2>&1 &
qpid=$!
pids+=("$qpid")
wait_port "$qport"
jpid=$(redis-cli -p "$qport" INFO server | awk -F: '/^process_id:/ { print $2 + 0 }')
read -r _ qb qa < <(measure qrrot "$qport" "${jpid:-$qpid}")
redis-cli -p "$qport" SHUTDOWN >/dev/null 2>&1 || true

if [ "$HASHES" -gt 0 ]; then units=$HASHES; unit=hash
elif [ "$SETS" -gt 0 ]; then units=$SETS; unit=set
elif [ "$ZSET_MEMBERS" -gt 0 ]; then units=$ZSET_MEMBERS; unit="sorted-set member"
elif [ "$LIST_ITEMS" -gt 0 ]; then units=$LIST_ITEMS; unit="list item"
else units=$BIG_HASH_FIELDS; unit=field; fi
{
  echo "| $HASHES hashes × $FIELDS fields, one hash of $BIG_HASH_FIELDS fields, $SETS sets × $MEMBERS integers, one sorted set of $ZSET_MEMBERS members, one list of $LIST_ITEMS items | qrrot | Redis | qrrot/Redis |"
  echo "|---|---:|---:|---:|"
  awk -v qb="$qb" -v qa="$qa" -v rb="$rb" -v ra="$ra" -v n="$units" -v unit="$unit" 'BEGIN {
    printf "| RSS empty | %.1f MiB | %.1f MiB | |\n", qb / 1024, rb / 1024
    printf "| RSS loaded | %.1f MiB | %.1f MiB | %.2f |\n", qa / 1024, ra / 1024, qa / ra
    printf "| growth per %s | %.1f B | %.1f B | %.2f |\n", unit, (qa - qb) * 1024 / n, (ra - rb) * 1024 / n, (qa - qb) / (ra - rb)
  }'
} | tee "$OUT/summary.md"
