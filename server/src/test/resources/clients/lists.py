"""Lists, their blocking pops, a transaction and WATCH on a list through redis-py (RESP2) against a server on 127.0.0.1.

Usage: python3 lists.py PORT
Exits 0 when every check holds; otherwise prints each failed check and exits 1 (2 on an unexpected error).
Written for redis-py 4.3.4 (Debian 12's python3-redis) and later.
"""
import sys
import threading
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
# How long a blocked client may wait for the push that wakes it; far more than it needs.
BLOCK_SECONDS = 10


def connect(port):
    return redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=30)


def lists(r, p):
    l, dst, other, missing, big, text = (p + n for n in ("list", "dst", "other", "missing", "big", "text"))
    r.delete(l, dst, other, missing, big, text)
    check("LPUSH", r.lpush(l, "a", "b", "c"), 3)
    check("RPUSH", r.rpush(l, "d", "e"), 5)
    check("LRANGE", r.lrange(l, 0, -1), ["c", "b", "a", "d", "e"])
    check("LPUSHX missing", r.lpushx(missing, "x"), 0)
    check("RPUSHX missing", r.rpushx(missing, "x"), 0)
    check("EXISTS after LPUSHX and RPUSHX", r.exists(missing), 0)
    check("LPUSHX", r.lpushx(l, "z"), 6)
    check("RPUSHX", r.rpushx(l, "y"), 7)
    check("LLEN", r.llen(l), 7)
    check("LLEN missing", r.llen(missing), 0)
    check("TYPE", r.type(l), "list")

    check("LPOP", r.lpop(l), "z")
    check("LPOP 2", r.lpop(l, 2), ["c", "b"])
    check("RPOP", r.rpop(l), "y")
    check("RPOP 2", r.rpop(l, 2), ["e", "d"])
    check("LPOP 0", r.lpop(l, 0), [])
    check("LPOP missing", r.lpop(missing), None)
    check("LPOP missing 2", r.lpop(missing, 2), None)
    check("RPOP past the length", r.rpop(l, 10), ["a"])
    check("EXISTS after popping everything", r.exists(l), 0)

    r.rpush(l, "a", "b", "c", "d", "e")
    check("LRANGE 1 3", r.lrange(l, 1, 3), ["b", "c", "d"])
    check("LRANGE -2 100", r.lrange(l, -2, 100), ["d", "e"])
    check("LRANGE empty", r.lrange(l, 3, 1), [])
    check("LINDEX", r.lindex(l, 0), "a")
    check("LINDEX -1", r.lindex(l, -1), "e")
    check("LINDEX out of range", r.lindex(l, 5), None)
    check("LSET", r.lset(l, 1, "B"), True)
    check("LSET out of range", error_of(lambda: r.lset(l, 5, "x")), "index out of range")
    check("LSET missing", error_of(lambda: r.lset(missing, 0, "x")), "no such key")
    check("LINSERT BEFORE", r.linsert(l, "BEFORE", "c", "before-c"), 6)
    check("LINSERT AFTER", r.linsert(l, "AFTER", "e", "after-e"), 7)
    check("LINSERT no pivot", r.linsert(l, "AFTER", "no-such-pivot", "x"), -1)
    check("LINSERT missing", r.linsert(missing, "BEFORE", "a", "x"), 0)
    check("LRANGE after LSET and LINSERT", r.lrange(l, 0, -1), ["a", "B", "before-c", "c", "d", "e", "after-e"])

    r.delete(l)
    r.rpush(l, "x", "a", "x", "b", "x", "c", "x")
    check("LREM 2", r.lrem(l, 2, "x"), 2)
    check("LREM -1", r.lrem(l, -1, "x"), 1)
    check("LRANGE after LREM", r.lrange(l, 0, -1), ["a", "b", "x", "c"])
    check("LREM 0", r.lrem(l, 0, "x"), 1)
    r.rpush(l, "d", "e", "f")
    check("LTRIM", r.ltrim(l, 1, -2), True)
    check("LRANGE after LTRIM", r.lrange(l, 0, -1), ["b", "c", "d", "e"])
    check("LTRIM to nothing", r.ltrim(l, 2, 1), True)
    check("EXISTS after LTRIM to nothing", r.exists(l), 0)

    r.rpush(l, "a", "b", "c", "1", "2", "3", "c", "b", "a", "c")
    check("LPOS", r.lpos(l, "c"), 2)
    check("LPOS none", r.lpos(l, "nothing"), None)
    check("LPOS RANK 2", r.lpos(l, "c", rank=2), 6)
    check("LPOS RANK -1", r.lpos(l, "c", rank=-1), 9)
    check("LPOS COUNT 0", r.lpos(l, "c", count=0), [2, 6, 9])
    check("LPOS RANK -1 COUNT 2", r.lpos(l, "c", rank=-1, count=2), [9, 6])
    check("LPOS COUNT 0 MAXLEN 5", r.lpos(l, "c", count=0, maxlen=5), [2])
    check("LPOS COUNT none", r.lpos(l, "nothing", count=3), [])
    check("LPOS RANK 0", error_of(lambda: r.lpos(l, "c", rank=0)),
          "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to "
          "start from the end of the list")

    r.delete(l)
    r.rpush(l, "1", "2", "3")
    check("LMOVE LEFT RIGHT", r.lmove(l, dst, "LEFT", "RIGHT"), "1")
    check("LMOVE RIGHT LEFT", r.lmove(l, dst, "RIGHT", "LEFT"), "3")
    check("RPOPLPUSH", r.rpoplpush(l, dst), "2")
    check("EXISTS after moving everything", r.exists(l), 0)
    check("LRANGE destination", r.lrange(dst, 0, -1), ["2", "3", "1"])
    check("LMOVE missing", r.lmove(missing, dst), None)
    check("LMOVE rotation", r.lmove(dst, dst, "RIGHT", "LEFT"), "1")
    r.rpush(other, "o1", "o2", "o3")
    check("LMPOP", r.lmpop(3, missing, dst, other, direction="LEFT"), [dst, ["1"]])
    check("LMPOP COUNT", r.lmpop(3, missing, dst, other, direction="RIGHT", count=5), [dst, ["3", "2"]])
    check("LMPOP next key", r.lmpop(2, dst, other, direction="LEFT", count=2), [other, ["o1", "o2"]])
    check("LMPOP nothing", r.lmpop(2, missing, dst, direction="LEFT"), None)

    model = ["e:%d" % i for i in range(1000)]
    check("RPUSH 1000", r.rpush(big, *model), 1000)
    check("LRANGE 1000", r.lrange(big, 0, -1), model)
    check("LINDEX 500", r.lindex(big, 500), "e:500")
    r.lset(big, 700, "set:700")
    model[700] = "set:700"
    check("LINSERT in 1000", r.linsert(big, "BEFORE", "e:300", "inserted"), 1001)
    model.insert(300, "inserted")
    check("LREM in 1000", r.lrem(big, 1, "e:600"), 1)
    model.remove("e:600")
    r.ltrim(big, 100, -101)
    model = model[100:-100]
    check("LRANGE after changes", r.lrange(big, 0, -1), model)
    check("LPOS in 1000", r.lpos(big, "set:700"), model.index("set:700"))

    r.set(text, "x")
    check("LPUSH on a string", error_of(lambda: r.lpush(text, "a")), WRONGTYPE)
    check("LRANGE on a string", error_of(lambda: r.lrange(text, 0, -1)), WRONGTYPE)
    check("LMOVE to a string", error_of(lambda: r.lmove(other, text)), WRONGTYPE)
    check("LRANGE after a failed LMOVE", r.lrange(other, 0, -1), ["o3"])
    check("GET on a list", error_of(lambda: r.get(big)), WRONGTYPE)


