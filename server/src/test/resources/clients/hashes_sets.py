"""Hashes, sets, a transaction, WATCH and Pub/Sub through redis-py (RESP2) against a server on 127.0.0.1.

Usage: python3 hashes_sets.py PORT
Exits 0 when every check holds; otherwise prints each failed check and exits 1 (2 on an unexpected error).
Written for redis-py 4.3.4 (Debian 12's python3-redis) and later.
"""
import sys
import time
import traceback

import redis

failures = []


def check(what, got, expected):
    if got != expected:
        failures.append("%s: expected %r, got %r" % (what, expected, got))


def check_true(what, condition, detail=""):
    if not condition:
        failures.append("%s%s" % (what, (": " + detail) if detail else ""))


def error_of(fn):
    try:
        fn()
    except redis.ResponseError as e:
        return str(e)
    return None


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def hashes(r, p):
    h = p + "hash"
    r.delete(h)
    check("HSET mapping", r.hset(h, mapping={"a": "1", "b": "two", "c": "three"}), 3)
    check("HSET overwrite", r.hset(h, mapping={"a": "one", "d": "4"}), 1)
    check("HSET field value", r.hset(h, "d", "four"), 0)
    check("HGET", r.hget(h, "a"), "one")
    check("HGET missing", r.hget(h, "missing"), None)
    check("HMGET", r.hmget(h, ["a", "missing", "d"]), ["one", None, "four"])
    check("HGETALL", r.hgetall(h), {"a": "one", "b": "two", "c": "three", "d": "four"})
    check("HGETALL missing", r.hgetall(h + ":missing"), {})
    check("HLEN", r.hlen(h), 4)
    check("HEXISTS", bool(r.hexists(h, "b")), True)
    check("HEXISTS missing", bool(r.hexists(h, "missing")), False)
    check("HKEYS", sorted(r.hkeys(h)), ["a", "b", "c", "d"])
    check("HVALS", sorted(r.hvals(h)), ["four", "one", "three", "two"])
    check("HSTRLEN", r.hstrlen(h, "c"), 5)
    check("HSTRLEN missing", r.hstrlen(h, "missing"), 0)
    check("HSETNX existing", bool(r.hsetnx(h, "a", "not set")), False)
    check("HSETNX new", bool(r.hsetnx(h, "e", "five")), True)
    check("HINCRBY", r.hincrby(h, "n", 5), 5)
    check("HINCRBY negative", r.hincrby(h, "n", -7), -2)
    check("HINCRBYFLOAT", r.hincrbyfloat(h, "x", 10.5), 10.5)
    check("HINCRBYFLOAT again", r.hincrbyfloat(h, "x", 0.1), 10.6)
    check("HGET float", r.hget(h, "x"), "10.6")
    check("HINCRBY on text", error_of(lambda: r.hincrby(h, "a", 1)), "hash value is not an integer")
    check("SADD on a hash", error_of(lambda: r.sadd(h, "m")), WRONGTYPE)

    every = r.hgetall(h)
    check("HGETALL after updates", every, {"a": "one", "b": "two", "c": "three", "d": "four", "e": "five",
                                           "n": "-2", "x": "10.6"})
    check_true("HRANDFIELD", r.hrandfield(h) in every)
    three = r.hrandfield(h, 3)
    check("HRANDFIELD 3 distinct", len(set(three)), 3)
    check_true("HRANDFIELD 3 fields", set(three) <= set(every), repr(three))
    repeats = r.hrandfield(h, -20)
    check("HRANDFIELD -20 length", len(repeats), 20)
    check_true("HRANDFIELD -20 fields", set(repeats) <= set(every), repr(repeats))
    flat = r.hrandfield(h, 3, withvalues=True)
    check("HRANDFIELD 3 WITHVALUES length", len(flat), 6)
    for field, value in zip(flat[0::2], flat[1::2]):
        check("HRANDFIELD WITHVALUES " + field, every.get(field), value)
    flat = r.hrandfield(h, 50, withvalues=True)
    check("HRANDFIELD 50 WITHVALUES", dict(zip(flat[0::2], flat[1::2])), every)
    check("HRANDFIELD missing", r.hrandfield(h + ":missing"), None)

    check("HDEL", r.hdel(h, "a", "b", "missing"), 2)
    check("HDEL rest", r.hdel(h, "c", "d", "e", "n", "x"), 5)
    check("EXISTS after HDEL of every field", r.exists(h), 0)
    check("TYPE after HDEL of every field", r.type(h), "none")

    big = p + "bighash"
    r.delete(big)
    expected = {"field:%d" % i: "value:%d" % i for i in range(1000)}
    check("HSET 1000", r.hset(big, mapping=expected), 1000)
    seen = {}
    cursor, calls = 0, 0
    while True:
        cursor, page = r.hscan(big, cursor, count=100)
        calls += 1
        for f, v in page.items():
            check_true("HSCAN value of " + f, seen.setdefault(f, v) == v)
        if cursor == 0:
            break
    check("HSCAN fields", seen, expected)
    check_true("HSCAN took several calls", calls > 1, "%d call(s)" % calls)
    check("hscan_iter", dict(r.hscan_iter(big, match="field:99*")),
          {f: expected[f] for f in expected if f.startswith("field:99")})
    r.delete(big)


