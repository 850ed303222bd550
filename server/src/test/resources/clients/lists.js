// Lists, their blocking pops, a transaction and WATCH on a list through ioredis (RESP2) against a server on
// 127.0.0.1.
//
// Usage: node lists.js PORT   (ioredis must be resolvable, e.g. through NODE_PATH)
// Exits 0 when every check holds; otherwise prints each failed check and exits 1 (2 on an unexpected error).
"use strict";

const assert = require("assert");
const Redis = require("ioredis");

const port = Number(process.argv[2]);
const failures = [];
const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
// How long a blocked client may wait for the push that wakes it; far more than it needs.
const BLOCK_SECONDS = 10;

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

async function errorOf(promise) {
  try {
    await promise;
  } catch (e) {
    return e.message;
  }
  return null;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(name) {
  return new Redis({ host: "127.0.0.1", port, connectionName: name, maxRetriesPerRequest: 0,
    retryStrategy: () => null, commandTimeout: 30000, lazyConnect: true });
}

async function lists(r, p) {
  const [l, dst, other, missing, big, text] = ["list", "dst", "other", "missing", "big", "text"].map((n) => p + n);
  await r.del(l, dst, other, missing, big, text);
  check("LPUSH", await r.lpush(l, "a", "b", "c"), 3);
  check("RPUSH", await r.rpush(l, "d", "e"), 5);
  check("LRANGE", await r.lrange(l, 0, -1), ["c", "b", "a", "d", "e"]);
  check("LPUSHX missing", await r.lpushx(missing, "x"), 0);
  check("RPUSHX missing", await r.rpushx(missing, "x"), 0);
  check("EXISTS after LPUSHX and RPUSHX", await r.exists(missing), 0);
  check("LPUSHX", await r.lpushx(l, "z"), 6);
  check("RPUSHX", await r.rpushx(l, "y1", "y2"), 8);
  check("LLEN", await r.llen(l), 8);
  check("LLEN missing", await r.llen(missing), 0);
  check("TYPE", await r.type(l), "list");

  check("LPOP", await r.lpop(l), "z");
  check("LPOP 2", await r.lpop(l, 2), ["c", "b"]);
  check("RPOP", await r.rpop(l), "y2");
  check("RPOP 2", await r.rpop(l, 2), ["y1", "e"]);
  check("LPOP 0", await r.lpop(l, 0), []);
  check("LPOP missing", await r.lpop(missing), null);
  check("LPOP missing 2", await r.lpop(missing, 2), null);
  check("RPOP past the length", await r.rpop(l, 10), ["d", "a"]);
  check("EXISTS after popping everything", await r.exists(l), 0);

  await r.rpush(l, "a", "b", "c", "d", "e");
  check("LRANGE 1 3", await r.lrange(l, 1, 3), ["b", "c", "d"]);
  check("LRANGE -2 100", await r.lrange(l, -2, 100), ["d", "e"]);
  check("LINDEX", await r.lindex(l, 0), "a");
  check("LINDEX -1", await r.lindex(l, -1), "e");
  check("LINDEX out of range", await r.lindex(l, 5), null);
  check("LSET", await r.lset(l, 1, "B"), "OK");
  check("LSET out of range", await errorOf(r.lset(l, 5, "x")), "ERR index out of range");
  check("LSET missing", await errorOf(r.lset(missing, 0, "x")), "ERR no such key");
  check("LINSERT BEFORE", await r.linsert(l, "BEFORE", "c", "before-c"), 6);
  check("LINSERT AFTER", await r.linsert(l, "AFTER", "e", "after-e"), 7);
  check("LINSERT no pivot", await r.linsert(l, "AFTER", "no-such-pivot", "x"), -1);
  check("LINSERT missing", await r.linsert(missing, "BEFORE", "a", "x"), 0);
  check("LRANGE after LSET and LINSERT", await r.lrange(l, 0, -1), ["a", "B", "before-c", "c", "d", "e", "after-e"]);

  await r.del(l);
  await r.rpush(l, "x", "a", "x", "b", "x", "c", "x");
  check("LREM 2", await r.lrem(l, 2, "x"), 2);
  check("LREM -1", await r.lrem(l, -1, "x"), 1);
  check("LRANGE after LREM", await r.lrange(l, 0, -1), ["a", "b", "x", "c"]);
  check("LREM 0", await r.lrem(l, 0, "x"), 1);
  await r.rpush(l, "d", "e", "f");
  check("LTRIM", await r.ltrim(l, 1, -2), "OK");
  check("LRANGE after LTRIM", await r.lrange(l, 0, -1), ["b", "c", "d", "e"]);
  check("LTRIM to nothing", await r.ltrim(l, 2, 1), "OK");
  check("EXISTS after LTRIM to nothing", await r.exists(l), 0);

  await r.rpush(l, "a", "b", "c", "1", "2", "3", "c", "b", "a", "c");
  check("LPOS", await r.lpos(l, "c"), 2);
  check("LPOS none", await r.lpos(l, "nothing"), null);
  check("LPOS RANK 2", await r.lpos(l, "c", "RANK", 2), 6);
  check("LPOS RANK -1", await r.lpos(l, "c", "RANK", -1), 9);
  check("LPOS COUNT 0", await r.lpos(l, "c", "COUNT", 0), [2, 6, 9]);
  check("LPOS RANK -1 COUNT 2", await r.lpos(l, "c", "RANK", -1, "COUNT", 2), [9, 6]);
  check("LPOS COUNT 0 MAXLEN 5", await r.lpos(l, "c", "COUNT", 0, "MAXLEN", 5), [2]);
  check("LPOS COUNT none", await r.lpos(l, "nothing", "COUNT", 3), []);
  check("LPOS RANK 0", await errorOf(r.lpos(l, "c", "RANK", 0)),
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start "
    + "from the end of the list");

  await r.del(l);
  await r.rpush(l, "1", "2", "3");
  check("LMOVE LEFT RIGHT", await r.lmove(l, dst, "LEFT", "RIGHT"), "1");
  check("LMOVE RIGHT LEFT", await r.lmove(l, dst, "RIGHT", "LEFT"), "3");
  check("RPOPLPUSH", await r.rpoplpush(l, dst), "2");
  check("EXISTS after moving everything", await r.exists(l), 0);
  check("LRANGE destination", await r.lrange(dst, 0, -1), ["2", "3", "1"]);
  check("LMOVE missing", await r.lmove(missing, dst, "LEFT", "LEFT"), null);
  check("LMOVE rotation", await r.lmove(dst, dst, "RIGHT", "LEFT"), "1");
  await r.rpush(other, "o1", "o2", "o3");
  check("LMPOP", await r.lmpop(3, missing, dst, other, "LEFT"), [dst, ["1"]]);
  check("LMPOP COUNT", await r.lmpop(3, missing, dst, other, "RIGHT", "COUNT", 5), [dst, ["3", "2"]]);
  check("LMPOP next key", await r.lmpop(2, dst, other, "LEFT", "COUNT", 2), [other, ["o1", "o2"]]);
  check("LMPOP nothing", await r.lmpop(2, missing, dst, "LEFT"), null);

  let model = [];
  for (let i = 0; i < 1000; i++) {
    model.push("e:" + i);
  }
  check("RPUSH 1000", await r.rpush(big, ...model), 1000);
  check("LRANGE 1000", await r.lrange(big, 0, -1), model);
  check("LINDEX 500", await r.lindex(big, 500), "e:500");
  await r.lset(big, 700, "set:700");
  model[700] = "set:700";
  check("LINSERT in 1000", await r.linsert(big, "BEFORE", "e:300", "inserted"), 1001);
  model.splice(300, 0, "inserted");
  check("LREM in 1000", await r.lrem(big, 1, "e:600"), 1);
  model.splice(model.indexOf("e:600"), 1);
  await r.ltrim(big, 100, -101);
  model = model.slice(100, model.length - 100);
  check("LRANGE after changes", await r.lrange(big, 0, -1), model);
  check("LPOS in 1000", await r.lpos(big, "set:700"), model.indexOf("set:700"));

  await r.set(text, "x");
  check("LPUSH on a string", await errorOf(r.lpush(text, "a")), WRONGTYPE);
  check("LRANGE on a string", await errorOf(r.lrange(text, 0, -1)), WRONGTYPE);
  check("LMOVE to a string", await errorOf(r.lmove(other, text, "LEFT", "RIGHT")), WRONGTYPE);
  check("LRANGE after a failed LMOVE", await r.lrange(other, 0, -1), ["o3"]);
  check("GET on a list", await errorOf(r.get(big)), WRONGTYPE);
}

async function blockedClients(admin) {
  const line = (await admin.info("clients")).split(/\r?\n/).find((s) => s.startsWith("blocked_clients:"));
  return Number(line.substring("blocked_clients:".length));
}

// Waits until INFO shows n blocked clients, the last of them latest (from blockedClient); fails if it answered.
async function awaitBlocked(admin, n, latest) {
  const deadline = Date.now() + BLOCK_SECONDS * 1000;
  while (Date.now() < deadline) {
    if (latest.isDone()) {
      failures.push(`answered instead of blocking: ${JSON.stringify(await latest.answer)}`);
      return;
    }
    if (await blockedClients(admin) >= n) {
      return;
    }
    await sleep(5);
  }
  failures.push(`INFO clients never showed ${n} blocked client(s)`);
}

// A call on a connection of its own: a client that blocks. Resolves to its reply or to { error }.
async function blockedClient(name, call) {
  const c = connect(name);
  await c.connect();
  const answer = call(c).then((reply) => reply, (e) => ({ error: e.message }));
  answer.finally(() => c.disconnect());
  let done = false;
  answer.then(() => { done = true; });
  return { answer, isDone: () => done };
}

async function timesOut(what, promise) {
  const started = Date.now();
  const got = await promise;
  const took = Date.now() - started;
  check(what, got, null);
  checkTrue(what + " took a while, not too long", took >= 100 && took < 5000, took + " ms");
}

async function blocking(r, p) {
  const [q, q2, dst, text] = ["queue", "queue2", "bdst", "btext"].map((n) => p + n);
  await r.del(q, q2, dst, text);
  await r.rpush(q, "ready");
  check("BLPOP with something to pop", await r.blpop(q2, q, 1), [q, "ready"]);

  const a = await blockedClient("ioredis-blpop", (c) => c.blpop(q2, q, BLOCK_SECONDS));
  await awaitBlocked(r, 1, a);
  check("RPUSH to a blocked client's key", await r.rpush(q, "job-1"), 1);
  check("BLPOP woken by another connection", await a.answer, [q, "job-1"]);
  check("EXISTS after the woken pop", await r.exists(q), 0);

  const first = await blockedClient("ioredis-first", (c) => c.blpop(q, BLOCK_SECONDS));
  await awaitBlocked(r, 1, first);
  const second = await blockedClient("ioredis-second", (c) => c.brpop(q, BLOCK_SECONDS));
  await awaitBlocked(r, 2, second);
  await r.rpush(q, "for-the-first");
  check("first blocked, first served", await first.answer, [q, "for-the-first"]);
  await sleep(100);
  checkTrue("the second still waits", !second.isDone());
  await r.rpush(q, "for-the-second");
  check("then the second", await second.answer, [q, "for-the-second"]);

  const move = await blockedClient("ioredis-blmove", (c) => c.blmove(q, dst, "LEFT", "RIGHT", BLOCK_SECONDS));
  await awaitBlocked(r, 1, move);
  check("MULTI/EXEC with pushes", await r.multi().rpush(q, "x").lpop(q).rpush(q, "y", "z").exec(),
    [[null, 1], [null, "x"], [null, 2]]);
  check("BLMOVE woken by EXEC", await move.answer, "y");
  check("LRANGE source", await r.lrange(q, 0, -1), ["z"]);
  check("LRANGE destination", await r.lrange(dst, 0, -1), ["y"]);
  await r.del(q);

  const rpoplpush = await blockedClient("ioredis-brpoplpush", (c) => c.brpoplpush(q, dst, BLOCK_SECONDS));
  await awaitBlocked(r, 1, rpoplpush);
  await r.lpush(q, "r1");
  check("BRPOPLPUSH woken", await rpoplpush.answer, "r1");
  check("LRANGE destination after BRPOPLPUSH", await r.lrange(dst, 0, -1), ["r1", "y"]);

  const mpop = await blockedClient("ioredis-blmpop", (c) => c.blmpop(BLOCK_SECONDS, 2, q, q2, "LEFT", "COUNT", 2));
  await awaitBlocked(r, 1, mpop);
  await r.rpush(q2, "a", "b", "c");
  check("BLMPOP woken", await mpop.answer, [q2, ["a", "b"]]);
  check("LRANGE after BLMPOP", await r.lrange(q2, 0, -1), ["c"]);
  await r.del(q2);

  await timesOut("BLPOP 0.2", r.blpop(q, 0.2));
  await timesOut("BRPOP 0.2", r.brpop(q, q2, 0.2));
  await timesOut("BLMOVE 0.2", r.blmove(q, dst, "RIGHT", "LEFT", 0.2));
  await timesOut("BLMPOP 0.2", r.blmpop(0.2, 2, q, q2, "RIGHT"));
  await timesOut("BRPOPLPUSH 0.2", r.brpoplpush(q, dst, 0.2));
  check("no client left blocked", await blockedClients(r), 0);

  await r.set(text, "x");
  check("BLPOP on a string", await errorOf(r.blpop(text, BLOCK_SECONDS)), WRONGTYPE);
  check("BLMPOP on a string", await errorOf(r.blmpop(BLOCK_SECONDS, 1, text, "LEFT")), WRONGTYPE);
}

async function transactionAndWatch(r, other, p) {
  const [l, dst] = [p + "txlist", p + "txdst"];
  await r.del(l, dst);
  check("MULTI/EXEC", await r.multi().rpush(l, "a", "b", "c").lmove(l, dst, "LEFT", "RIGHT").lrange(l, 0, -1)
    .llen(dst).exec(), [[null, 3], [null, "a"], [null, ["b", "c"]], [null, 1]]);

  check("WATCH", await r.watch(l), "OK");
  check("RPUSH from another connection", await other.rpush(l, "d"), 3);
  const aborted = await r.multi().lpop(l).rpush(dst, "from-aborted").exec();
  check("EXEC after a conflicting push to a watched list", aborted, null);
  check("LRANGE after aborted EXEC", await r.lrange(l, 0, -1), ["b", "c", "d"]);
  check("LRANGE destination after aborted EXEC", await r.lrange(dst, 0, -1), ["a"]);

  check("WATCH again", await r.watch(l), "OK");
  await other.rpush(dst, "unrelated");
  check("EXEC with an untouched watched list", await r.multi().rpop(l).llen(l).exec(), [[null, "d"], [null, 2]]);
}

async function main() {
  const p = "ioredis:lists:";
  const version = require("ioredis/package.json").version;
  console.log(`ioredis ${version} on node ${process.version} against 127.0.0.1:${port} (RESP2)`);
  const r = connect("ioredis-main");
  const other = connect("ioredis-other");
  await r.connect();
  await other.connect();
  check("PING", await r.ping(), "PONG");
  const steps = [["lists", () => lists(r, p)], ["blocking pops", () => blocking(r, p)],
    ["transaction and watch", () => transactionAndWatch(r, other, p)]];
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