def blocked_clients(admin):
    return admin.info("clients")["blocked_clients"]


def await_blocked(admin, n, latest):
    """Waits until INFO shows n blocked clients, the last of them latest (a Blocked); fails if it answered."""
    deadline = time.time() + BLOCK_SECONDS
    while time.time() < deadline:
        if not latest.is_alive():
            failures.append("answered instead of blocking: %r" % (latest.error or latest.result,))
            return False
        if blocked_clients(admin) >= n:
            return True
        time.sleep(0.005)
    failures.append("INFO clients never showed %d blocked client(s)" % n)
    return False


class Blocked(threading.Thread):
    """A call on a connection of its own, on a thread of its own: a client that blocks."""

    def __init__(self, port, call):
        super().__init__(daemon=True)
        self.conn = connect(port)
        self.call = call
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.call(self.conn)
        except Exception as e:  # reported by answer()
            self.error = e
        finally:
            self.conn.close()

    def answer(self, what):
        self.join(BLOCK_SECONDS)
        if self.is_alive():
            failures.append("%s: no answer" % what)
        elif self.error is not None:
            failures.append("%s raised %r" % (what, self.error))
        return self.result


def times_out(what, call):
    started = time.time()
    got = call()
    took = time.time() - started
    check(what, got, None)
    check_true(what + " took a while, not too long", 0.1 <= took < 5, "%.3f s" % took)


