"""pymemcache (Debian: python3-pymemcache) against qrrot's memcached text protocol, and redis-py (python3-redis)
on the same keyspace.

Usage: memcached_pymemcache.py MEMCACHED_PORT REDIS_PORT PREFIX

MEMCACHED_PORT may be the memcached port or the main (Redis) port, where the server detects memcached clients by
their first line. Exits 0 only when every check held; each failed check is printed with what was expected and
what came back. The script flushes the whole database (flush_all): run it alone against the server.
"""
import pickle
import sys

import redis
from pymemcache import serde
from pymemcache.client.base import Client

MC_PORT = int(sys.argv[1])
REDIS_PORT = int(sys.argv[2])
P = sys.argv[3]

failures = []


def check(what, expected, actual):
    if expected != actual:
        failures.append("%s: expected %r, got %r" % (what, expected, actual))


class Recording(object):
    """pymemcache's pickle serde, but deserialize returns (value, flags) so the flags can be checked."""

    def serialize(self, key, value):
        return serde.pickle_serde.serialize(key, value)

    def deserialize(self, key, value, flags):
        return (serde.pickle_serde.deserialize(key, value, flags), flags)


def k(name):
    return P + name


mc = Client(("127.0.0.1", MC_PORT), serde=Recording(), default_noreply=False, connect_timeout=5, timeout=10)
raw = Client(("127.0.0.1", MC_PORT), default_noreply=False, connect_timeout=5, timeout=10)
r = redis.Redis(host="127.0.0.1", port=REDIS_PORT, socket_timeout=10)

# version
v = mc.version()
check("version", b"1.6.18", v)

# flush_all empties everything
check("flush_all", True, mc.flush_all())
check("get after flush_all", None, mc.get(k("nothing")))

# set/get with the pickle serde's flags: bytes 0, pickle 1, int 2, str (text) 16
check("set bytes", True, mc.set(k("b"), b"raw\x00\r\nbytes"))
check("set str", True, mc.set(k("s"), u"h\u00e9llo"))
check("set int", True, mc.set(k("i"), 42))
obj = {"a": [1, 2, 3], "b": {"nested": True}, "c": u"\u2603", "d": None, "e": 1.5}
check("set dict", True, mc.set(k("d"), obj))
check("get bytes", (b"raw\x00\r\nbytes", serde.FLAG_BYTES), mc.get(k("b")))
check("get str", (u"h\u00e9llo", serde.FLAG_TEXT), mc.get(k("s")))
check("get int", (42, serde.FLAG_INTEGER), mc.get(k("i")))
check("get dict", (obj, serde.FLAG_PICKLE), mc.get(k("d")))
check("get dict raw bytes", pickle.dumps(obj, serde.DEFAULT_PICKLE_VERSION), raw.get(k("d")))
check("get missing", None, mc.get(k("missing")))

# set_many / get_many
check("set_many failed keys", [], mc.set_many({k("m1"): b"one", k("m2"): 2, k("m3"): u"three"}))
check("get_many", {k("m1"): (b"one", 0), k("m2"): (2, serde.FLAG_INTEGER), k("m3"): (u"three", serde.FLAG_TEXT)},
      mc.get_many([k("m1"), k("m2"), k("m3"), k("m-missing")]))
check("delete_many", True, mc.delete_many([k("m1"), k("m2")]))
check("get_many after delete_many", {k("m3"): (u"three", serde.FLAG_TEXT)},
      mc.get_many([k("m1"), k("m2"), k("m3")]))

# add / replace / append / prepend
check("add new", True, mc.add(k("a"), b"first"))
check("add existing", False, mc.add(k("a"), b"second"))
check("get after add", (b"first", 0), mc.get(k("a")))
check("replace existing", True, mc.replace(k("a"), u"replaced"))
check("get after replace", (u"replaced", serde.FLAG_TEXT), mc.get(k("a")))
check("replace missing", False, mc.replace(k("r-missing"), b"x"))
check("get replace missing", None, mc.get(k("r-missing")))
check("append", True, mc.append(k("a"), b"-tail"))
check("prepend", True, mc.prepend(k("a"), b"head-"))
# append and prepend keep the item's flags (16: text)
check("get after append/prepend", (u"head-replaced-tail", serde.FLAG_TEXT), mc.get(k("a")))
check("append missing", False, mc.append(k("ap-missing"), b"x"))
check("prepend missing", False, mc.prepend(k("ap-missing"), b"x"))
check("get ap-missing", None, mc.get(k("ap-missing")))