def sets(r, p):
    s, s2, ints, x, y, z, dst = (p + n for n in ("set", "s2", "ints", "x", "y", "z", "dst"))
    r.delete(s, s2, ints, x, y, z, dst)
    check("SADD", r.sadd(s, "a", "b", "c"), 3)
    check("SADD again", r.sadd(s, "c", "d"), 1)
    check("SREM", r.srem(s, "a", "missing"), 1)
    check("SMEMBERS", r.smembers(s), {"b", "c", "d"})
    check("SMEMBERS missing", r.smembers(s + ":missing"), set())
    check("SISMEMBER", bool(r.sismember(s, "b")), True)
    check("SISMEMBER not", bool(r.sismember(s, "a")), False)
    check("SMISMEMBER", [bool(b) for b in r.smismember(s, ["b", "a", "d"])], [True, False, True])
    check("SCARD", r.scard(s), 3)
    check("HGET on a set", error_of(lambda: r.hget(s, "b")), WRONGTYPE)

    check_true("SRANDMEMBER", r.srandmember(s) in {"b", "c", "d"})
    two = r.srandmember(s, 2)
    check("SRANDMEMBER 2 distinct", len(set(two)), 2)
    check_true("SRANDMEMBER 2 members", set(two) <= {"b", "c", "d"}, repr(two))
    repeats = r.srandmember(s, -7)
    check("SRANDMEMBER -7 length", len(repeats), 7)
    check_true("SRANDMEMBER -7 members", set(repeats) <= {"b", "c", "d"}, repr(repeats))
    check("SRANDMEMBER missing", r.srandmember(s + ":missing"), None)

    check("SMOVE", bool(r.smove(s, s2, "b")), True)
    check("SMOVE missing member", bool(r.smove(s, s2, "missing")), False)
    check("SMEMBERS source", r.smembers(s), {"c", "d"})
    check("SMEMBERS destination", r.smembers(s2), {"b"})

    ten = {str(i) for i in range(1, 11)}
    check("SADD ints", r.sadd(ints, *sorted(ten)), 10)
    popped = r.spop(ints, 3)
    check("SPOP 3 length", len(set(popped)), 3)
    check("SCARD after SPOP", r.scard(ints), 7)
    check("SPOP leaves the rest", r.smembers(ints) | set(popped), ten)
    check_true("SPOP removes", not (r.smembers(ints) & set(popped)))
    check("SPOP all", len(r.spop(ints, 100)), 7)
    check("EXISTS after SPOP all", r.exists(ints), 0)
    check("SPOP missing", r.spop(ints), None)

    r.sadd(x, "1", "2", "3", "a")
    r.sadd(y, "2", "3", "4")
    r.sadd(z, "3", "a", "b")
    check("SINTER", r.sinter(x, y), {"2", "3"})
    check("SINTER 3", r.sinter(x, y, z), {"3"})
    check("SUNION", r.sunion(x, y), {"1", "2", "3", "4", "a"})
    check("SDIFF", r.sdiff(x, y), {"1", "a"})
    check("SDIFF 3", r.sdiff(x, y, z), {"1"})
    # redis-py 4.3.4 always sends LIMIT (0 when none is given)
    check("SINTERCARD", r.sintercard(2, [x, y]), 2)
    check("SINTERCARD LIMIT", r.sintercard(2, [x, y], limit=1), 1)
    check("SINTERSTORE", r.sinterstore(dst, [x, y]), 2)
    check("SINTERSTORE result", r.smembers(dst), {"2", "3"})
    check("SUNIONSTORE", r.sunionstore(dst, [x, y, z]), 6)
    check("SUNIONSTORE result", r.smembers(dst), {"1", "2", "3", "4", "a", "b"})
    check("SDIFFSTORE", r.sdiffstore(dst, [x, y]), 2)
    check("SDIFFSTORE result", r.smembers(dst), {"1", "a"})
    check("SINTERSTORE empty", r.sinterstore(dst, [x, p + "missing"]), 0)
    check("EXISTS after empty store", r.exists(dst), 0)

    big = p + "bigset"
    r.delete(big)
    expected = {"member:%d" % i for i in range(1000)}
    check("SADD 1000", r.sadd(big, *sorted(expected)), 1000)
    seen = set()
    cursor, calls = 0, 0
    while True:
        cursor, page = r.sscan(big, cursor, count=100)
        calls += 1
        seen.update(page)
        if cursor == 0:
            break
    check("SSCAN members", seen, expected)
    check_true("SSCAN took several calls", calls > 1, "%d call(s)" % calls)
    check("sscan_iter", set(r.sscan_iter(big)), expected)
    r.delete(big)


