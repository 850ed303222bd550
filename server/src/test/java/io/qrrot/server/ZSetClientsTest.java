package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScoredValueScanCursor;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.ZAggregateArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.qrrot.recovery.Qrrot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import redis.clients.jedis.args.SortedSetOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.params.ZParams;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.KeyValue;

/**
 * Sorted sets through real clients against a running server: Jedis and Lettuce, each in RESP2 and RESP3, with
 * the typed replies each client's API gives (scores as doubles, tuples and scored values, ranks, pops, ZMPOP,
 * ranges by rank, score and lex with LIMIT, the STORE forms with weights and aggregates, ZSCAN over a set large
 * enough for the table and its index), a leaderboard in a transaction, and WATCH on a sorted set. The database
 * is {@link TestBackends#open}.
 */
@Tag("integration")
class ZSetClientsTest {
    /** Large enough that the set is a table with its index and ZSCAN takes several calls. */
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

    private static List<String> names(List<Tuple> tuples) {
        List<String> out = new ArrayList<>();
        for (Tuple t : tuples) {
            out.add(t.getElement() + "=" + t.getScore());
        }
        return out;
    }

    private static List<String> scored(List<ScoredValue<String>> values) {
        List<String> out = new ArrayList<>();
        for (ScoredValue<String> v : values) {
            out.add(v.getValue() + "=" + v.getScore());
        }
        return out;
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void jedisSortedSets(int protocol) {
        try (Jedis j = jedis(protocol)) {
            String p = "jedis:" + protocol + ":";
            String z = p + "board";
            j.del(z, p + "other", p + "dst", p + "lex", p + "big", p + "text");
            assertEquals(3L, j.zadd(z, Map.of("ann", 10.0, "bob", 20.0, "cy", 15.5)));
            assertEquals(0L, j.zadd(z, 5.0, "ann", ZAddParams.zAddParams().gt().ch()));
            assertEquals(1L, j.zadd(z, 12.0, "ann", ZAddParams.zAddParams().gt().ch()));
            assertEquals(12.0, j.zscore(z, "ann"));
            assertNull(j.zscore(z, "nobody"));
            assertEquals(List.of(12.0, 20.0), j.zmscore(z, "ann", "bob"));
            assertEquals(25.5, j.zincrby(z, 10, "cy"));
            assertEquals(3L, j.zcard(z));
            assertEquals(0L, j.zrank(z, "ann"));
            assertEquals(0L, j.zrevrank(z, "cy"));
            assertNull(j.zrank(z, "nobody"));
            assertEquals(List.of("ann", "bob", "cy"), j.zrange(z, 0, -1));
            assertEquals(List.of("ann=12.0", "bob=20.0", "cy=25.5"), names(j.zrangeWithScores(z, 0, -1)));
            assertEquals(List.of("cy", "bob"), j.zrevrange(z, 0, 1));
            assertEquals(List.of("bob", "cy"), j.zrangeByScore(z, "(12", "+inf"));
            assertEquals(List.of("cy=25.5"), names(j.zrevrangeByScoreWithScores(z, 100, 0, 0, 1)));
            assertEquals(List.of("bob"), j.zrange(z, ZRangeParams.zrangeByScoreParams(13, 30).limit(0, 1)));
            assertEquals(2L, j.zcount(z, "(12", "30"));

            String lex = p + "lex";
            j.zadd(lex, Map.of("a", 0.0, "b", 0.0, "c", 0.0, "d", 0.0));
            assertEquals(List.of("b", "c"), j.zrangeByLex(lex, "[b", "(d"));
            assertEquals(List.of("d", "c"), j.zrevrangeByLex(lex, "+", "[c"));
            assertEquals(3L, j.zlexcount(lex, "(a", "+"));
            assertEquals(2L, j.zremrangeByLex(lex, "-", "[b"));

            String other = p + "other";
            j.zadd(other, Map.of("ann", 1.0, "dan", 2.0));
            assertEquals(List.of("dan=2.0", "ann=13.0", "bob=20.0", "cy=25.5"),
                    names(j.zunionWithScores(new ZParams(), z, other)));
            assertEquals(List.of("ann=12.0"),
                    names(j.zinterWithScores(new ZParams().aggregate(ZParams.Aggregate.MAX), z, other)));
            assertEquals(Set.of("bob", "cy"), new HashSet<>(j.zdiff(z, other)));
            assertEquals(4L, j.zunionstore(p + "dst", new ZParams().weights(2, 1), z, other));
            assertEquals(List.of("dan=2.0", "ann=25.0", "bob=40.0", "cy=51.0"), names(j.zrangeWithScores(p + "dst", 0, -1)));
            assertEquals(1L, j.zintercard(z, other));

            Tuple min = j.zpopmin(z);
            assertEquals("ann=12.0", min.getElement() + "=" + min.getScore());
            assertEquals(List.of("cy=25.5"), names(j.zpopmax(z, 1)));
            KeyValue<String, List<Tuple>> popped = j.zmpop(SortedSetOption.MIN, p + "missing", z);
            assertEquals(z, popped.getKey());
            assertEquals(List.of("bob=20.0"), names(popped.getValue()));
            assertFalse(j.exists(z));
            assertNull(j.zmpop(SortedSetOption.MIN, z));

            String big = p + "big";
            Map<String, Double> many = new HashMap<>();
            for (int i = 0; i < MANY; i++) {
                many.put("member:" + i, (double) (i % 100));
            }
            assertEquals((long) MANY, j.zadd(big, many));
            assertEquals("skiplist", j.objectEncoding(big));
            assertEquals(5L, j.zrank(big, "member:500")); // score 0 ties, in member order: member:0, member:100, …
            assertEquals(List.of("member:0", "member:100", "member:200"), j.zrange(big, 0, 2));
            assertEquals(10L, j.zcount(big, 42, 42));
            assertEquals(100L, j.zremrangeByScore(big, 0, 9));
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<Tuple> page = j.zscan(big, cursor, new ScanParams().count(100));
                for (Tuple t : page.getResult()) {
                    seen.add(t.getElement());
                    assertEquals(Double.parseDouble(t.getElement().substring(7)) % 100, t.getScore());
                }
                cursor = page.getCursor();
                calls++;
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(MANY - 100, seen.size());
            assertTrue(calls > 1, "ZSCAN took " + calls + " call(s)");

            // A blocking pop that waits for another client's ZADD.
            String queue = p + "queue";
            j.del(queue);
            Thread pusher = new Thread(() -> {
                try (Jedis producer = jedis(protocol)) {
                    Thread.sleep(100);
                    producer.zadd(queue, 2.5, "job");
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            pusher.start();
            KeyValue<String, Tuple> job = j.bzpopmin(5, queue);
            assertEquals(queue, job.getKey());
            assertEquals("job=2.5", job.getValue().getElement() + "=" + job.getValue().getScore());
            assertNull(j.bzpopmax(0.05, queue));

            j.set(p + "text", "x");
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.zadd(p + "text", 1, "a"));
            assertEquals(WRONGTYPE, e.getMessage());
            e = assertThrows(JedisDataException.class, () -> j.zadd(big, Double.NaN, "a"));
            assertEquals("ERR value is not a valid float", e.getMessage());
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void jedisLeaderboardTransactionAndWatch(int protocol) {
        try (Jedis j = jedis(protocol); Jedis other = jedis(protocol)) {
            String z = "jedis:" + protocol + ":tx";
            j.del(z);
            j.zadd(z, 1, "a");
            Transaction t = j.multi();
            Response<Double> incr = t.zincrby(z, 5, "a");
            Response<Long> added = t.zadd(z, 3, "b");
            Response<List<Tuple>> range = t.zrangeWithScores(z, 0, -1);
            t.exec();
            assertEquals(6.0, incr.get());
            assertEquals(1L, added.get());
            assertEquals(List.of("b=3.0", "a=6.0"), names(range.get()));

            j.watch(z);
            other.zincrby(z, 1, "b");
            Transaction t2 = j.multi();
            t2.zadd(z, 100, "c");
            assertNull(t2.exec());
            assertNull(j.zscore(z, "c"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void lettuceSortedSets(int protocol) {
        try (StatefulRedisConnection<String, String> c = lettuce.get(protocol).connect()) {
            RedisCommands<String, String> r = c.sync();
            String p = "lettuce:" + protocol + ":";
            String z = p + "board";
            r.del(z, p + "dst", p + "big");
            assertEquals(3L, r.zadd(z, ScoredValue.just(1.5, "a"), ScoredValue.just(2, "b"),
                    ScoredValue.just(Double.POSITIVE_INFINITY, "top")));
            assertEquals(0L, r.zadd(z, ZAddArgs.Builder.nx(), 9, "a"));
            assertEquals(1.5, r.zscore(z, "a"));
            assertEquals(Double.POSITIVE_INFINITY, r.zscore(z, "top"));
            assertEquals(4.5, r.zaddincr(z, 3, "a"));
            assertEquals(List.of("b=2.0", "a=4.5", "top=Infinity"), scored(r.zrangeWithScores(z, 0, -1)));
            assertEquals(List.of("top", "a"),
                    r.zrevrangebyscore(z, Range.create(0, Double.POSITIVE_INFINITY), Limit.create(0, 2)));
            assertEquals(2L, r.zcount(z, Range.create(2, 5)));
            assertEquals(2L, r.zrank(z, "top"));
            assertEquals(1L, r.zrangestore(p + "dst", z, Range.create(0L, 0L)));
            assertEquals(List.of("b"), r.zrange(p + "dst", 0, -1));
            assertEquals(List.of("a=4.5", "b=6.0", "top=Infinity"), scored(r.zunionWithScores(
                    ZAggregateArgs.Builder.weights(1, 2), z, p + "dst")));
            assertEquals(List.of("b=2.0"), scored(r.zpopmin(z, 1)));
            assertEquals("top=Infinity", scored(List.of(r.zpopmax(z))).get(0));
            assertTrue(List.of("a").containsAll(r.zrandmember(z, 5)));

            String big = p + "big";
            List<ScoredValue<String>> many = new ArrayList<>();
            for (int i = 0; i < MANY; i++) {
                many.add(ScoredValue.just(-i, "m" + i));
            }
            assertEquals((long) MANY, r.zadd(big, many.toArray(new ScoredValue[0])));
            assertEquals(List.of("m999", "m998"), r.zrange(big, 0, 1));
            assertEquals(999L, r.zrevrank(big, "m999"));
            Set<String> seen = new HashSet<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                ScoredValueScanCursor<String> page = r.zscan(big, cursor, ScanArgs.Builder.limit(100));
                for (ScoredValue<String> v : page.getValues()) {
                    seen.add(v.getValue());
                    assertEquals(0.0 - Double.parseDouble(v.getValue().substring(1)), v.getScore());
                }
                cursor = page;
            } while (!cursor.isFinished());
            assertEquals(MANY, seen.size());

            r.multi();
            r.zadd(z, 7, "tx");
            r.zscore(z, "tx");
            TransactionResult tx = r.exec();
            assertEquals(2, tx.size());
            assertEquals(7.0, (Double) tx.get(1));

            r.set(p + "text", "x");
            RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                    () -> r.zcard(p + "text"));
            assertEquals(WRONGTYPE, e.getMessage());
        }
    }
}
