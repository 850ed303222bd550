package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.qrrot.recovery.Qrrot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Hashes and sets through real clients against a running server: Jedis and Lettuce, each in RESP2 and RESP3,
 * with the replies each client's typed API gives (HGETALL as a map, SMEMBERS as a set, HRANDFIELD WITHVALUES
 * as pairs, HSCAN and SSCAN cursors over collections large enough for the element table), a transaction
 * mixing hashes and sets, and WATCH on a hash. The scripted clients (redis-py, ioredis) are in
 * {@link ScriptClientsTest}. The database is {@link TestBackends#open}.
 */
@Tag("integration")
class CollectionClientsTest {
    /** Large enough that HSCAN and SSCAN iterate the element table over several calls. */
    private static final int MANY = 1000;
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    @TempDir
    static Path dir;
    private static Qrrot db;
    private static QrrotServer server;
    private static final Map<Integer, RedisClient> lettuce = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        db = TestBackends.open(dir);
        server = TestBackends.start(db, TestBackends.options());
        for (int protocol : new int[] {2, 3}) {
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.port())
                    .withTimeout(Duration.ofSeconds(10)).build());
            client.setOptions(ClientOptions.builder()
                    .protocolVersion(protocol == 2 ? ProtocolVersion.RESP2 : ProtocolVersion.RESP3).build());
            lettuce.put(protocol, client);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (RedisClient c : lettuce.values()) {
            c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (server != null) {
            server.close();
        }
        TestBackends.close(db);
    }

    private static Jedis jedis(int protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", server.port()), DefaultJedisClientConfig.builder()
                .protocol(protocol == 2 ? RedisProtocol.RESP2 : RedisProtocol.RESP3).timeoutMillis(10_000).build());
    }

    private static StatefulRedisConnection<String, String> lettuce(int protocol) {
        return lettuce.get(protocol).connect();
    }

    private static Map<String, String> fields(int n) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("field:" + i, "value:" + i);
        }
        return m;
    }

    private static Set<String> members(int n) {
        Set<String> s = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            s.add("member:" + i);
        }
        return s;
    }

    private static Set<String> setOf(String... members) {
        return new HashSet<>(List.of(members));
    }

    // ------------------------------------------------------------------------------------------------ Jedis

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @SuppressWarnings("deprecation") // HMSET is deprecated in the clients, and still served
    void jedisHashes(int protocol) {
        try (Jedis j = jedis(protocol)) {
            String h = "jedis:" + protocol + ":hash";
            j.del(h);
            assertEquals(3, j.hset(h, Map.of("a", "1", "b", "two", "c", "three")));
            assertEquals(1, j.hset(h, Map.of("a", "one", "d", "4")), "one new field, one overwritten");
            assertEquals(0, j.hset(h, "d", "four"));
            assertEquals("one", j.hget(h, "a"));
            assertNull(j.hget(h, "missing"));
            assertNull(j.hget(h + ":missing", "a"));
            assertEquals(java.util.Arrays.asList("one", null, "four"), j.hmget(h, "a", "missing", "d"));
            assertEquals(Map.of("a", "one", "b", "two", "c", "three", "d", "four"), j.hgetAll(h));
            assertEquals(Map.of(), j.hgetAll(h + ":missing"));
            assertEquals(4, j.hlen(h));
            assertTrue(j.hexists(h, "b"));
            assertFalse(j.hexists(h, "missing"));
            assertEquals(Set.of("a", "b", "c", "d"), j.hkeys(h));
            assertEquals(List.of("four", "one", "three", "two"), sorted(j.hvals(h)));
            assertEquals(5, j.hstrlen(h, "c"));
            assertEquals(0, j.hstrlen(h, "missing"));
            assertEquals(0, j.hsetnx(h, "a", "not set"));
            assertEquals("one", j.hget(h, "a"));
            assertEquals(1, j.hsetnx(h, "e", "five"));
            assertEquals("OK", j.hmset(h, Map.of("f", "six")));

            assertEquals(5, j.hincrBy(h, "n", 5));
            assertEquals(-2, j.hincrBy(h, "n", -7));
            assertEquals("-2", j.hget(h, "n"));
            assertEquals(10.5, j.hincrByFloat(h, "x", 10.5));
            assertEquals(10.6, j.hincrByFloat(h, "x", 0.1));
            assertEquals("10.6", j.hget(h, "x"));
            assertEquals("ERR hash value is not an integer",
                    assertThrows(JedisDataException.class, () -> j.hincrBy(h, "a", 1)).getMessage());
            assertEquals("ERR hash value is not a float",
                    assertThrows(JedisDataException.class, () -> j.hincrByFloat(h, "a", 1)).getMessage());

            Map<String, String> all = j.hgetAll(h);
            assertEquals(Map.of("a", "one", "b", "two", "c", "three", "d", "four", "e", "five", "f", "six",
                    "n", "-2", "x", "10.6"), all);
            ScanResult<Map.Entry<String, String>> small = j.hscan(h, ScanParams.SCAN_POINTER_START);
            assertEquals("0", small.getCursor(), "a small hash is scanned in one call");
            assertEquals(all, toMap(small.getResult()));
            assertTrue(all.containsKey(j.hrandfield(h)));
            List<String> three = j.hrandfield(h, 3);
            assertEquals(3, three.size());
            assertEquals(3, new HashSet<>(three).size(), "a positive count gives distinct fields: " + three);
            assertTrue(all.keySet().containsAll(three), three.toString());
            List<String> repeats = j.hrandfield(h, -20);
            assertEquals(20, repeats.size());
            assertTrue(all.keySet().containsAll(repeats), repeats.toString());
            assertEquals(all.keySet(), new HashSet<>(j.hrandfield(h, 100)), "a count past the size gives every field");
            List<Map.Entry<String, String>> pairs = j.hrandfieldWithValues(h, 3);
            assertEquals(3, pairs.size());
            for (Map.Entry<String, String> e : pairs) {
                assertEquals(all.get(e.getKey()), e.getValue(), e.toString());
            }
            assertEquals(all, toMap(j.hrandfieldWithValues(h, 50)));
            assertEquals(12, j.hrandfieldWithValues(h, -12).size());
            assertNull(j.hrandfield(h + ":missing"));
            assertEquals(List.of(), j.hrandfield(h + ":missing", 3));

            assertEquals(WRONGTYPE, assertThrows(JedisDataException.class, () -> j.sadd(h, "m")).getMessage());
            assertEquals("hash", j.type(h));
            assertEquals(0, j.hdel(h, "missing"));
            assertEquals(2, j.hdel(h, "a", "b", "missing"));
            assertEquals(6, j.hdel(h, "c", "d", "e", "f", "n", "x"));
            assertFalse(j.exists(h), "deleting the last field deletes the key");
            assertEquals("none", j.type(h));
            assertEquals(0, j.hlen(h));
            assertEquals(Map.of(), j.hgetAll(h));

            String big = "jedis:" + protocol + ":bighash";
            j.del(big);
            Map<String, String> expected = fields(MANY);
            assertEquals(MANY, j.hset(big, expected));
            assertEquals(MANY, j.hlen(big));
            Map<String, String> seen = new HashMap<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<Map.Entry<String, String>> page = j.hscan(big, cursor, new ScanParams().count(100));
                for (Map.Entry<String, String> e : page.getResult()) {
                    String before = seen.put(e.getKey(), e.getValue());
                    assertTrue(before == null || before.equals(e.getValue()), e.toString());
                }
                cursor = page.getCursor();
                calls++;
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(expected, seen);
            assertTrue(calls > 1, "HSCAN over " + MANY + " fields took " + calls + " call(s)");
            ScanResult<Map.Entry<String, String>> matched =
                    j.hscan(big, "0", new ScanParams().match("field:99*").count(MANY * 2));
            assertEquals("0", matched.getCursor());
            assertEquals(Set.of("field:99", "field:990", "field:991", "field:992", "field:993", "field:994",
                    "field:995", "field:996", "field:997", "field:998", "field:999"),
                    toMap(matched.getResult()).keySet());
            assertEquals(1, j.del(big));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void jedisSets(int protocol) {
        try (Jedis j = jedis(protocol)) {
            String p = "jedis:" + protocol + ":";
            String s = p + "set";
            j.del(s, p + "s2", p + "ints", p + "x", p + "y", p + "z", p + "dst");
            assertEquals(3, j.sadd(s, "a", "b", "c"));
            assertEquals(1, j.sadd(s, "c", "d"));
            assertEquals(1, j.srem(s, "a", "missing"));
            assertEquals(Set.of("b", "c", "d"), j.smembers(s));
            assertEquals(Set.of(), j.smembers(s + ":missing"));
            assertTrue(j.sismember(s, "b"));
            assertFalse(j.sismember(s, "a"));
            assertEquals(List.of(true, false, true), j.smismember(s, "b", "a", "d"));
            assertEquals(3, j.scard(s));
            assertEquals(0, j.scard(s + ":missing"));
            assertEquals("set", j.type(s));
            assertEquals(WRONGTYPE, assertThrows(JedisDataException.class, () -> j.hget(s, "b")).getMessage());

            assertTrue(Set.of("b", "c", "d").contains(j.srandmember(s)));
            List<String> two = j.srandmember(s, 2);
            assertEquals(2, two.size());
            assertEquals(2, new HashSet<>(two).size(), two.toString());
            assertTrue(Set.of("b", "c", "d").containsAll(two), two.toString());
            List<String> repeats = j.srandmember(s, -7);
            assertEquals(7, repeats.size());
            assertTrue(Set.of("b", "c", "d").containsAll(repeats), repeats.toString());
            assertEquals(Set.of("b", "c", "d"), new HashSet<>(j.srandmember(s, 10)));
            assertNull(j.srandmember(s + ":missing"));
            assertEquals(3, j.scard(s), "SRANDMEMBER removes nothing");

            assertEquals(1, j.smove(s, p + "s2", "b"));
            assertEquals(0, j.smove(s, p + "s2", "missing"));
            assertEquals(Set.of("c", "d"), j.smembers(s));
            assertEquals(Set.of("b"), j.smembers(p + "s2"));

            String ints = p + "ints";
            assertEquals(10, j.sadd(ints, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"));
            ScanResult<String> small = j.sscan(ints, ScanParams.SCAN_POINTER_START);
            assertEquals("0", small.getCursor(), "a small set is scanned in one call");
            assertEquals(Set.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10"), new HashSet<>(small.getResult()));
            Set<String> popped = j.spop(ints, 3);
            assertEquals(3, popped.size());
            assertEquals(7, j.scard(ints));
            Set<String> union = new TreeSet<>(j.smembers(ints));
            union.addAll(popped);
            assertEquals(new TreeSet<>(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")), union);
            assertFalse(j.smembers(ints).stream().anyMatch(popped::contains), "popped members are gone");
            assertEquals(7, j.spop(ints, 100).size());
            assertFalse(j.exists(ints), "popping every member deletes the key");
            assertNull(j.spop(ints));
            assertEquals(Set.of(), j.spop(ints, 2));

            String x = p + "x";
            String y = p + "y";
            String z = p + "z";
            String dst = p + "dst";
            j.sadd(x, "1", "2", "3", "a");
            j.sadd(y, "2", "3", "4");
            j.sadd(z, "3", "a", "b");
            assertEquals(Set.of("2", "3"), j.sinter(x, y));
            assertEquals(Set.of("3"), j.sinter(x, y, z));
            assertEquals(Set.of(), j.sinter(x, p + "missing"));
            assertEquals(Set.of("1", "2", "3", "4", "a"), j.sunion(x, y));
            assertEquals(Set.of("1", "2", "3", "4", "a", "b"), j.sunion(x, y, z, p + "missing"));
            assertEquals(Set.of("1", "a"), j.sdiff(x, y));
            assertEquals(Set.of("1"), j.sdiff(x, y, z));
            assertEquals(2, j.sintercard(x, y));
            assertEquals(1, j.sintercard(1, x, y));
            assertEquals(0, j.sintercard(x, p + "missing"));
            assertEquals(2, j.sinterstore(dst, x, y));
            assertEquals(Set.of("2", "3"), j.smembers(dst));
            assertEquals(6, j.sunionstore(dst, x, y, z));
            assertEquals(Set.of("1", "2", "3", "4", "a", "b"), j.smembers(dst));
            assertEquals(2, j.sdiffstore(dst, x, y));
            assertEquals(Set.of("1", "a"), j.smembers(dst));
            assertEquals(0, j.sinterstore(dst, x, p + "missing"));
            assertFalse(j.exists(dst), "an empty result deletes the destination");

            String big = p + "bigset";
            j.del(big);
            Set<String> expected = members(MANY);
            assertEquals(MANY, j.sadd(big, expected.toArray(new String[0])));
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<String> page = j.sscan(big, cursor, new ScanParams().count(100));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
                calls++;
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(expected, seen);
            assertTrue(calls > 1, "SSCAN over " + MANY + " members took " + calls + " call(s)");
            assertEquals(MANY, j.scard(big));
            assertEquals(1, j.del(big));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void jedisTransactionAndWatch(int protocol) {
        try (Jedis j = jedis(protocol); Jedis other = jedis(protocol)) {
            String h = "jedis:" + protocol + ":txhash";
            String s = "jedis:" + protocol + ":txset";
            String s2 = "jedis:" + protocol + ":txset2";
            j.del(h, s, s2);

            Transaction tx = j.multi();
            Response<Long> hset = tx.hset(h, Map.of("a", "1", "b", "2"));
            Response<Long> sadd = tx.sadd(s, "x", "y", "z");
            Response<Long> incr = tx.hincrBy(h, "a", 10);
            Response<Long> bad = tx.hincrBy(h, "nope", 1);
            tx.hset(h, "nope", "text");
            Response<Long> failed = tx.hincrBy(h, "nope", 1);
            Response<Long> moved = tx.smove(s, s2, "x");
            Response<Map<String, String>> all = tx.hgetAll(h);
            Response<Set<String>> left = tx.smembers(s);
            Response<List<Boolean>> which = tx.smismember(s2, "x", "y");
            Response<Long> card = tx.scard(s2);
            List<Object> results = tx.exec();
            assertEquals(11, results.size(), results.toString());
            assertEquals(2L, hset.get());
            assertEquals(3L, sadd.get());
            assertEquals(11L, incr.get());
            assertEquals(1L, bad.get());
            assertInstanceOf(JedisDataException.class, results.get(5), "an error inside EXEC does not abort it");
            assertEquals("ERR hash value is not an integer",
                    assertThrows(JedisDataException.class, failed::get).getMessage());
            assertEquals(1L, moved.get());
            assertEquals(Map.of("a", "11", "b", "2", "nope", "text"), all.get());
            assertEquals(Set.of("y", "z"), left.get());
            assertEquals(List.of(true, false), which.get());
            assertEquals(1L, card.get());

            // Another connection changes the watched hash: EXEC aborts and nothing queued runs.
            assertEquals("OK", j.watch(h));
            assertEquals(12, other.hincrBy(h, "a", 1));
            tx = j.multi();
            tx.hset(h, "a", "mine");
            tx.sadd(s, "from-aborted");
            assertNull(tx.exec(), "EXEC after a conflicting write to a watched hash");
            assertEquals("12", j.hget(h, "a"));
            assertFalse(j.sismember(s, "from-aborted"));

            // Deleting the watched hash's last fields is a change too.
            assertEquals("OK", j.watch(h));
            assertEquals(3, other.hdel(h, "a", "b", "nope"));
            tx = j.multi();
            tx.hset(h, "c", "3");
            assertNull(tx.exec());
            assertFalse(j.exists(h));

            // A write to another key leaves the watch intact.
            j.hset(h, "a", "1");
            assertEquals("OK", j.watch(h));
            other.sadd(s, "unrelated");
            tx = j.multi();
            Response<Long> ok = tx.hset(h, "a", "2");
            Response<String> got = tx.hget(h, "a");
            assertEquals(2, tx.exec().size());
            assertEquals(0L, ok.get());
            assertEquals("2", got.get());
        }
    }

    // ---------------------------------------------------------------------------------------------- Lettuce

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @SuppressWarnings("deprecation") // HMSET is deprecated in the clients, and still served
    void lettuceHashes(int protocol) {
        try (StatefulRedisConnection<String, String> c = lettuce(protocol)) {
            RedisCommands<String, String> r = c.sync();
            String h = "lettuce:" + protocol + ":hash";
            r.del(h);
            assertEquals(3L, r.hset(h, Map.of("a", "1", "b", "two", "c", "three")));
            assertEquals(1L, r.hset(h, Map.of("a", "one", "d", "4")));
            assertFalse(r.hset(h, "d", "four"));
            assertEquals("one", r.hget(h, "a"));
            assertNull(r.hget(h, "missing"));
            assertEquals(List.of(KeyValue.just("a", "one"), KeyValue.empty("missing"), KeyValue.just("d", "four")),
                    r.hmget(h, "a", "missing", "d"));
            assertEquals(Map.of("a", "one", "b", "two", "c", "three", "d", "four"), r.hgetall(h));
            assertEquals(Map.of(), r.hgetall(h + ":missing"));
            assertEquals(4L, r.hlen(h));
            assertTrue(r.hexists(h, "b"));
            assertFalse(r.hexists(h, "missing"));
            assertEquals(List.of("a", "b", "c", "d"), sorted(r.hkeys(h)));
            assertEquals(List.of("four", "one", "three", "two"), sorted(r.hvals(h)));
            assertEquals(5L, r.hstrlen(h, "c"));
            assertEquals(0L, r.hstrlen(h, "missing"));
            assertFalse(r.hsetnx(h, "a", "not set"));
            assertTrue(r.hsetnx(h, "e", "five"));
            assertEquals("OK", r.hmset(h, Map.of("f", "six")));

            assertEquals(5L, r.hincrby(h, "n", 5));
            assertEquals(-2L, r.hincrby(h, "n", -7));
            assertEquals(10.5, r.hincrbyfloat(h, "x", 10.5));
            assertEquals(10.6, r.hincrbyfloat(h, "x", 0.1));
            assertEquals("10.6", r.hget(h, "x"));
            assertEquals("ERR hash value is not an integer",
                    assertThrows(RedisCommandExecutionException.class, () -> r.hincrby(h, "a", 1)).getMessage());

            Map<String, String> all = r.hgetall(h);
            assertEquals(Map.of("a", "one", "b", "two", "c", "three", "d", "four", "e", "five", "f", "six",
                    "n", "-2", "x", "10.6"), all);
            assertTrue(all.containsKey(r.hrandfield(h)));
            List<String> three = r.hrandfield(h, 3);
            assertEquals(3, new HashSet<>(three).size(), three.toString());
            assertTrue(all.keySet().containsAll(three), three.toString());
            List<String> repeats = r.hrandfield(h, -20);
            assertEquals(20, repeats.size());
            assertTrue(all.keySet().containsAll(repeats), repeats.toString());
            KeyValue<String, String> one = r.hrandfieldWithvalues(h);
            assertEquals(all.get(one.getKey()), one.getValue());
            List<KeyValue<String, String>> pairs = r.hrandfieldWithvalues(h, 3);
            assertEquals(3, pairs.size(), pairs.toString());
            for (KeyValue<String, String> kv : pairs) {
                assertEquals(all.get(kv.getKey()), kv.getValue(), kv.toString());
            }
            Map<String, String> every = new HashMap<>();
            for (KeyValue<String, String> kv : r.hrandfieldWithvalues(h, 50)) {
                every.put(kv.getKey(), kv.getValue());
            }
            assertEquals(all, every);
            assertEquals(12, r.hrandfieldWithvalues(h, -12).size());
            assertNull(r.hrandfield(h + ":missing"));

            assertEquals(WRONGTYPE,
                    assertThrows(RedisCommandExecutionException.class, () -> r.sadd(h, "m")).getMessage());
            assertEquals(2L, r.hdel(h, "a", "b", "missing"));
            assertEquals(6L, r.hdel(h, "c", "d", "e", "f", "n", "x"));
            assertEquals(0L, r.exists(h), "deleting the last field deletes the key");
            assertEquals("none", r.type(h));

            String big = "lettuce:" + protocol + ":bighash";
            r.del(big);
            Map<String, String> expected = fields(MANY);
            assertEquals((long) MANY, r.hset(big, expected));
            Map<String, String> seen = new HashMap<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            int calls = 0;
            do {
                MapScanCursor<String, String> page = r.hscan(big, cursor, ScanArgs.Builder.limit(100));
                for (Map.Entry<String, String> e : page.getMap().entrySet()) {
                    String before = seen.put(e.getKey(), e.getValue());
                    assertTrue(before == null || before.equals(e.getValue()), e.toString());
                }
                cursor = page;
                calls++;
            } while (!cursor.isFinished());
            assertEquals(expected, seen);
            assertTrue(calls > 1, "HSCAN over " + MANY + " fields took " + calls + " call(s)");
            assertEquals(1L, r.del(big));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void lettuceSets(int protocol) {
        try (StatefulRedisConnection<String, String> c = lettuce(protocol)) {
            RedisCommands<String, String> r = c.sync();
            String p = "lettuce:" + protocol + ":";
            String s = p + "set";
            r.del(s, p + "s2", p + "ints", p + "x", p + "y", p + "z", p + "dst");
            assertEquals(3L, r.sadd(s, "a", "b", "c"));
            assertEquals(1L, r.sadd(s, "c", "d"));
            assertEquals(1L, r.srem(s, "a", "missing"));
            assertEquals(Set.of("b", "c", "d"), r.smembers(s));
            assertEquals(Set.of(), r.smembers(s + ":missing"));
            assertTrue(r.sismember(s, "b"));
            assertFalse(r.sismember(s, "a"));
            assertEquals(List.of(true, false, true), r.smismember(s, "b", "a", "d"));
            assertEquals(3L, r.scard(s));

            assertTrue(Set.of("b", "c", "d").contains(r.srandmember(s)));
            List<String> two = r.srandmember(s, 2);
            assertEquals(2, new HashSet<>(two).size(), two.toString());
            assertTrue(Set.of("b", "c", "d").containsAll(two), two.toString());
            List<String> repeats = r.srandmember(s, -7);
            assertEquals(7, repeats.size());
            assertTrue(Set.of("b", "c", "d").containsAll(repeats), repeats.toString());
            assertNull(r.srandmember(s + ":missing"));

            assertTrue(r.smove(s, p + "s2", "b"));
            assertFalse(r.smove(s, p + "s2", "missing"));
            assertEquals(Set.of("c", "d"), r.smembers(s));
            assertEquals(Set.of("b"), r.smembers(p + "s2"));

            String ints = p + "ints";
            assertEquals(10L, r.sadd(ints, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"));
            Set<String> popped = r.spop(ints, 3);
            assertEquals(3, popped.size());
            assertEquals(7L, r.scard(ints));
            Set<String> union = new TreeSet<>(r.smembers(ints));
            union.addAll(popped);
            assertEquals(new TreeSet<>(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")), union);
            assertEquals(7, r.spop(ints, 100).size());
            assertEquals(0L, r.exists(ints));
            assertNull(r.spop(ints));

            String x = p + "x";
            String y = p + "y";
            String z = p + "z";
            String dst = p + "dst";
            r.sadd(x, "1", "2", "3", "a");
            r.sadd(y, "2", "3", "4");
            r.sadd(z, "3", "a", "b");
            assertEquals(Set.of("2", "3"), r.sinter(x, y));
            assertEquals(Set.of("3"), r.sinter(x, y, z));
            assertEquals(Set.of("1", "2", "3", "4", "a"), r.sunion(x, y));
            assertEquals(Set.of("1", "a"), r.sdiff(x, y));
            assertEquals(Set.of("1"), r.sdiff(x, y, z));
            assertEquals(2L, r.sintercard(x, y));
            assertEquals(1L, r.sintercard(1, x, y));
            assertEquals(2L, r.sinterstore(dst, x, y));
            assertEquals(Set.of("2", "3"), r.smembers(dst));
            assertEquals(6L, r.sunionstore(dst, x, y, z));
            assertEquals(Set.of("1", "2", "3", "4", "a", "b"), r.smembers(dst));
            assertEquals(2L, r.sdiffstore(dst, x, y));
            assertEquals(Set.of("1", "a"), r.smembers(dst));
            assertEquals(0L, r.sdiffstore(dst, x, x));
            assertEquals(0L, r.exists(dst));

            String big = p + "bigset";
            r.del(big);
            Set<String> expected = members(MANY);
            assertEquals((long) MANY, r.sadd(big, expected.toArray(new String[0])));
            Set<String> seen = new HashSet<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            int calls = 0;
            do {
                ValueScanCursor<String> page = r.sscan(big, cursor, ScanArgs.Builder.limit(100));
                seen.addAll(page.getValues());
                cursor = page;
                calls++;
            } while (!cursor.isFinished());
            assertEquals(expected, seen);
            assertTrue(calls > 1, "SSCAN over " + MANY + " members took " + calls + " call(s)");
            assertEquals(1L, r.del(big));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void lettuceTransactionAndWatch(int protocol) {
        try (StatefulRedisConnection<String, String> c = lettuce(protocol);
             StatefulRedisConnection<String, String> o = lettuce(protocol)) {
            RedisCommands<String, String> r = c.sync();
            RedisCommands<String, String> other = o.sync();
            String h = "lettuce:" + protocol + ":txhash";
            String s = "lettuce:" + protocol + ":txset";
            String s2 = "lettuce:" + protocol + ":txset2";
            r.del(h, s, s2);

            assertEquals("OK", r.multi());
            r.hset(h, Map.of("a", "1", "b", "2"));
            r.sadd(s, "x", "y", "z");
            r.hincrby(h, "a", 10);
            r.hset(h, "nope", "text");
            r.hincrby(h, "nope", 1);
            r.smove(s, s2, "x");
            r.hgetall(h);
            r.smembers(s);
            r.smismember(s2, "x", "y");
            r.hrandfieldWithvalues(h, 10);
            TransactionResult results = r.exec();
            assertFalse(results.wasDiscarded());
            assertEquals(10, results.size());
            assertEquals(2L, (Long) results.get(0));
            assertEquals(3L, (Long) results.get(1));
            assertEquals(11L, (Long) results.get(2));
            assertEquals(true, results.get(3));
            assertInstanceOf(RedisCommandExecutionException.class, results.get(4));
            assertEquals(true, results.get(5));
            assertEquals(Map.of("a", "11", "b", "2", "nope", "text"), results.get(6));
            assertEquals(Set.of("y", "z"), results.get(7));
            assertEquals(List.of(true, false), results.get(8));
            List<KeyValue<String, String>> pairs = results.get(9);
            Map<String, String> fromPairs = new HashMap<>();
            for (KeyValue<String, String> kv : pairs) {
                fromPairs.put(kv.getKey(), kv.getValue());
            }
            assertEquals(Map.of("a", "11", "b", "2", "nope", "text"), fromPairs);

            assertEquals("OK", r.watch(h));
            assertEquals(12L, other.hincrby(h, "a", 1));
            r.multi();
            r.hset(h, "a", "mine");
            r.sadd(s, "from-aborted");
            assertTrue(r.exec().wasDiscarded(), "EXEC after a conflicting write to a watched hash");
            assertEquals("12", r.hget(h, "a"));
            assertFalse(r.sismember(s, "from-aborted"));

            assertEquals("OK", r.watch(h));
            other.sadd(s, "unrelated");
            r.multi();
            r.hset(h, "a", "2");
            TransactionResult ok = r.exec();
            assertFalse(ok.wasDiscarded());
            assertEquals(false, ok.get(0));
            assertEquals("2", r.hget(h, "a"));
        }
    }

    private static List<String> sorted(java.util.Collection<String> c) {
        List<String> l = new ArrayList<>(c);
        l.sort(null);
        return l;
    }

    private static Map<String, String> toMap(List<Map.Entry<String, String>> entries) {
        Map<String, String> m = new HashMap<>();
        for (Map.Entry<String, String> e : entries) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }
}