# cas via gets
mc.set(k("c"), b"v1")
value, cas = mc.gets(k("c"))
check("gets value", (b"v1", 0), value)
check("gets cas is a number", True, cas is not None and cas.isdigit())
check("cas with the right unique", True, mc.cas(k("c"), b"v2", cas))
check("get after cas", (b"v2", 0), mc.get(k("c")))
check("cas with a stale unique", False, mc.cas(k("c"), b"v3", cas))
check("get after stale cas", (b"v2", 0), mc.get(k("c")))
value2, cas2 = mc.gets(k("c"))
check("gets after cas: new unique", True, cas2 != cas and int(cas2) > int(cas))
check("cas missing key", None, mc.cas(k("c-missing"), b"v", cas2))
check("gets missing", (None, None), mc.gets(k("c-missing")))
many = mc.gets_many([k("c"), k("a"), k("gm-missing")])
check("gets_many keys", sorted([k("c"), k("a")]), sorted(many.keys()))
check("gets_many c", ((b"v2", 0), cas2), many.get(k("c")))

# incr / decr
mc.set(k("n"), 10)
check("incr", 15, mc.incr(k("n"), 5))
check("decr", 12, mc.decr(k("n"), 3))
check("decr stops at 0", 0, mc.decr(k("n"), 100))
check("incr missing", None, mc.incr(k("n-missing"), 1))
check("decr missing", None, mc.decr(k("n-missing"), 1))
check("get after incr/decr: flags kept (2: int)", (0, serde.FLAG_INTEGER), mc.get(k("n")))
mc.set(k("big"), b"18446744073709551615")
check("incr wraps at 2^64", 1, mc.incr(k("big"), 2))
mc.set(k("nan"), b"not a number")
try:
    mc.incr(k("nan"), 1)
    failures.append("incr on a non-number: expected a client error, got none")
except Exception as e:  # MemcacheClientError
    msg = e.args[0] if e.args else e
    if isinstance(msg, bytes):
        msg = msg.decode("latin-1")
    check("incr on a non-number", "cannot increment or decrement non-numeric value", str(msg).strip())

# touch
check("touch existing", True, mc.touch(k("c"), 100))
check("touch missing", False, mc.touch(k("t-missing"), 100))
check("get after touch", (b"v2", 0), mc.get(k("c")))
check("redis TTL after touch", True, 90 <= r.ttl(k("c")) <= 100)
check("touch 0 clears the expiry", True, mc.touch(k("c"), 0))
check("redis TTL after touch 0", -1, r.ttl(k("c")))

# delete
check("delete existing", True, mc.delete(k("c")))
check("delete missing", False, mc.delete(k("c")))
check("get after delete", None, mc.get(k("c")))

# stats: what the requests below did, as differences (flush_all leaves the counters alone, as memcached does)
mc.set(k("st"), b"x")
before = raw.stats()


def stat(stats, name):
    return stats.get(name.encode(), stats.get(name))


for name in ["cmd_get", "get_hits", "get_misses", "cmd_set", "cmd_touch", "touch_hits", "touch_misses",
             "delete_hits", "delete_misses", "incr_hits", "incr_misses", "decr_hits", "decr_misses", "cas_hits",
             "cas_misses", "cas_badval", "cmd_flush", "curr_items", "pid", "uptime", "version"]:
    check("stats has " + name, True, stat(before, name) is not None)