def blocking(r, port, p):
    q, q2, dst, text = (p + n for n in ("queue", "queue2", "bdst", "btext"))
    r.delete(q, q2, dst, text)
    r.rpush(q, "ready")
    check("BLPOP with something to pop", r.blpop([q2, q], timeout=1), (q, "ready"))

    a = Blocked(port, lambda c: c.blpop([q2, q], timeout=BLOCK_SECONDS))
    a.start()
    await_blocked(r, 1, a)
    check("RPUSH to a blocked client's key", r.rpush(q, "job-1"), 1)
    check("BLPOP woken by another connection", a.answer("BLPOP"), (q, "job-1"))
    check("EXISTS after the woken pop", r.exists(q), 0)

    first = Blocked(port, lambda c: c.blpop(q, timeout=BLOCK_SECONDS))
    first.start()
    await_blocked(r, 1, first)
    second = Blocked(port, lambda c: c.brpop(q, timeout=BLOCK_SECONDS))
    second.start()
    await_blocked(r, 2, second)
    r.rpush(q, "for-the-first")
    check("first blocked, first served", first.answer("first BLPOP"), (q, "for-the-first"))
    time.sleep(0.1)
    check_true("the second still waits", second.is_alive())
    r.rpush(q, "for-the-second")
    check("then the second", second.answer("second BRPOP"), (q, "for-the-second"))

    move = Blocked(port, lambda c: c.blmove(q, dst, BLOCK_SECONDS, "LEFT", "RIGHT"))
    move.start()
    await_blocked(r, 1, move)
    pipe = r.pipeline(transaction=True)
    pipe.rpush(q, "x")
    pipe.lpop(q)
    pipe.rpush(q, "y", "z")
    check("MULTI/EXEC with pushes", pipe.execute(), [1, "x", 2])
    check("BLMOVE woken by EXEC", move.answer("BLMOVE"), "y")
    check("LRANGE source", r.lrange(q, 0, -1), ["z"])
    check("LRANGE destination", r.lrange(dst, 0, -1), ["y"])
    r.delete(q)

    rpoplpush = Blocked(port, lambda c: c.brpoplpush(q, dst, BLOCK_SECONDS))
    rpoplpush.start()
    await_blocked(r, 1, rpoplpush)
    r.lpush(q, "r1")
    check("BRPOPLPUSH woken", rpoplpush.answer("BRPOPLPUSH"), "r1")
    check("LRANGE destination after BRPOPLPUSH", r.lrange(dst, 0, -1), ["r1", "y"])

    mpop = Blocked(port, lambda c: c.blmpop(BLOCK_SECONDS, 2, q, q2, direction="LEFT", count=2))
    mpop.start()
    await_blocked(r, 1, mpop)
    r.rpush(q2, "a", "b", "c")
    check("BLMPOP woken", mpop.answer("BLMPOP"), [q2, ["a", "b"]])
    check("LRANGE after BLMPOP", r.lrange(q2, 0, -1), ["c"])
    r.delete(q2)

    times_out("BLPOP 0.2", lambda: r.blpop(q, timeout=0.2))
    times_out("BRPOP 0.2", lambda: r.brpop([q, q2], timeout=0.2))
    times_out("BLMOVE 0.2", lambda: r.blmove(q, dst, 0.2))
    times_out("BLMPOP 0.2", lambda: r.blmpop(0.2, 2, q, q2, direction="RIGHT"))
    times_out("BRPOPLPUSH 0.2", lambda: r.brpoplpush(q, dst, 0.2))
    check("no client left blocked", blocked_clients(r), 0)

    r.set(text, "x")
    check("BLPOP on a string", error_of(lambda: r.blpop(text, timeout=BLOCK_SECONDS)), WRONGTYPE)
    check("BLMPOP on a string", error_of(lambda: r.blmpop(BLOCK_SECONDS, 1, text, direction="LEFT")), WRONGTYPE)


def transaction_and_watch(r, other, p):
    l, dst = p + "txlist", p + "txdst"
    r.delete(l, dst)
    pipe = r.pipeline(transaction=True)
    pipe.rpush(l, "a", "b", "c")
    pipe.lmove(l, dst, "LEFT", "RIGHT")
    pipe.lrange(l, 0, -1)
    pipe.llen(dst)
    check("MULTI/EXEC", pipe.execute(), [3, "a", ["b", "c"], 1])

    with r.pipeline() as pipe:
        pipe.watch(l)
        check("RPUSH from another connection", other.rpush(l, "d"), 3)
        pipe.multi()
        pipe.lpop(l)
        pipe.rpush(dst, "from-aborted")
        try:
            pipe.execute()
            failures.append("EXEC after a conflicting push to a watched list did not abort")
        except redis.WatchError:
            pass
    check("LRANGE after aborted EXEC", r.lrange(l, 0, -1), ["b", "c", "d"])
    check("LRANGE destination after aborted EXEC", r.lrange(dst, 0, -1), ["a"])

    with r.pipeline() as pipe:
        pipe.watch(l)
        other.rpush(dst, "unrelated")
        pipe.multi()
        pipe.rpop(l)
        pipe.llen(l)
        check("EXEC with an untouched watched list", pipe.execute(), ["d", 2])


def main():
    port = int(sys.argv[1])
    p = "redis-py:lists:"
    print("redis-py %s against 127.0.0.1:%d (RESP2)" % (redis.__version__, port))
    r = connect(port)
    other = connect(port)
    check("PING", r.ping(), True)
    steps = [("lists", lambda: lists(r, p)), ("blocking pops", lambda: blocking(r, port, p)),
             ("transaction and watch", lambda: transaction_and_watch(r, other, p))]
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