def transaction_and_watch(r, other, p):
    h, s, s2 = p + "txhash", p + "txset", p + "txset2"
    r.delete(h, s, s2)
    pipe = r.pipeline(transaction=True)
    pipe.hset(h, mapping={"a": "1", "b": "2"})
    pipe.sadd(s, "x", "y", "z")
    pipe.hincrby(h, "a", 10)
    pipe.smove(s, s2, "x")
    pipe.hgetall(h)
    pipe.smembers(s)
    pipe.scard(s2)
    check("MULTI/EXEC", pipe.execute(), [2, 3, 11, True, {"a": "11", "b": "2"}, {"y", "z"}, 1])

    pipe = r.pipeline(transaction=True)
    pipe.hset(h, "t", "text")
    pipe.hincrby(h, "t", 1)
    pipe.sadd(s, "after-error")
    results = pipe.execute(raise_on_error=False)
    check("EXEC with an error: length", len(results), 3)
    check_true("EXEC with an error: the error", isinstance(results[1], redis.ResponseError), repr(results))
    check("EXEC with an error: the rest runs", [results[0], results[2]], [1, 1])

    with r.pipeline() as pipe:
        pipe.watch(h)
        check("HINCRBY from another connection", other.hincrby(h, "a", 1), 12)
        pipe.multi()
        pipe.hset(h, "a", "mine")
        pipe.sadd(s, "from-aborted")
        try:
            pipe.execute()
            failures.append("EXEC after a conflicting write to a watched hash did not abort")
        except redis.WatchError:
            pass
    check("HGET after aborted EXEC", r.hget(h, "a"), "12")
    check("SISMEMBER after aborted EXEC", bool(r.sismember(s, "from-aborted")), False)

    with r.pipeline() as pipe:
        pipe.watch(h)
        other.sadd(s, "unrelated")
        check("HGET while watching", pipe.hget(h, "a"), "12")
        pipe.multi()
        pipe.hset(h, "a", "2")
        pipe.hget(h, "a")
        check("EXEC with an untouched watched hash", pipe.execute(), [0, "2"])


def pubsub(port, p):
    sub = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=10)
    pub = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=10)
    ps = sub.pubsub()
    channel = p + "channel"
    ps.subscribe(channel)
    ps.psubscribe(p + "news.*")

    def next_message(what):
        deadline = time.time() + 5
        while time.time() < deadline:
            m = ps.get_message(timeout=1.0)
            if m is not None:
                return m
        failures.append("no message: " + what)
        return None

    check("subscribe confirmation", next_message("subscribe"),
          {"type": "subscribe", "pattern": None, "channel": channel, "data": 1})
    check("psubscribe confirmation", next_message("psubscribe"),
          {"type": "psubscribe", "pattern": None, "channel": p + "news.*", "data": 2})
    check("PUBSUB NUMSUB", pub.pubsub_numsub(channel), [(channel, 1)])
    check("PUBLISH receivers", pub.publish(channel, "hello from redis-py"), 1)
    check("message", next_message("message"),
          {"type": "message", "pattern": None, "channel": channel, "data": "hello from redis-py"})
    check("PUBLISH to the pattern", pub.publish(p + "news.sport", "goal"), 1)
    check("pmessage", next_message("pmessage"),
          {"type": "pmessage", "pattern": p + "news.*", "channel": p + "news.sport", "data": "goal"})
    check("PUBLISH to nobody", pub.publish(p + "nobody", "x"), 0)
    ps.unsubscribe(channel)
    check("unsubscribe confirmation", next_message("unsubscribe"),
          {"type": "unsubscribe", "pattern": None, "channel": channel, "data": 1})
    ps.punsubscribe()
    check("punsubscribe confirmation", next_message("punsubscribe"),
          {"type": "punsubscribe", "pattern": None, "channel": p + "news.*", "data": 0})
    check("PUBLISH after unsubscribe", pub.publish(channel, "late"), 0)
    ps.close()
    sub.close()
    pub.close()


