package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LMPopArgs;
import io.lettuce.core.LMoveArgs;
import io.lettuce.core.LPosArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.qrrot.recovery.Qrrot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.LPosParams;

/**
 * Lists through real clients against a running server: Jedis and Lettuce, each in RESP2 and RESP3, with the
 * typed replies each client's API gives (pushes and pops with counts, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM,
 * LPOS with RANK, COUNT and MAXLEN, LMOVE, RPOPLPUSH, LMPOP, on a small list and on one of {@value #MANY}
 * elements checked against a model), the blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) woken by
 * another client's push, by a push inside MULTI/EXEC, first blocked first served, and timing out with a
 * fractional timeout, WRONGTYPE as each client surfaces it, a transaction and WATCH on a list, and lists that
 * survive a restart of the server on the same data directory. The scripted clients (redis-py, ioredis) are in
 * {@link ScriptClientsTest}. The database is {@link TestBackends#open}.
 */
@Tag("integration")
class ListClientsTest {
    /** Large enough that the list is well past any packed encoding. */
    private static final int MANY = 1000;
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    /** How long a blocked client may wait for the push that wakes it; far more than it needs. */
    private static final int BLOCK_SECONDS = 10;

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
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port())
                    .withTimeout(Duration.ofSeconds(30)).build());
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

    private static int port() {
        return server.port();
    }

    private static Jedis jedis(int protocol) {
        return jedis(protocol, port());
    }

    private static Jedis jedis(int protocol, int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .protocol(protocol == 2 ? RedisProtocol.RESP2 : RedisProtocol.RESP3).timeoutMillis(30_000).build());
    }

    private static StatefulRedisConnection<String, String> lettuce(int protocol) {
        return lettuce.get(protocol).connect();
    }

    /** Runs {@code call} on a connection of its own, on a thread of its own: a client that blocks. */
    private static <T> Future<T> blockedClient(int protocol, Function<Jedis, T> call) {
        FutureTask<T> task = new FutureTask<>(() -> {
            try (Jedis j = jedis(protocol)) {
                return call.apply(j);
            }
        });
        Thread t = new Thread(task, "blocked-client");
        t.setDaemon(true);
        t.start();
        return task;
    }

    /**
     * Waits until INFO clients shows at least {@code n} blocked clients, the last of them the one whose answer is
     * {@code latest}; fails at once, with that answer, if it answered instead of blocking.
     */
    private static void awaitBlocked(Supplier<String> infoClients, int n, Future<?> latest) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BLOCK_SECONDS);
        long blocked = -1;
        while (System.nanoTime() < deadline) {
            if (latest.isDone()) {
                Object answer;
                try {
                    answer = latest.get();
                } catch (ExecutionException e) {
                    throw new AssertionError("the client answered instead of blocking: " + e.getCause(), e.getCause());
                }
                throw new AssertionError("the client answered instead of blocking: " + answer);
            }
            blocked = blockedClients(infoClients.get());
            if (blocked >= n) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("INFO clients shows " + blocked + " blocked client(s), not " + n);
    }

    private static long blockedClients(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("blocked_clients:")) {
                return Long.parseLong(line.substring("blocked_clients:".length()).strip());
            }
        }
        throw new AssertionError("INFO clients has no blocked_clients line:\n" + info);
    }

    private static <T> T answer(Future<T> blocked) throws Exception {
        return blocked.get(BLOCK_SECONDS, TimeUnit.SECONDS);
    }

    /** Gives a blocked client time to answer, and checks it did not: it must still be waiting. */
    private static void stillBlocked(Future<?> blocked, String what) throws InterruptedException {
        Thread.sleep(100);
        assertFalse(blocked.isDone(), what);
    }

    /** Asserts that {@code call} answers null (a timeout) after a while, but well before a hang. */
    private static <T> void timesOut(Callable<T> call, String what) throws Exception {
        long started = System.nanoTime();
        T reply = call.call();
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertNull(reply, what);
        assertTrue(tookMillis >= 100 && tookMillis < 5_000, what + " answered after " + tookMillis + " ms");
    }

    private static List<String> elements(String prefix, int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(prefix + i);
        }
        return l;
    }

    // ------------------------------------------------------------------------------------------------ Jedis

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @SuppressWarnings("deprecation") // RPOPLPUSH and BRPOPLPUSH are deprecated in the clients, and still served
    void jedisLists(int protocol) {
        try (Jedis j = jedis(protocol)) {
            String p = "jedis:" + protocol + ":";
            String l = p + "list";
            String missing = p + "missing";
            j.del(l, p + "dst", p + "other", p + "text", p + "big", missing);

            assertEquals(3, j.lpush(l, "a", "b", "c"));
            assertEquals(5, j.rpush(l, "d", "e"));
            assertEquals(List.of("c", "b", "a", "d", "e"), j.lrange(l, 0, -1));
            assertEquals(0, j.lpushx(missing, "x"));
            assertEquals(0, j.rpushx(missing, "x"));
            assertFalse(j.exists(missing), "LPUSHX and RPUSHX create no key");
            assertEquals(6, j.lpushx(l, "z"));
            assertEquals(8, j.rpushx(l, "y1", "y2"));
            assertEquals(8, j.llen(l));
            assertEquals(0, j.llen(missing));
            assertEquals("list", j.type(l));

            assertEquals("z", j.lpop(l));
            assertEquals(List.of("c", "b"), j.lpop(l, 2));
            assertEquals("y2", j.rpop(l));
            assertEquals(List.of("y1", "e"), j.rpop(l, 2));
            assertEquals(List.of("a", "d"), j.lrange(l, 0, -1));
            assertEquals(List.of(), j.lpop(l, 0), "a count of 0 on a list: an empty array");
            assertNull(j.lpop(missing));
            assertNull(j.rpop(missing));
            assertNull(j.lpop(missing, 2), "a count on a missing key: a null array");
            assertEquals(List.of("d", "a"), j.rpop(l, 10), "a count past the length pops them all, tail first");
            assertFalse(j.exists(l), "popping every element deletes the key");

            j.rpush(l, "a", "b", "c", "d", "e");
            assertEquals(List.of("b", "c", "d"), j.lrange(l, 1, 3));
            assertEquals(List.of("d", "e"), j.lrange(l, -2, 100));
            assertEquals(List.of(), j.lrange(l, 3, 1));
            assertEquals(List.of(), j.lrange(missing, 0, -1));
            assertEquals("a", j.lindex(l, 0));
            assertEquals("e", j.lindex(l, -1));
            assertNull(j.lindex(l, 5));
            assertNull(j.lindex(missing, 0));
            assertEquals("OK", j.lset(l, 1, "B"));
            assertEquals("OK", j.lset(l, -1, "E"));
            assertEquals("ERR index out of range",
                    assertThrows(JedisDataException.class, () -> j.lset(l, 5, "x")).getMessage());
            assertEquals("ERR no such key",
                    assertThrows(JedisDataException.class, () -> j.lset(missing, 0, "x")).getMessage());
            assertEquals(List.of("a", "B", "c", "d", "E"), j.lrange(l, 0, -1));

            assertEquals(6, j.linsert(l, ListPosition.BEFORE, "c", "before-c"));
            assertEquals(7, j.linsert(l, ListPosition.AFTER, "E", "after-E"));
            assertEquals(-1, j.linsert(l, ListPosition.AFTER, "no-such-pivot", "x"));
            assertEquals(0, j.linsert(missing, ListPosition.BEFORE, "a", "x"));
            assertEquals(List.of("a", "B", "before-c", "c", "d", "E", "after-E"), j.lrange(l, 0, -1));

            j.del(l);
            j.rpush(l, "x", "a", "x", "b", "x", "c", "x");
            assertEquals(2, j.lrem(l, 2, "x"), "a positive count removes from the head");
            assertEquals(List.of("a", "b", "x", "c", "x"), j.lrange(l, 0, -1));
            assertEquals(1, j.lrem(l, -1, "x"), "a negative count removes from the tail");
            assertEquals(List.of("a", "b", "x", "c"), j.lrange(l, 0, -1));
            j.rpush(l, "x", "x");
            assertEquals(3, j.lrem(l, 0, "x"), "0 removes every match");
            assertEquals(0, j.lrem(l, 0, "x"));
            assertEquals(0, j.lrem(missing, 0, "x"));
            assertEquals(List.of("a", "b", "c"), j.lrange(l, 0, -1));

            j.rpush(l, "d", "e", "f");
            assertEquals("OK", j.ltrim(l, 1, -2));
            assertEquals(List.of("b", "c", "d", "e"), j.lrange(l, 0, -1));
            assertEquals("OK", j.ltrim(l, 2, 1));
            assertFalse(j.exists(l), "an LTRIM that keeps nothing deletes the key");
            assertEquals("OK", j.ltrim(missing, 0, 1));

            j.rpush(l, "a", "b", "c", "1", "2", "3", "c", "b", "a", "c");
            assertEquals(2L, j.lpos(l, "c"));
            assertNull(j.lpos(l, "nothing"));
            assertNull(j.lpos(missing, "a"));
            assertEquals(6L, j.lpos(l, "c", LPosParams.lPosParams().rank(2)));
            assertEquals(9L, j.lpos(l, "c", LPosParams.lPosParams().rank(-1)));
            assertEquals(6L, j.lpos(l, "c", LPosParams.lPosParams().rank(-2)));
            assertNull(j.lpos(l, "c", LPosParams.lPosParams().rank(4)));
            assertEquals(List.of(2L, 6L, 9L), j.lpos(l, "c", LPosParams.lPosParams(), 0));
            assertEquals(List.of(2L, 6L), j.lpos(l, "c", LPosParams.lPosParams(), 2));
            assertEquals(List.of(9L, 6L), j.lpos(l, "c", LPosParams.lPosParams().rank(-1), 2));
            assertEquals(List.of(6L, 9L), j.lpos(l, "c", LPosParams.lPosParams().rank(2), 0));
            assertEquals(List.of(2L), j.lpos(l, "c", LPosParams.lPosParams().maxlen(5), 0));
            assertEquals(List.of(), j.lpos(l, "nothing", LPosParams.lPosParams(), 3));
            assertNull(j.lpos(l, "c", LPosParams.lPosParams().maxlen(2)));
            assertEquals("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
                            + "negative to start from the end of the list",
                    assertThrows(JedisDataException.class, () -> j.lpos(l, "c", LPosParams.lPosParams().rank(0)))
                            .getMessage());
            assertEquals("ERR COUNT can't be negative", assertThrows(JedisDataException.class,
                    () -> j.lpos(l, "c", LPosParams.lPosParams(), -1)).getMessage());

            String dst = p + "dst";
            j.del(l);
            j.rpush(l, "1", "2", "3");
            assertEquals("1", j.lmove(l, dst, ListDirection.LEFT, ListDirection.RIGHT));
            assertEquals("3", j.lmove(l, dst, ListDirection.RIGHT, ListDirection.LEFT));
            assertEquals(List.of("3", "1"), j.lrange(dst, 0, -1));
            assertEquals("2", j.rpoplpush(l, dst));
            assertFalse(j.exists(l), "moving the last element deletes the source");
            assertEquals(List.of("2", "3", "1"), j.lrange(dst, 0, -1));
            assertNull(j.lmove(missing, dst, ListDirection.LEFT, ListDirection.LEFT));
            assertNull(j.rpoplpush(missing, dst));
            assertEquals("1", j.lmove(dst, dst, ListDirection.RIGHT, ListDirection.LEFT), "a rotation");
            assertEquals(List.of("1", "2", "3"), j.lrange(dst, 0, -1));

            String other = p + "other";
            j.rpush(other, "o1", "o2", "o3");
            redis.clients.jedis.util.KeyValue<String, List<String>> popped =
                    j.lmpop(ListDirection.LEFT, missing, dst, other);
            assertEquals(dst, popped.getKey(), "the first non-empty key");
            assertEquals(List.of("1"), popped.getValue());
            popped = j.lmpop(ListDirection.RIGHT, 5, missing, dst, other);
            assertEquals(dst, popped.getKey());
            assertEquals(List.of("3", "2"), popped.getValue());
            assertFalse(j.exists(dst));
            popped = j.lmpop(ListDirection.LEFT, 2, dst, other);
            assertEquals(other, popped.getKey());
            assertEquals(List.of("o1", "o2"), popped.getValue());
            assertNull(j.lmpop(ListDirection.LEFT, missing, dst));
            assertEquals("ERR count should be greater than 0", assertThrows(JedisDataException.class,
                    () -> j.lmpop(ListDirection.LEFT, 0, other)).getMessage());

            // An element may be empty or binary-looking; it comes back as it went in.
            j.del(l);
            assertEquals(3, j.rpush(l, "", "tab\there", "ünïcødé"));
            assertEquals(Arrays.asList("", "tab\there", "ünïcødé"), j.lrange(l, 0, -1));
            assertEquals(0L, j.lpos(l, ""));

            // A list well past any packed encoding, against a model.
            String big = p + "big";
            List<String> model = elements("e:", MANY);
            assertEquals(MANY, j.rpush(big, model.toArray(new String[0])));
            assertEquals(MANY, j.llen(big));
            assertEquals(model, j.lrange(big, 0, -1));
            assertEquals("e:500", j.lindex(big, 500));
            assertEquals("e:998", j.lindex(big, -2));
            assertEquals(model.subList(498, 502), j.lrange(big, 498, 501));
            assertEquals(500L, j.lpos(big, "e:500"));
            assertEquals(List.of(500L), j.lpos(big, "e:500", LPosParams.lPosParams().rank(-1), 0));
            assertNull(j.lpos(big, "e:500", LPosParams.lPosParams().maxlen(500)));
            assertEquals("OK", j.lset(big, 700, "set:700"));
            model.set(700, "set:700");
            assertEquals(MANY + 1, j.linsert(big, ListPosition.BEFORE, "e:300", "inserted"));
            model.add(300, "inserted");
            assertEquals(MANY + 2, j.lpush(big, "head"));
            model.add(0, "head");
            assertEquals(1, j.lrem(big, 1, "e:600"));
            model.remove("e:600");
            assertEquals(List.of("head", "e:0"), j.lpop(big, 2));
            model.subList(0, 2).clear();
            assertEquals(List.of("e:999", "e:998", "e:997"), j.rpop(big, 3));
            model.subList(model.size() - 3, model.size()).clear();
            assertEquals(model, j.lrange(big, 0, -1));
            assertEquals("OK", j.ltrim(big, 100, -101));
            model = new ArrayList<>(model.subList(100, model.size() - 100));
            assertEquals(model, j.lrange(big, 0, -1));
            assertEquals(model.size(), j.llen(big));
            assertEquals(model.get(model.size() / 2), j.lindex(big, model.size() / 2));

            j.set(p + "text", "x");
            for (Runnable call : List.<Runnable>of(() -> j.lpush(p + "text", "a"), () -> j.rpushx(p + "text", "a"),
                    () -> j.lrange(p + "text", 0, -1), () -> j.lpop(p + "text"), () -> j.llen(p + "text"),
                    () -> j.lmove(l, p + "text", ListDirection.LEFT, ListDirection.LEFT),
                    () -> j.lmpop(ListDirection.LEFT, p + "text"))) {
                assertEquals(WRONGTYPE, assertThrows(JedisDataException.class, call::run).getMessage());
            }
            assertEquals(WRONGTYPE, assertThrows(JedisDataException.class, () -> j.get(big)).getMessage());
            assertEquals(WRONGTYPE, assertThrows(JedisDataException.class, () -> j.sadd(big, "m")).getMessage());
            assertEquals(List.of("", "tab\there", "ünïcødé"), j.lrange(l, 0, -1), "a failed LMOVE moves nothing");
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @SuppressWarnings("deprecation") // RPOPLPUSH and BRPOPLPUSH are deprecated in the clients, and still served
    void jedisBlockingPops(int protocol) throws Exception {
        try (Jedis j = jedis(protocol); Jedis admin = jedis(protocol)) {
            Supplier<String> info = () -> admin.info("clients");
            String p = "jedis:" + protocol + ":b:";
            String q = p + "queue";
            String q2 = p + "queue2";
            String dst = p + "dst";
            String text = p + "text";
            j.del(q, q2, dst, text);

            // Answered at once when there is something to pop.
            j.rpush(q, "ready");
            assertEquals(List.of(q, "ready"), j.blpop(1, q2, q));
            assertFalse(j.exists(q));

            // BLPOP woken by another client's push.
            Future<redis.clients.jedis.util.KeyValue<String, String>> a =
                    blockedClient(protocol, c -> c.blpop((double) BLOCK_SECONDS, q2, q));
            awaitBlocked(info, 1, a);
            assertEquals(1, j.rpush(q, "job-1"));
            redis.clients.jedis.util.KeyValue<String, String> got = answer(a);
            assertEquals(q, got.getKey());
            assertEquals("job-1", got.getValue());
            assertFalse(j.exists(q), "the woken client took the only element");

            // BRPOP takes from the tail.
            Future<List<String>> r = blockedClient(protocol, c -> c.brpop(BLOCK_SECONDS, q));
            awaitBlocked(info, 1, r);
            assertEquals(3, j.rpush(q, "h", "m", "t"));
            assertEquals(List.of(q, "t"), answer(r));
            assertEquals(List.of("h", "m"), j.lrange(q, 0, -1));
            j.del(q);

            // First blocked, first served: one push wakes the first; the second waits for the next.
            Future<redis.clients.jedis.util.KeyValue<String, String>> first =
                    blockedClient(protocol, c -> c.blpop((double) BLOCK_SECONDS, q));
            awaitBlocked(info, 1, first);
            Future<redis.clients.jedis.util.KeyValue<String, String>> second =
                    blockedClient(protocol, c -> c.blpop((double) BLOCK_SECONDS, q));
            awaitBlocked(info, 2, second);
            assertEquals(1, j.rpush(q, "for-the-first"));
            assertEquals("for-the-first", answer(first).getValue());
            stillBlocked(second, "the second blocked client was served by a push of one element");
            assertEquals(1, j.rpush(q, "for-the-second"));
            assertEquals("for-the-second", answer(second).getValue());
            assertFalse(j.exists(q));

            // A push inside MULTI/EXEC wakes a blocked client when EXEC runs, on the state EXEC leaves; a
            // transaction that pushes and pops again leaves it blocked.
            Future<redis.clients.jedis.util.KeyValue<String, String>> tx =
                    blockedClient(protocol, c -> c.blpop((double) BLOCK_SECONDS, q));
            awaitBlocked(info, 1, tx);
            Transaction t = j.multi();
            Response<Long> pushed = t.rpush(q, "gone");
            Response<String> taken = t.lpop(q);
            t.exec();
            assertEquals(1L, pushed.get());
            assertEquals("gone", taken.get());
            stillBlocked(tx, "a transaction that left the list empty woke a blocked client");
            t = j.multi();
            t.rpush(q, "x");
            t.lpop(q);
            t.rpush(q, "y", "z");
            List<Object> results = t.exec();
            assertEquals(List.of(1L, "x", 2L), results);
            got = answer(tx);
            assertEquals(q, got.getKey());
            assertEquals("y", got.getValue());
            assertEquals(List.of("z"), j.lrange(q, 0, -1));
            j.del(q);

            // BLMOVE and BRPOPLPUSH woken by a push.
            Future<String> move = blockedClient(protocol,
                    c -> c.blmove(q, dst, ListDirection.RIGHT, ListDirection.LEFT, BLOCK_SECONDS));
            awaitBlocked(info, 1, move);
            assertEquals(2, j.rpush(q, "m1", "m2"));
            assertEquals("m2", answer(move));
            assertEquals(List.of("m1"), j.lrange(q, 0, -1));
            assertEquals(List.of("m2"), j.lrange(dst, 0, -1));
            j.del(q);
            Future<String> rpoplpush = blockedClient(protocol, c -> c.brpoplpush(q, dst, BLOCK_SECONDS));
            awaitBlocked(info, 1, rpoplpush);
            assertEquals(1, j.lpush(q, "r1"));
            assertEquals("r1", answer(rpoplpush));
            assertEquals(List.of("r1", "m2"), j.lrange(dst, 0, -1));
            assertFalse(j.exists(q));

            // BLMPOP woken by a push to the second of its keys, popping up to COUNT.
            Future<redis.clients.jedis.util.KeyValue<String, List<String>>> mpop = blockedClient(protocol,
                    c -> c.blmpop(BLOCK_SECONDS, ListDirection.LEFT, 2, q, q2));
            awaitBlocked(info, 1, mpop);
            assertEquals(3, j.rpush(q2, "a", "b", "c"));
            redis.clients.jedis.util.KeyValue<String, List<String>> many = answer(mpop);
            assertEquals(q2, many.getKey());
            assertEquals(List.of("a", "b"), many.getValue());
            assertEquals(List.of("c"), j.lrange(q2, 0, -1));
            j.del(q2);

            // Timeouts: a fractional timeout answers null (a null array) once it has passed.
            timesOut(() -> j.blpop(0.2, q), "BLPOP 0.2");
            timesOut(() -> j.brpop(0.2, q, q2), "BRPOP 0.2");
            timesOut(() -> j.blmove(q, dst, ListDirection.LEFT, ListDirection.RIGHT, 0.2), "BLMOVE 0.2");
            timesOut(() -> j.blmpop(0.2, ListDirection.RIGHT, q, q2), "BLMPOP 0.2");
            timesOut(() -> j.brpoplpush(q, dst, 1), "BRPOPLPUSH 1");
            assertEquals("PONG", j.ping(), "the connection goes on after a timeout");
            assertEquals(0, blockedClients(info.get()));

            // The wrong kind of key answers WRONGTYPE at once instead of blocking.
            j.set(text, "x");
            assertEquals(WRONGTYPE, assertThrows(JedisDataException.class,
                    () -> j.blpop((double) BLOCK_SECONDS, text)).getMessage());
            assertEquals(WRONGTYPE, assertThrows(JedisDataException.class,
                    () -> j.blmove(text, dst, ListDirection.LEFT, ListDirection.LEFT, BLOCK_SECONDS)).getMessage());
            assertEquals(WRONGTYPE, assertThrows(JedisDataException.class,
                    () -> j.blmpop(BLOCK_SECONDS, ListDirection.LEFT, text)).getMessage());
            assertEquals(WRONGTYPE, assertThrows(JedisDataException.class,
                    () -> j.brpoplpush(dst, text, BLOCK_SECONDS)).getMessage());
            assertEquals(List.of("r1", "m2"), j.lrange(dst, 0, -1), "a BRPOPLPUSH to the wrong type moves nothing");
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void jedisTransactionAndWatch(int protocol) {
        try (Jedis j = jedis(protocol); Jedis other = jedis(protocol)) {
            String p = "jedis:" + protocol + ":tx:";
            String l = p + "list";
            String dst = p + "dst";
            j.del(l, dst, p + "text");
            j.set(p + "text", "x");
            Transaction t = j.multi();
            Response<Long> pushed = t.rpush(l, "a", "b", "c");
            Response<String> moved = t.lmove(l, dst, ListDirection.LEFT, ListDirection.RIGHT);
            Response<Long> bad = t.lpush(p + "text", "nope");
            Response<List<String>> range = t.lrange(l, 0, -1);
            Response<Long> len = t.llen(dst);
            List<Object> results = t.exec();
            assertEquals(5, results.size(), results.toString());
            assertEquals(3L, pushed.get());
            assertEquals("a", moved.get());
            assertInstanceOf(JedisDataException.class, results.get(2), "an error inside EXEC does not abort it");
            assertEquals(WRONGTYPE, assertThrows(JedisDataException.class, bad::get).getMessage());
            assertEquals(List.of("b", "c"), range.get());
            assertEquals(1L, len.get());

            // Another connection pushes to the watched list: EXEC aborts and nothing queued runs.
            assertEquals("OK", j.watch(l));
            assertEquals(3, other.rpush(l, "d"));
            t = j.multi();
            t.lpop(l);
            t.rpush(dst, "from-aborted");
            assertNull(t.exec(), "EXEC after a conflicting push to a watched list");
            assertEquals(List.of("b", "c", "d"), j.lrange(l, 0, -1));
            assertEquals(List.of("a"), j.lrange(dst, 0, -1));

            // A pop by another connection is a change too.
            assertEquals("OK", j.watch(l));
            assertEquals("b", other.lpop(l));
            t = j.multi();
            t.rpush(l, "e");
            assertNull(t.exec());
            assertEquals(List.of("c", "d"), j.lrange(l, 0, -1));

            // A write to another key leaves the watch intact.
            assertEquals("OK", j.watch(l));
            other.rpush(dst, "unrelated");
            t = j.multi();
            Response<String> popped = t.rpop(l);
            Response<Long> left = t.llen(l);
            assertEquals(2, t.exec().size());
            assertEquals("d", popped.get());
            assertEquals(1L, left.get());
        }
    }

    // ---------------------------------------------------------------------------------------------- Lettuce

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @SuppressWarnings("deprecation") // RPOPLPUSH and BRPOPLPUSH are deprecated in the clients, and still served
    void lettuceLists(int protocol) {
        try (StatefulRedisConnection<String, String> c = lettuce(protocol)) {
            RedisCommands<String, String> r = c.sync();
            String p = "lettuce:" + protocol + ":";
            String l = p + "list";
            String dst = p + "dst";
            String other = p + "other";
            String missing = p + "missing";
            String big = p + "big";
            r.del(l, dst, other, missing, big, p + "text");

            assertEquals(2L, r.rpush(l, "b", "c"));
            assertEquals(3L, r.lpush(l, "a"));
            assertEquals(0L, r.lpushx(missing, "x"));
            assertEquals(0L, r.rpushx(missing, "x"));
            assertEquals(0L, r.exists(missing));
            assertEquals(5L, r.rpushx(l, "d", "e"));
            assertEquals(5L, r.llen(l));
            assertEquals(List.of("a", "b", "c", "d", "e"), r.lrange(l, 0, -1));
            assertEquals("a", r.lpop(l));
            assertEquals(List.of("b", "c"), r.lpop(l, 2));
            assertEquals("e", r.rpop(l));
            assertEquals(List.of("d"), r.rpop(l, 3));
            assertEquals(0L, r.exists(l));
            assertNull(r.lpop(missing));
            assertEquals(List.of(), r.lpop(missing, 2), "Lettuce gives an empty list for the null array");

            r.rpush(l, "a", "b", "c", "d", "e");
            assertEquals(List.of("b", "c", "d"), r.lrange(l, 1, 3));
            assertEquals("e", r.lindex(l, -1));
            assertNull(r.lindex(l, 99));
            assertEquals("OK", r.lset(l, 0, "A"));
            assertEquals("ERR index out of range",
                    assertThrows(RedisCommandExecutionException.class, () -> r.lset(l, 9, "x")).getMessage());
            assertEquals("ERR no such key",
                    assertThrows(RedisCommandExecutionException.class, () -> r.lset(missing, 0, "x")).getMessage());
            assertEquals(6L, r.linsert(l, true, "c", "before-c"));
            assertEquals(7L, r.linsert(l, false, "c", "after-c"));
            assertEquals(-1L, r.linsert(l, false, "no-such-pivot", "x"));
            assertEquals(0L, r.linsert(missing, true, "a", "x"));
            assertEquals(List.of("A", "b", "before-c", "c", "after-c", "d", "e"), r.lrange(l, 0, -1));
            r.rpush(l, "c", "c");
            assertEquals(2L, r.lrem(l, -2, "c"));
            assertEquals(1L, r.lrem(l, 0, "c"));
            assertEquals("OK", r.ltrim(l, 1, 3));
            assertEquals(List.of("b", "before-c", "after-c"), r.lrange(l, 0, -1));

            r.del(l);
            r.rpush(l, "a", "b", "c", "1", "2", "3", "c", "b", "a", "c");
            assertEquals(2L, r.lpos(l, "c"));
            assertNull(r.lpos(l, "nothing"));
            assertEquals(6L, r.lpos(l, "c", LPosArgs.Builder.rank(2)));
            assertEquals(9L, r.lpos(l, "c", LPosArgs.Builder.rank(-1)));
            assertEquals(List.of(2L, 6L, 9L), r.lpos(l, "c", 0));
            assertEquals(List.of(9L, 6L), r.lpos(l, "c", 2, LPosArgs.Builder.rank(-1)));
            assertEquals(List.of(2L), r.lpos(l, "c", 0, LPosArgs.Builder.maxlen(5)));
            assertEquals(List.of(), r.lpos(l, "nothing", 0));
            assertTrue(assertThrows(RedisCommandExecutionException.class,
                    () -> r.lpos(l, "c", LPosArgs.Builder.rank(0))).getMessage().startsWith("ERR RANK can't be zero"));

            r.del(l);
            r.rpush(l, "1", "2", "3");
            assertEquals("1", r.lmove(l, dst, LMoveArgs.Builder.leftRight()));
            assertEquals("3", r.lmove(l, dst, LMoveArgs.Builder.rightLeft()));
            assertEquals("2", r.rpoplpush(l, dst));
            assertEquals(0L, r.exists(l));
            assertEquals(List.of("2", "3", "1"), r.lrange(dst, 0, -1));
            assertNull(r.lmove(missing, dst, LMoveArgs.Builder.leftLeft()));
            assertEquals("1", r.lmove(dst, dst, LMoveArgs.Builder.rightLeft()));

            r.rpush(other, "o1", "o2", "o3");
            KeyValue<String, List<String>> popped = r.lmpop(LMPopArgs.Builder.left(), missing, dst, other);
            assertEquals(KeyValue.just(dst, List.of("1")), popped);
            popped = r.lmpop(LMPopArgs.Builder.right().count(5), missing, dst, other);
            assertEquals(KeyValue.just(dst, List.of("3", "2")), popped);
            popped = r.lmpop(LMPopArgs.Builder.left().count(2), dst, other);
            assertEquals(KeyValue.just(other, List.of("o1", "o2")), popped);
            assertNull(r.lmpop(LMPopArgs.Builder.left(), missing, dst));

            List<String> model = elements("e:", MANY);
            assertEquals((long) MANY, r.rpush(big, model.toArray(new String[0])));
            assertEquals(model, r.lrange(big, 0, -1));
            assertEquals("e:250", r.lindex(big, 250));
            assertEquals("OK", r.lset(big, -250, "set"));
            model.set(MANY - 250, "set");
            assertEquals((long) MANY + 1, r.linsert(big, false, "e:10", "after-10"));
            model.add(11, "after-10");
            assertEquals(1L, r.lrem(big, 0, "e:20"));
            model.remove("e:20");
            assertEquals("OK", r.ltrim(big, 5, -6));
            model = new ArrayList<>(model.subList(5, model.size() - 5));
            assertEquals(model, r.lrange(big, 0, -1));
            assertEquals((long) model.size(), r.llen(big));

            r.multi();
            r.rpush(l, "t1", "t2");
            r.lpop(l);
            r.lrange(l, 0, -1);
            TransactionResult tx = r.exec();
            assertFalse(tx.wasDiscarded());
            assertEquals(3, tx.size());
            assertEquals(2L, (Long) tx.get(0));
            assertEquals("t1", tx.get(1));
            assertEquals(List.of("t2"), tx.get(2));

            r.set(p + "text", "x");
            for (LongSupplier call : List.<LongSupplier>of(() -> r.rpush(p + "text", "a"), () -> r.llen(p + "text"),
                    () -> r.lrange(p + "text", 0, -1).size(), () -> r.lpos(p + "text", "a"))) {
                assertEquals(WRONGTYPE,
                        assertThrows(RedisCommandExecutionException.class, call::getAsLong).getMessage());
            }
            assertEquals(WRONGTYPE,
                    assertThrows(RedisCommandExecutionException.class, () -> r.hget(big, "f")).getMessage());
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @SuppressWarnings("deprecation") // RPOPLPUSH and BRPOPLPUSH are deprecated in the clients, and still served
    void lettuceBlockingPops(int protocol) throws Exception {
        try (StatefulRedisConnection<String, String> c = lettuce(protocol);
             StatefulRedisConnection<String, String> b1 = lettuce(protocol);
             StatefulRedisConnection<String, String> b2 = lettuce(protocol)) {
            RedisCommands<String, String> r = c.sync();
            RedisAsyncCommands<String, String> first = b1.async();
            RedisAsyncCommands<String, String> second = b2.async();
            Supplier<String> info = () -> r.info("clients");
            String p = "lettuce:" + protocol + ":b:";
            String q = p + "queue";
            String q2 = p + "queue2";
            String dst = p + "dst";
            r.del(q, q2, dst, p + "text");

            RedisFuture<KeyValue<String, String>> a = first.blpop((double) BLOCK_SECONDS, q);
            awaitBlocked(info, 1, a);
            RedisFuture<KeyValue<String, String>> bb = second.blpop((double) BLOCK_SECONDS, q);
            awaitBlocked(info, 2, bb);
            assertEquals(1L, r.rpush(q, "one"));
            assertEquals(KeyValue.just(q, "one"), a.get(BLOCK_SECONDS, TimeUnit.SECONDS));
            stillBlocked(bb, "the second blocked client was served by a push of one element");
            assertEquals(1L, r.lpush(q, "two"));
            assertEquals(KeyValue.just(q, "two"), bb.get(BLOCK_SECONDS, TimeUnit.SECONDS));

            RedisFuture<KeyValue<String, String>> tail = first.brpop((double) BLOCK_SECONDS, q2, q);
            awaitBlocked(info, 1, tail);
            r.multi();
            r.rpush(q2, "x", "y");
            r.lpush(q2, "z");
            r.rpush(dst, "unrelated");
            TransactionResult tx = r.exec();
            assertEquals(List.of(2L, 3L, 1L), tx.stream().toList());
            assertEquals(KeyValue.just(q2, "y"), tail.get(BLOCK_SECONDS, TimeUnit.SECONDS),
                    "woken once EXEC has run, on the list it left");
            assertEquals(List.of("z", "x"), r.lrange(q2, 0, -1));
            r.del(q, q2, dst);

            RedisFuture<String> move = first.blmove(q, dst, LMoveArgs.Builder.leftRight(), (double) BLOCK_SECONDS);
            awaitBlocked(info, 1, move);
            RedisFuture<String> rpoplpush = second.brpoplpush((double) BLOCK_SECONDS, q2, dst);
            awaitBlocked(info, 2, rpoplpush);
            r.rpush(q2, "from-q2");
            assertEquals("from-q2", rpoplpush.get(BLOCK_SECONDS, TimeUnit.SECONDS));
            stillBlocked(move, "BLMOVE on another key was woken");
            r.rpush(q, "from-q");
            assertEquals("from-q", move.get(BLOCK_SECONDS, TimeUnit.SECONDS));
            assertEquals(List.of("from-q2", "from-q"), r.lrange(dst, 0, -1));

            RedisFuture<KeyValue<String, List<String>>> mpop =
                    first.blmpop((double) BLOCK_SECONDS, LMPopArgs.Builder.right().count(10), q, q2);
            awaitBlocked(info, 1, mpop);
            r.rpush(q, "1", "2", "3");
            assertEquals(KeyValue.just(q, List.of("3", "2", "1")), mpop.get(BLOCK_SECONDS, TimeUnit.SECONDS));
            assertEquals(0L, r.exists(q));

            timesOut(() -> r.blpop(0.2, q), "BLPOP 0.2");
            timesOut(() -> r.brpop(0.25, q, q2), "BRPOP 0.25");
            timesOut(() -> r.blmove(q, dst, LMoveArgs.Builder.rightRight(), 0.2), "BLMOVE 0.2");
            timesOut(() -> r.brpoplpush(0.2, q, dst), "BRPOPLPUSH 0.2");
            timesOut(() -> r.blmpop(0.2, LMPopArgs.Builder.left(), q, q2), "BLMPOP 0.2");

            r.set(p + "text", "x");
            assertEquals(WRONGTYPE, assertThrows(RedisCommandExecutionException.class,
                    () -> r.blpop((double) BLOCK_SECONDS, p + "text")).getMessage());
            assertEquals(WRONGTYPE, assertThrows(RedisCommandExecutionException.class,
                    () -> r.blmpop((double) BLOCK_SECONDS, LMPopArgs.Builder.left(), p + "text")).getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------- restart

    /**
     * Lists written through Jedis, some before a SAVE (in the snapshot) and some after (in the WAL only), are the
     * same after the server and its database are closed and opened again on the same directory, twice.
     */
    @Test
    void listsSurviveARestart(@TempDir Path data) throws Exception {
        Map<String, List<String>> expected = new HashMap<>();
        Qrrot restartDb = TestBackends.open(data);
        QrrotServer restartServer = TestBackends.start(restartDb, TestBackends.options());
        try {
            try (Jedis j = jedis(2, restartServer.port())) {
                List<String> big = elements("big:", MANY);
                j.rpush("big", big.toArray(new String[0]));
                j.rpush("small", "a", "b", "c");
                j.rpush("emptied", "x");
                j.rpush("queue", "q1", "q2", "q3");
                assertEquals("OK", j.save());
                // After the snapshot: only in the WAL.
                j.lset("big", 10, "set:10");
                big.set(10, "set:10");
                j.linsert("big", ListPosition.AFTER, "big:500", "inserted");
                big.add(501, "inserted");
                j.ltrim("big", 1, -2);
                big = new ArrayList<>(big.subList(1, big.size() - 1));
                j.lpush("small", "head");
                j.lrem("small", 1, "b");
                j.lpop("emptied");
                j.lmove("queue", "processing", ListDirection.LEFT, ListDirection.RIGHT);
                j.rpush("new", "n1", "", "n3");
                expected.put("big", big);
                expected.put("small", List.of("head", "a", "c"));
                expected.put("queue", List.of("q2", "q3"));
                expected.put("processing", List.of("q1"));
                expected.put("new", List.of("n1", "", "n3"));
                assertLists(j, expected);
            }
            for (int restart = 1; restart <= 2; restart++) {
                restartServer.close();
                restartDb.close();
                restartDb = null;
                restartDb = TestBackends.open(data);
                restartServer = TestBackends.start(restartDb, TestBackends.options());
                try (Jedis j = jedis(3, restartServer.port())) {
                    assertLists(j, expected);
                    assertFalse(j.exists("emptied"), "restart " + restart);
                    assertEquals(5L, j.dbSize(), "restart " + restart);
                }
            }
        } finally {
            restartServer.close();
            TestBackends.close(restartDb);
        }
    }

    private static void assertLists(Jedis j, Map<String, List<String>> expected) {
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            assertEquals("list", j.type(e.getKey()), e.getKey());
            assertEquals(e.getValue(), j.lrange(e.getKey(), 0, -1), e.getKey());
            assertEquals(e.getValue().size(), j.llen(e.getKey()), e.getKey());
        }
    }
}
