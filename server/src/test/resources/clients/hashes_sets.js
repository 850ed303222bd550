// Hashes, sets, a transaction, WATCH and Pub/Sub through ioredis (RESP2) against a server on 127.0.0.1.
//
// Usage: node hashes_sets.js PORT   (ioredis must be resolvable, e.g. through NODE_PATH)
// Exits 0 when every check holds; otherwise prints each failed check and exits 1 (2 on an unexpected error).
"use strict";

const assert = require("assert");
const Redis = require("ioredis");

const port = Number(process.argv[2]);
const failures = [];
const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

function check(what, got, expected) {
  try {
    assert.deepStrictEqual(got, expected);
  } catch (e) {
    failures.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  }
}

function checkTrue(what, condition, detail) {
  if (!condition) {
    failures.push(what + (detail ? ": " + detail : ""));
  }
}

const sorted = (xs) => [...xs].sort();
const distinct = (xs) => new Set(xs).size;

async function errorOf(promise) {
  try {
    await promise;
  } catch (e) {
    return e.message;
  }
  return null;
}

function connect(name) {
  return new Redis({ host: "127.0.0.1", port, connectionName: name, maxRetriesPerRequest: 0,
    retryStrategy: () => null, commandTimeout: 10000, lazyConnect: true });
}

async function hashes(r, p) {
  const h = p + "hash";
  await r.del(h);
  check("HSET object", await r.hset(h, { a: "1", b: "two", c: "three" }), 3);
  check("HSET overwrite", await r.hset(h, { a: "one", d: "4" }), 1);
  check("HSET field value", await r.hset(h, "d", "four"), 0);
  check("HGET", await r.hget(h, "a"), "one");
  check("HGET missing", await r.hget(h, "missing"), null);
  check("HMGET", await r.hmget(h, "a", "missing", "d"), ["one", null, "four"]);
  check("HGETALL", await r.hgetall(h), { a: "one", b: "two", c: "three", d: "four" });
  check("HGETALL missing", await r.hgetall(h + ":missing"), {});
  check("HLEN", await r.hlen(h), 4);
  check("HEXISTS", await r.hexists(h, "b"), 1);
  check("HEXISTS missing", await r.hexists(h, "missing"), 0);
  check("HKEYS", sorted(await r.hkeys(h)), ["a", "b", "c", "d"]);
  check("HVALS", sorted(await r.hvals(h)), ["four", "one", "three", "two"]);
  check("HSTRLEN", await r.hstrlen(h, "c"), 5);
  check("HSTRLEN missing", await r.hstrlen(h, "missing"), 0);
  check("HSETNX existing", await r.hsetnx(h, "a", "not set"), 0);
  check("HSETNX new", await r.hsetnx(h, "e", "five"), 1);
  check("HMSET", await r.hmset(h, { f: "six" }), "OK");
  check("HINCRBY", await r.hincrby(h, "n", 5), 5);
  check("HINCRBY negative", await r.hincrby(h, "n", -7), -2);
  check("HINCRBYFLOAT", await r.hincrbyfloat(h, "x", 10.5), "10.5");
  check("HINCRBYFLOAT again", await r.hincrbyfloat(h, "x", 0.1), "10.6");
  check("HINCRBY on text", await errorOf(r.hincrby(h, "a", 1)), "ERR hash value is not an integer");
  check("SADD on a hash", await errorOf(r.sadd(h, "m")), WRONGTYPE);

  const every = await r.hgetall(h);
  check("HGETALL after updates", every,
    { a: "one", b: "two", c: "three", d: "four", e: "five", f: "six", n: "-2", x: "10.6" });
  const fields = Object.keys(every);
  checkTrue("HRANDFIELD", fields.includes(await r.hrandfield(h)));
  const three = await r.hrandfield(h, 3);
  check("HRANDFIELD 3 distinct", distinct(three), 3);
  checkTrue("HRANDFIELD 3 fields", three.every((f) => fields.includes(f)), JSON.stringify(three));
  const repeats = await r.hrandfield(h, -20);
  check("HRANDFIELD -20 length", repeats.length, 20);
  checkTrue("HRANDFIELD -20 fields", repeats.every((f) => fields.includes(f)), JSON.stringify(repeats));
  let flat = await r.hrandfield(h, 3, "WITHVALUES");
  check("HRANDFIELD 3 WITHVALUES length", flat.length, 6);
  for (let i = 0; i < flat.length; i += 2) {
    check("HRANDFIELD WITHVALUES " + flat[i], every[flat[i]], flat[i + 1]);
  }
  flat = await r.hrandfield(h, 50, "WITHVALUES");
  const pairs = {};
  for (let i = 0; i < flat.length; i += 2) {
    pairs[flat[i]] = flat[i + 1];
  }
  check("HRANDFIELD 50 WITHVALUES", pairs, every);
  check("HRANDFIELD missing", await r.hrandfield(h + ":missing"), null);

  check("HDEL", await r.hdel(h, "a", "b", "missing"), 2);
  check("HDEL rest", await r.hdel(h, "c", "d", "e", "f", "n", "x"), 6);
  check("EXISTS after HDEL of every field", await r.exists(h), 0);
  check("TYPE after HDEL of every field", await r.type(h), "none");

  const big = p + "bighash";
  await r.del(big);
  const expected = {};
  for (let i = 0; i < 1000; i++) {
    expected["field:" + i] = "value:" + i;
  }
  check("HSET 1000", await r.hset(big, expected), 1000);
  const seen = {};
  let cursor = "0";
  let calls = 0;
  do {
    const [next, page] = await r.hscan(big, cursor, "COUNT", 100);
    calls++;
    for (let i = 0; i < page.length; i += 2) {
      checkTrue("HSCAN value of " + page[i], seen[page[i]] === undefined || seen[page[i]] === page[i + 1]);
      seen[page[i]] = page[i + 1];
    }
    cursor = next;
  } while (cursor !== "0");
  check("HSCAN fields", seen, expected);
  checkTrue("HSCAN took several calls", calls > 1, calls + " call(s)");
  const streamed = {};
  await new Promise((resolve, reject) => {
    const stream = r.hscanStream(big, { match: "field:99*", count: 100 });
    stream.on("data", (page) => {
      for (let i = 0; i < page.length; i += 2) {
        streamed[page[i]] = page[i + 1];
      }
    });
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  const expected99 = {};
  for (const f of Object.keys(expected).filter((f) => f.startsWith("field:99"))) {
    expected99[f] = expected[f];
  }
  check("hscanStream MATCH", streamed, expected99);
  await r.del(big);
}

async function sets(r, p) {
  const [s, s2, ints, x, y, z, dst] = ["set", "s2", "ints", "x", "y", "z", "dst"].map((n) => p + n);
  await r.del(s, s2, ints, x, y, z, dst);
  check("SADD", await r.sadd(s, "a", "b", "c"), 3);
  check("SADD again", await r.sadd(s, "c", "d"), 1);
  check("SREM", await r.srem(s, "a", "missing"), 1);
  check("SMEMBERS", sorted(await r.smembers(s)), ["b", "c", "d"]);
  check("SMEMBERS missing", await r.smembers(s + ":missing"), []);
  check("SISMEMBER", await r.sismember(s, "b"), 1);
  check("SISMEMBER not", await r.sismember(s, "a"), 0);
  check("SMISMEMBER", await r.smismember(s, "b", "a", "d"), [1, 0, 1]);
  check("SCARD", await r.scard(s), 3);
  check("HGET on a set", await errorOf(r.hget(s, "b")), WRONGTYPE);

  const bcd = ["b", "c", "d"];
  checkTrue("SRANDMEMBER", bcd.includes(await r.srandmember(s)));
  const two = await r.srandmember(s, 2);
  check("SRANDMEMBER 2 distinct", distinct(two), 2);
  checkTrue("SRANDMEMBER 2 members", two.every((m) => bcd.includes(m)), JSON.stringify(two));
  const repeats = await r.srandmember(s, -7);
  check("SRANDMEMBER -7 length", repeats.length, 7);
  checkTrue("SRANDMEMBER -7 members", repeats.every((m) => bcd.includes(m)), JSON.stringify(repeats));
  check("SRANDMEMBER missing", await r.srandmember(s + ":missing"), null);

  check("SMOVE", await r.smove(s, s2, "b"), 1);
  check("SMOVE missing member", await r.smove(s, s2, "missing"), 0);
  check("SMEMBERS source", sorted(await r.smembers(s)), ["c", "d"]);
  check("SMEMBERS destination", await r.smembers(s2), ["b"]);

  const ten = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
  check("SADD ints", await r.sadd(ints, ...ten), 10);
  const popped = await r.spop(ints, 3);
  check("SPOP 3 distinct", distinct(popped), 3);
  check("SCARD after SPOP", await r.scard(ints), 7);
  const rest = await r.smembers(ints);
  check("SPOP leaves the rest", sorted([...rest, ...popped]), sorted(ten));
  check("SPOP all", (await r.spop(ints, 100)).length, 7);
  check("EXISTS after SPOP all", await r.exists(ints), 0);
  check("SPOP missing", await r.spop(ints), null);

  await r.sadd(x, "1", "2", "3", "a");
  await r.sadd(y, "2", "3", "4");
  await r.sadd(z, "3", "a", "b");
  check("SINTER", sorted(await r.sinter(x, y)), ["2", "3"]);
  check("SINTER 3", await r.sinter(x, y, z), ["3"]);
  check("SUNION", sorted(await r.sunion(x, y)), ["1", "2", "3", "4", "a"]);
  check("SDIFF", sorted(await r.sdiff(x, y)), ["1", "a"]);
  check("SDIFF 3", await r.sdiff(x, y, z), ["1"]);
  check("SINTERCARD", await r.sintercard(2, x, y), 2);
  check("SINTERCARD LIMIT", await r.sintercard(2, x, y, "LIMIT", 1), 1);
  check("SINTERSTORE", await r.sinterstore(dst, x, y), 2);
  check("SINTERSTORE result", sorted(await r.smembers(dst)), ["2", "3"]);
  check("SUNIONSTORE", await r.sunionstore(dst, x, y, z), 6);
  check("SUNIONSTORE result", sorted(await r.smembers(dst)), ["1", "2", "3", "4", "a", "b"]);
  check("SDIFFSTORE", await r.sdiffstore(dst, x, y), 2);
  check("SDIFFSTORE result", sorted(await r.smembers(dst)), ["1", "a"]);
  check("SINTERSTORE empty", await r.sinterstore(dst, x, p + "missing"), 0);
  check("EXISTS after empty store", await r.exists(dst), 0);

  const big = p + "bigset";
  await r.del(big);
  const expected = [];
  for (let i = 0; i < 1000; i++) {
    expected.push("member:" + i);
  }
  check("SADD 1000", await r.sadd(big, ...expected), 1000);
  const seen = new Set();
  let cursor = "0";
  let calls = 0;
  do {
    const [next, page] = await r.sscan(big, cursor, "COUNT", 100);
    calls++;
    page.forEach((m) => seen.add(m));
    cursor = next;
  } while (cursor !== "0");
  check("SSCAN members", sorted(seen), sorted(expected));
  checkTrue("SSCAN took several calls", calls > 1, calls + " call(s)");
  const streamed = new Set();
  await new Promise((resolve, reject) => {
    const stream = r.sscanStream(big, { count: 100 });
    stream.on("data", (page) => page.forEach((m) => streamed.add(m)));
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  check("sscanStream", sorted(streamed), sorted(expected));
  await r.del(big);
}

async function transactionAndWatch(r, other, p) {
  const [h, s, s2] = [p + "txhash", p + "txset", p + "txset2"];
  await r.del(h, s, s2);
  const results = await r.multi()
    .hset(h, { a: "1", b: "2" })
    .sadd(s, "x", "y", "z")
    .hincrby(h, "a", 10)
    .hset(h, "t", "text")
    .hincrby(h, "t", 1)
    .smove(s, s2, "x")
    .hgetall(h)
    .scard(s2)
    .exec();
  check("EXEC length", results.length, 8);
  check("EXEC replies", results.filter((_, i) => i !== 4),
    [[null, 2], [null, 3], [null, 11], [null, 1], [null, 1], [null, { a: "11", b: "2", t: "text" }], [null, 1]]);
  check("EXEC error in its place", results[4] && results[4][0] && results[4][0].message,
    "ERR hash value is not an integer");
  check("SMEMBERS after EXEC", sorted(await r.smembers(s)), ["y", "z"]);

  check("WATCH", await r.watch(h), "OK");
  check("HINCRBY from another connection", await other.hincrby(h, "a", 1), 12);
  const aborted = await r.multi().hset(h, "a", "mine").sadd(s, "from-aborted").exec();
  check("EXEC after a conflicting write to a watched hash", aborted, null);
  check("HGET after aborted EXEC", await r.hget(h, "a"), "12");
  check("SISMEMBER after aborted EXEC", await r.sismember(s, "from-aborted"), 0);

  check("WATCH again", await r.watch(h), "OK");
  await other.sadd(s, "unrelated");
  const ok = await r.multi().hset(h, "a", "2").hget(h, "a").exec();
  check("EXEC with an untouched watched hash", ok, [[null, 0], [null, "2"]]);
}

async function pubsub(p) {
  const sub = connect("ioredis-sub");
  const pub = connect("ioredis-pub");
  await sub.connect();
  await pub.connect();
  const channel = p + "channel";
  const received = [];
  let wake = null;
  const arrived = () => { if (wake) { const w = wake; wake = null; w(); } };
  sub.on("message", (ch, message) => { received.push(["message", ch, message]); arrived(); });
  sub.on("pmessage", (pattern, ch, message) => { received.push(["pmessage", pattern, ch, message]); arrived(); });
  async function next(what) {
    if (received.length === 0) {
      await new Promise((resolve) => {
        const timer = setTimeout(() => { wake = null; resolve(); }, 5000);
        wake = () => { clearTimeout(timer); resolve(); };
      });
    }
    if (received.length === 0) {
      failures.push("no message: " + what);
      return null;
    }
    return received.shift();
  }

  check("SUBSCRIBE", await sub.subscribe(channel), 1);
  check("PSUBSCRIBE", await sub.psubscribe(p + "news.*"), 2);
  check("PUBSUB NUMSUB", await pub.pubsub("NUMSUB", channel), [channel, 1]);
  check("PUBLISH receivers", await pub.publish(channel, "hello from ioredis"), 1);
  check("message", await next("message"), ["message", channel, "hello from ioredis"]);
  check("PUBLISH to the pattern", await pub.publish(p + "news.sport", "goal"), 1);
  check("pmessage", await next("pmessage"), ["pmessage", p + "news.*", p + "news.sport", "goal"]);
  check("PUBLISH to nobody", await pub.publish(p + "nobody", "x"), 0);
  check("UNSUBSCRIBE", await sub.unsubscribe(channel), 1);
  check("PUNSUBSCRIBE", await sub.punsubscribe(), 0);
  check("PUBLISH after unsubscribe", await pub.publish(channel, "late"), 0);
  check("commands again after leaving subscribed mode", await sub.ping(), "PONG");
  sub.disconnect();
  pub.disconnect();
}

async function sortedSets(r, p) {
  const [z, other, dst, big] = ["zset", "zother", "zdst", "zbig"].map((n) => p + n);
  await r.del(z, other, dst, big);
  check("ZADD", await r.zadd(z, 10, "ann", 20, "bob", 15.5, "cy"), 3);
  check("ZADD GT CH", await r.zadd(z, "GT", "CH", 12, "ann"), 1);
  check("ZSCORE", await r.zscore(z, "ann"), "12");
  check("ZSCORE missing", await r.zscore(z, "nobody"), null);
  check("ZINCRBY", await r.zincrby(z, 10, "cy"), "25.5");
  check("ZRANGE WITHSCORES", await r.zrange(z, 0, -1, "WITHSCORES"), ["ann", "12", "bob", "20", "cy", "25.5"]);
  check("ZRANGEBYSCORE", await r.zrangebyscore(z, "(12", "+inf"), ["bob", "cy"]);
  check("ZRANGE BYSCORE REV LIMIT", await r.zrange(z, "+inf", 0, "BYSCORE", "REV", "LIMIT", 0, 1), ["cy"]);
  check("ZRANK", await r.zrank(z, "bob"), 1);
  check("ZCOUNT", await r.zcount(z, 13, 30), 2);
  await r.zadd(other, 1, "ann", 2, "dan");
  check("ZUNIONSTORE", await r.zunionstore(dst, 2, z, other, "WEIGHTS", 2, 1), 4);
  check("ZRANGE dst", await r.zrange(dst, 0, -1, "WITHSCORES"), ["dan", "2", "ann", "25", "bob", "40", "cy", "51"]);
  check("ZPOPMIN", await r.zpopmin(z), ["ann", "12"]);
  check("ZMPOP", await r.zmpop(2, p + "missing", z, "MAX", "COUNT", 5), [z, [["cy", "25.5"], ["bob", "20"]]]);
  check("emptied", await r.exists(z), 0);
  const args = [];
  for (let i = 0; i < 1000; i++) {
    args.push(i % 100, "member:" + i);
  }
  check("ZADD many", await r.zadd(big, ...args), 1000);
  check("OBJECT ENCODING", await r.object("ENCODING", big), "skiplist");
  check("ZRANK tie", await r.zrank(big, "member:500"), 5);
  const seen = new Set();
  let cursor = "0";
  do {
    const [next, flat] = await r.zscan(big, cursor, "COUNT", 100);
    for (let i = 0; i < flat.length; i += 2) {
      seen.add(flat[i]);
    }
    cursor = next;
  } while (cursor !== "0");
  check("ZSCAN", seen.size, 1000);
  check("HGET on a zset", await errorOf(r.hget(big, "x")), WRONGTYPE);
}

async function main() {
  const p = "ioredis:";
  const version = require("ioredis/package.json").version;
  console.log(`ioredis ${version} on node ${process.version} against 127.0.0.1:${port} (RESP2)`);
  const r = connect("ioredis-main");
  const other = connect("ioredis-other");
  await r.connect();
  await other.connect();
  check("PING", await r.ping(), "PONG");
  const steps = [["hashes", () => hashes(r, p)], ["sets", () => sets(r, p)],
    ["sorted sets", () => sortedSets(r, p)],
    ["transaction and watch", () => transactionAndWatch(r, other, p)], ["pub/sub", () => pubsub(p)]];
  for (const [name, step] of steps) {
    const before = failures.length;
    try {
      await step();
    } catch (e) {
      failures.push(`${name} threw: ${e && e.stack ? e.stack : e}`);
    }
    console.log(`${name}: ${failures.length === before ? "ok" : "FAILED"}`);
  }
  r.disconnect();
  other.disconnect();
  if (failures.length > 0) {
    console.log(`${failures.length} failed check(s):`);
    failures.forEach((f) => console.log("  " + f));
    return 1;
  }
  console.log("all checks passed");
  return 0;
}

main().then((code) => process.exit(code), (e) => {
  console.log("unexpected error: " + (e && e.stack ? e.stack : e));
  process.exit(2);
});