def sorted_sets(r, p):
    z, other, dst, big = (p + n for n in ("zset", "zother", "zdst", "zbig"))
    r.delete(z, other, dst, big)
    check("ZADD", r.zadd(z, {"ann": 10, "bob": 20, "cy": 15.5}), 3)
    check("ZADD GT CH", r.zadd(z, {"ann": 12}, gt=True, ch=True), 1)
    check("ZADD NX", r.zadd(z, {"ann": 99}, nx=True), 0)
    check("ZSCORE", r.zscore(z, "ann"), 12.0)
    check("ZSCORE missing", r.zscore(z, "nobody"), None)
    check("ZMSCORE", r.zmscore(z, ["ann", "nobody"]), [12.0, None])
    check("ZINCRBY", r.zincrby(z, 10, "cy"), 25.5)
    check("ZRANGE WITHSCORES", r.zrange(z, 0, -1, withscores=True), [("ann", 12.0), ("bob", 20.0), ("cy", 25.5)])
    check("ZREVRANGE", r.zrevrange(z, 0, 0), ["cy"])
    check("ZRANGEBYSCORE", r.zrangebyscore(z, "(12", "+inf"), ["bob", "cy"])
    check("ZRANGE BYSCORE REV LIMIT", r.zrange(z, "+inf", 0, byscore=True, desc=True, offset=0, num=1), ["cy"])
    check("ZRANK", r.zrank(z, "bob"), 1)
    check("ZREVRANK", r.zrevrank(z, "bob"), 1)
    check("ZCOUNT", r.zcount(z, 13, 30), 2)
    r.zadd(other, {"ann": 1, "dan": 2})
    check("ZUNION", r.zunion([z, other], withscores=True),
          [("dan", 2.0), ("ann", 13.0), ("bob", 20.0), ("cy", 25.5)])
    check("ZINTERSTORE MAX", r.zinterstore(dst, [z, other], aggregate="MAX"), 1)
    check("ZRANGE dst", r.zrange(dst, 0, -1, withscores=True), [("ann", 12.0)])
    check("ZPOPMIN", r.zpopmin(z), [("ann", 12.0)])
    check("ZPOPMAX 2", r.zpopmax(z, 2), [("cy", 25.5), ("bob", 20.0)])
    check("emptied", r.exists(z), 0)
    check("ZADD inf", r.zadd(z, {"top": float("inf"), "low": float("-inf")}), 2)
    check("ZRANGE inf", r.zrange(z, 0, -1, withscores=True), [("low", float("-inf")), ("top", float("inf"))])
    members = {"member:%d" % i: i % 100 for i in range(1000)}
    check("ZADD many", r.zadd(big, members), 1000)
    check("OBJECT ENCODING", r.object("encoding", big), "skiplist")
    check("ZRANK tie", r.zrank(big, "member:500"), 5)
    check("ZSCAN_ITER", dict(r.zscan_iter(big, count=100)), {k: float(v) for k, v in members.items()})
    check("ZREMRANGEBYSCORE", r.zremrangebyscore(big, 0, 9), 100)
    check("ZCARD", r.zcard(big), 900)
    check("HGET on a zset", error_of(lambda: r.hget(big, "x")), WRONGTYPE)
    check("ZADD nan", error_of(lambda: r.zadd(big, {"x": float("nan")})), "value is not a valid float")


def main():
    port = int(sys.argv[1])
    p = "redis-py:"
    print("redis-py %s against 127.0.0.1:%d (RESP2)" % (redis.__version__, port))
    r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=10)
    other = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=10)
    check("PING", r.ping(), True)
    steps = [("hashes", lambda: hashes(r, p)), ("sets", lambda: sets(r, p)),
             ("sorted sets", lambda: sorted_sets(r, p)),
             ("transaction and watch", lambda: transaction_and_watch(r, other, p)),
             ("pub/sub", lambda: pubsub(port, p))]
    for name, step in steps:
        before = len(failures)
        try:
            step()
        except Exception:
            failures.append("%s raised:\n%s" % (name, traceback.format_exc()))
        print("%s: %s" % (name, "ok" if len(failures) == before else "FAILED"))
    if failures:
        print("%d failed check(s):" % len(failures))
        for f in failures:
            print("  " + f)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