raw.get(k("st"))                       # hit
raw.get_many([k("st"), k("nope1"), k("nope2")])  # 1 hit, 2 misses
raw.set(k("st2"), b"5")                  # set
raw.incr(k("st2"), 1)                    # incr hit
raw.incr(k("nope3"), 1)                  # incr miss
raw.decr(k("nope3"), 1)                  # decr miss
raw.touch(k("st"), 0)                    # touch hit
raw.touch(k("nope4"), 0)                 # touch miss
raw.delete(k("st2"))                     # delete hit
raw.delete(k("nope5"))                   # delete miss
_, c1 = raw.gets(k("st"))                # hit
raw.cas(k("st"), b"y", c1)               # cas hit (a set)
raw.cas(k("st"), b"z", c1)               # cas badval (a set)
raw.cas(k("nope6"), b"z", c1)            # cas miss (a set)
raw.flush_all()
after = raw.stats()
expected = {"cmd_get": 5, "get_hits": 3, "get_misses": 2, "cmd_set": 4, "cmd_touch": 2, "touch_hits": 1,
            "touch_misses": 1, "delete_hits": 1, "delete_misses": 1, "incr_hits": 1, "incr_misses": 1,
            "decr_hits": 0, "decr_misses": 1, "cas_hits": 1, "cas_badval": 1, "cas_misses": 1, "cmd_flush": 1}
for name, delta in expected.items():
    b, a = stat(before, name), stat(after, name)
    check("stats %s difference (before %r, after %r)" % (name, b, a), delta,
          None if a is None or b is None else a - b)
# flush_all empties the keyspace at once here (a FLUSHALL); memcached only marks its items invalid and counts
# them in curr_items until they are reclaimed
check("stats curr_items after flush_all", 0, stat(after, "curr_items"))
check("stats version", b"1.6.18", stat(after, "version"))

# noreply (pymemcache's default): nothing comes back, the writes still happen, in order
quiet = Client(("127.0.0.1", MC_PORT), connect_timeout=5, timeout=10)
for i in range(100):
    quiet.set(k("nr%d" % i), str(i))
quiet.set_many({k("nr-a"): "a", k("nr-b"): "b"})
quiet.incr(k("nr5"), 10)
quiet.decr(k("nr9"), 3)
quiet.delete(k("nr6"))
quiet.append(k("nr7"), "x")
quiet.prepend(k("nr7"), "y")
quiet.add(k("nr8"), "not stored")
quiet.replace(k("nr-missing"), "not stored")
check("noreply writes then a get", {k("nr5"): b"15", k("nr9"): b"6", k("nr7"): b"y7x", k("nr8"): b"8",
                                     k("nr-a"): b"a", k("nr-b"): b"b", k("nr99"): b"99"},
      quiet.get_many([k(n) for n in ("nr5", "nr9", "nr6", "nr7", "nr8", "nr-a", "nr-b", "nr99", "nr-missing")]))
quiet.close()

# the same keyspace as Redis clients
check("set by pymemcache", True, mc.set(k("x1"), u"from memcached"))
check("redis GET of a memcached item", b"from memcached", r.get(k("x1")))
check("redis TYPE of a memcached item", b"string", r.type(k("x1")))
check("redis STRLEN of a memcached item", len(b"from memcached"), r.strlen(k("x1")))
check("redis SET", True, r.set(k("x2"), b"from redis"))
check("memcached get of a Redis string: flags 0", (b"from redis", 0), mc.get(k("x2")))
check("redis SET over a memcached item", True, r.set(k("x1"), b"overwritten"))
check("memcached get after Redis SET: flags back to 0", (b"overwritten", 0), mc.get(k("x1")))
r.set(k("x3"), 7)
check("memcached incr of a Redis int", 8, mc.incr(k("x3"), 1))
check("redis GET after memcached incr", b"8", r.get(k("x3")))
check("redis INCR after memcached incr", 9, r.incr(k("x3")))
check("memcached get of a Redis int", (b"9", 0), mc.get(k("x3")))
r.rpush(k("list"), b"a")
check("memcached get of a Redis list: a miss", None, mc.get(k("list")))
check("memcached add over a Redis list", False, mc.add(k("list"), b"v"))
check("memcached delete of a Redis key", True, mc.delete(k("list")))
check("redis EXISTS after memcached delete", 0, r.exists(k("list")))

mc.close()
raw.close()
if failures:
    print("%d check(s) failed:" % len(failures))
    for f in failures:
        print("  " + f)
    sys.exit(1)
print("ok")
