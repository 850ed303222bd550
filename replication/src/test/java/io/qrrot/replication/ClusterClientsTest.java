package io.qrrot.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.qrrot.recovery.Slots;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Real cluster clients against a real three-node group, each node served by its own {@link io.qrrot.server.QrrotServer}
 * on 127.0.0.1, across a failover: the leader is killed (its server closed, then its database) while the client
 * keeps the same client object, retries its writes as an application would during an election (for up to
 * {@value #RETRY_SECONDS} s each) and must end up writing through the new leader; every write acknowledged before or
 * after the failover must then read back exactly. Plus a plain connection to a follower: MOVED to the leader
 * without READONLY, the value after READONLY, also on a killed node restarted on its own directory and ports.
 */
@Tag("integration")
class ClusterClientsTest {
    private static final long ELECTION_MILLIS = 400;
    private static final long RETRY_SECONDS = 30;
    private static final int BEFORE = 20;
    private static final int AFTER = 20;

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- Jedis

    @Test
    void jedisClusterFollowsTheNewLeader() throws Exception {
        try (ServedGroup g = new ServedGroup(dir, 3, ELECTION_MILLIS)) {
            int leader = g.awaitLeader(60);
            Set<HostAndPort> seeds = new HashSet<>();
            for (int i = 0; i < g.size(); i++) {
                seeds.add(new HostAndPort("127.0.0.1", g.port(i)));
            }
            JedisClientConfig config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000)
                    .socketTimeoutMillis(5000).build();
            Map<String, String> written = new LinkedHashMap<>();
            List<Long> counter = new ArrayList<>();
            try (JedisCluster jc = new JedisCluster(seeds, config, 5)) {
                for (int i = 0; i < BEFORE; i++) {
                    assertEquals("OK", jc.set("jedis:k" + i, "before-" + i));
                    written.put("jedis:k" + i, "before-" + i);
                    counter.add(jc.incr("jedis:counter"));
                }
                assertEquals("before-7", jc.get("jedis:k7"));
                assertEquals(BEFORE, Long.parseLong(jc.get("jedis:counter")));

                g.kill(leader);

                for (int i = BEFORE; i < BEFORE + AFTER; i++) {
                    String key = "jedis:k" + i;
                    String value = "after-" + i;
                    assertEquals("OK", retry("SET " + key, () -> jc.set(key, value)));
                    written.put(key, value);
                    counter.add(retry("INCR jedis:counter", () -> jc.incr("jedis:counter")));
                }
                int newLeader = g.awaitLeaderOtherThan(leader, 60);
                assertNotEquals(leader, newLeader);
                for (Map.Entry<String, String> e : written.entrySet()) {
                    assertEquals(e.getValue(), retry("GET " + e.getKey(), () -> jc.get(e.getKey())), e.getKey());
                }
                assertCounter(counter, retry("GET jedis:counter", () -> jc.get("jedis:counter")));
            }
        }
    }

    // ---------------------------------------------------------------- Lettuce

    /**
     * Lettuce sends a command for a slot to the master its partition table names and follows MOVED replies on
     * its own (up to {@code maxRedirects}), but a MOVED alone does not change the table, and while the killed
     * leader is still the master of every slot there, a command waits in the buffer of a connection that cannot
     * reconnect until the command timeout. What makes it follow the new leader is a topology refresh
     * ({@code CLUSTER NODES} asked of the nodes it knows). Lettuce 7.7 enables every adaptive refresh trigger by
     * default (MOVED redirection, persistent reconnects after 5 attempts, ...; at most one refresh per 5 s):
     * with default options the first write after the kill timed out twice (5 s each) before a retry went to the
     * new leader. Here the adaptive triggers fire sooner (after 2 reconnect attempts, one refresh per 500 ms at
     * most), and a periodic refresh every second catches the new leader even without a trigger: with it added
     * to the default triggers, the write waiting for the dead node went on to the new leader and no error reached
     * the application.
     * ({@code DisconnectedBehavior.REJECT_COMMANDS} is no help: it also rejects the first command for a node
     * whose connection is still being made.)
     */
    @Test
    void lettuceClusterClientFollowsTheNewLeader() throws Exception {
        try (ServedGroup g = new ServedGroup(dir, 3, ELECTION_MILLIS)) {
            int leader = g.awaitLeader(60);
            List<RedisURI> seeds = new ArrayList<>();
            for (int i = 0; i < g.size(); i++) {
                seeds.add(RedisURI.builder().withHost("127.0.0.1").withPort(g.port(i))
                        .withTimeout(Duration.ofSeconds(5)).build());
            }
            RedisClusterClient client = RedisClusterClient.create(seeds);
            client.setOptions(ClusterClientOptions.builder()
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                            .refreshTriggersReconnectAttempts(2)
                            .enablePeriodicRefresh(Duration.ofSeconds(1))
                            .build())
                    .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5)))
                    .build());
            Map<String, String> written = new LinkedHashMap<>();
            List<Long> counter = new ArrayList<>();
            try (StatefulRedisClusterConnection<String, String> conn = client.connect()) {
                RedisAdvancedClusterCommands<String, String> c = conn.sync();
                for (int i = 0; i < BEFORE; i++) {
                    assertEquals("OK", c.set("lettuce:k" + i, "before-" + i));
                    written.put("lettuce:k" + i, "before-" + i);
                    counter.add(c.incr("lettuce:counter"));
                }
                assertEquals("before-7", c.get("lettuce:k7"));
                assertEquals(BEFORE, Long.parseLong(c.get("lettuce:counter")));

                g.kill(leader);

                for (int i = BEFORE; i < BEFORE + AFTER; i++) {
                    String key = "lettuce:k" + i;
                    String value = "after-" + i;
                    assertEquals("OK", retry("SET " + key, () -> c.set(key, value)));
                    written.put(key, value);
                    counter.add(retry("INCR lettuce:counter", () -> c.incr("lettuce:counter")));
                }
                g.awaitLeaderOtherThan(leader, 60);
                for (Map.Entry<String, String> e : written.entrySet()) {
                    assertEquals(e.getValue(), retry("GET " + e.getKey(), () -> c.get(e.getKey())), e.getKey());
                }
                assertCounter(counter, retry("GET lettuce:counter", () -> c.get("lettuce:counter")));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
            }
        }
    }

    // ---------------------------------------------------------------- redis-py

    @Test
    void redisPyClusterFollowsTheNewLeader() throws Exception {
        String python = redisPy();
        try (ServedGroup g = new ServedGroup(dir, 3, ELECTION_MILLIS)) {
            int leader = g.awaitLeader(60);
            List<String> command = new ArrayList<>(List.of(python, script("cluster_failover.py").toString()));
            for (int i = 0; i < g.size(); i++) {
                command.add(Integer.toString(g.port(i)));
            }
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            pb.environment().put("PYTHONUNBUFFERED", "1");
            Process p = pb.start();
            StringBuilder transcript = new StringBuilder();
            Map<String, String> wrote = new TreeMap<>();
            Map<String, String> read = new TreeMap<>();
            boolean done = false;
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
                Thread watchdog = new Thread(() -> {
                    try {
                        if (!p.waitFor(150, TimeUnit.SECONDS)) {
                            p.destroyForcibly(); // ends the output, so the reading below ends
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "redis-py-watchdog");
                watchdog.setDaemon(true);
                watchdog.start();
                String line;
                while ((line = out.readLine()) != null) {
                    transcript.append(line).append('\n');
                    String[] f = line.split(" ", 3);
                    switch (f[0]) {
                        case "WROTE" -> wrote.put(f[1], f[2]);
                        case "READ" -> read.put(f[1], f[2]);
                        case "PHASE1" -> {
                            assertEquals(BEFORE, wrote.size(), transcript.toString());
                            g.kill(leader);
                            in.write("KILLED\n");
                            in.flush();
                        }
                        case "DONE" -> done = true;
                        default -> {
                        }
                    }
                }
            } finally {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            System.out.print(transcript);
            assertTrue(done, "the script did not finish; its output:\n" + transcript);
            assertEquals(0, p.exitValue(), "the script failed; its output:\n" + transcript);
            Map<String, String> expected = new TreeMap<>();
            for (int i = 0; i < BEFORE; i++) {
                expected.put("py:k" + i, "before-" + i);
            }
            for (int i = BEFORE; i < BEFORE + AFTER; i++) {
                expected.put("py:k" + i, "after-" + i);
            }
            assertEquals(expected, wrote, transcript.toString());
            assertEquals(expected, read, transcript.toString());
            // and the group itself, asked directly at the new leader, has every one of them
            int newLeader = g.awaitLeaderOtherThan(leader, 60);
            try (Jedis j = new Jedis("127.0.0.1", g.port(newLeader), 5000)) {
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    assertEquals(e.getValue(), retry("GET " + e.getKey(), () -> j.get(e.getKey())), e.getKey());
                }
            }
        }
    }

    // ---------------------------------------------------------------- READONLY on a follower

    @Test
    void aFollowerRedirectsUnlessReadOnlyAlsoAfterAFailoverAndARestart() throws Exception {
        try (ServedGroup g = new ServedGroup(dir, 3, ELECTION_MILLIS)) {
            int leader = g.awaitLeader(60);
            try (Jedis l = new Jedis("127.0.0.1", g.port(leader), 5000)) {
                assertEquals("OK", l.set("ro:k", "v1"));
                // snapshots of a member do not exist yet: said at once, no fold started
                redis.clients.jedis.exceptions.JedisDataException save = org.junit.jupiter.api.Assertions.assertThrows(
                        redis.clients.jedis.exceptions.JedisDataException.class, l::save);
                assertEquals("ERR a member of a replicated group keeps its data in the Raft log; snapshots of a member"
                        + " (SAVE, BGSAVE, SNAPSHOT) are not built yet", save.getMessage());
            }
            int slot = Slots.of("ro:k".getBytes(StandardCharsets.UTF_8));
            for (int f = 0; f < g.size(); f++) {
                if (f != leader) {
                    assertFollower(g, f, leader, slot, "v1");
                }
            }

            g.kill(leader);
            int newLeader = g.awaitLeaderOtherThan(leader, 60);
            try (Jedis l = new Jedis("127.0.0.1", g.port(newLeader), 5000)) {
                assertEquals("OK", retry("SET ro:k", () -> l.set("ro:k", "v2")));
            }
            int follower = 3 - leader - newLeader;
            assertFollower(g, follower, newLeader, slot, "v2");

            g.restart(leader); // the old leader comes back as a follower and catches up
            assertFollower(g, leader, newLeader, slot, "v2");
        }
    }

    /**
     * A follower left alone (its leader and the other follower killed) cannot elect anyone. It still describes
     * the last leader as the owner of every slot (whether it still takes it for the leader, as it usually does:
     * with Ratis's pre-vote a lone follower's elections never start a new term, or has forgotten it, see
     * {@code Cluster.View#ownerId}), as a Redis replica keeps describing a failed master until a failover, so
     * cluster clients keep a complete topology and retry the connection errors it brings. Its READONLY reads
     * still work.
     */
    @Test
    void withoutAMajorityTheLastLeaderStillOwnsEverySlot() throws Exception {
        try (ServedGroup g = new ServedGroup(dir, 3, ELECTION_MILLIS)) {
            int leader = g.awaitLeader(60);
            int f1 = (leader + 1) % 3;
            int f2 = (leader + 2) % 3;
            try (Jedis l = new Jedis("127.0.0.1", g.port(leader), 5000)) {
                assertEquals("OK", retry("SET alone:k", () -> l.set("alone:k", "v1")));
            }
            g.kill(f1);
            g.kill(leader);
            try (Jedis j = new Jedis("127.0.0.1", g.port(f2), 5000)) {
                assertEquals("OK", j.readonly());
                assertEquals("v1", poll(() -> j.get("alone:k"), "v1"));
                // long enough for an election to have started (and failed) several times
                Thread.sleep(5 * ELECTION_MILLIS);
                List<Object> slots = j.clusterSlots();
                assertEquals(1, slots.size(), "CLUSTER SLOTS " + slots);
                List<?> range = (List<?>) slots.get(0);
                assertEquals(0L, range.get(0));
                assertEquals(16383L, range.get(1));
                List<?> master = (List<?>) range.get(2);
                assertEquals("127.0.0.1", new String((byte[]) master.get(0), StandardCharsets.UTF_8));
                assertEquals((long) g.port(leader), master.get(1));
                String masterLine = j.clusterNodes().lines().filter(line -> line.contains(" master "))
                        .reduce((a, b) -> a + " | " + b).orElse("(none)");
                assertTrue(masterLine.contains(" 127.0.0.1:" + g.port(leader) + "@")
                        && masterLine.endsWith(" connected 0-16383"), "CLUSTER NODES master: " + masterLine);
                System.out.println("alone: " + j.clusterInfo().lines().filter(x -> x.startsWith("cluster_state"))
                        .findFirst().orElse("?") + "; SET: " + error(() -> j.set("alone:k", "x")));
            }
        }
    }

    private static String error(Callable<?> call) {
        try {
            return "no error: " + call.call();
        } catch (Exception e) {
            return e.getMessage();
        }
    }

    /**
     * A plain connection to follower {@code f}: GET without READONLY is redirected to {@code leader} (once the
     * follower knows it), with READONLY it returns {@code value} (once applied there).
     */
    private static void assertFollower(ServedGroup g, int f, int leader, int slot, String value) throws Exception {
        String moved = "MOVED " + slot + " 127.0.0.1:" + g.port(leader);
        try (Jedis j = new Jedis("127.0.0.1", g.port(f), 5000)) {
            String got = poll(() -> {
                try {
                    return "value " + j.get("ro:k");
                } catch (JedisDataException e) {
                    return e.getMessage();
                }
            }, moved);
            assertEquals(moved, got, "GET on follower node " + f + " without READONLY");
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.set("ro:k", "x"));
            assertEquals(moved, e.getMessage(), "SET on follower node " + f);
            assertEquals("OK", j.readonly());
            assertEquals(value, poll(() -> j.get("ro:k"), value), "GET on follower node " + f + " after READONLY");
            e = assertThrows(JedisDataException.class, () -> j.set("ro:k", "x"));
            assertEquals(moved, e.getMessage(), "SET on follower node " + f + " after READONLY");
            assertEquals("OK", j.readwrite());
            e = assertThrows(JedisDataException.class, () -> j.get("ro:k"));
            assertEquals(moved, e.getMessage(), "GET on follower node " + f + " after READWRITE");
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The INCR replies acknowledged, in order: 1 to {@value #BEFORE} before the failover, then each larger than
     * the one before (an attempt whose reply was lost may have counted once, unseen); the counter read at the
     * end is the last one acknowledged.
     */
    private static void assertCounter(List<Long> acks, String last) {
        for (int i = 0; i < BEFORE; i++) {
            assertEquals(i + 1, acks.get(i), "INCR reply " + (i + 1) + " of " + acks);
        }
        for (int i = BEFORE; i < acks.size(); i++) {
            assertTrue(acks.get(i) > acks.get(i - 1), "INCR replies not increasing: " + acks);
        }
        assertEquals(Long.toString(acks.get(acks.size() - 1)), last, "the counter after " + acks);
    }

    /** Calls {@code call} until it returns without throwing, for up to {@value #RETRY_SECONDS} s. */
    private static <T> T retry(String what, Callable<T> call) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(RETRY_SECONDS);
        List<String> errors = new ArrayList<>();
        while (true) {
            try {
                T result = call.call();
                if (!errors.isEmpty()) {
                    System.out.println(what + ": succeeded after errors " + errors);
                }
                return result;
            } catch (Exception e) {
                if (errors.size() < 20) {
                    errors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                if (System.nanoTime() > end) {
                    AssertionError failure = new AssertionError(what + " still failing after " + RETRY_SECONDS
                            + " s; first errors: " + errors);
                    failure.addSuppressed(e);
                    throw failure;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Calls {@code call} until it returns {@code expected}, for up to 30 s; the last result. */
    private static <T> T poll(Callable<T> call, T expected) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        T got = call.call();
        while (!expected.equals(got) && System.nanoTime() < end) {
            Thread.sleep(50);
            got = call.call();
        }
        return got;
    }

    /** A python3 that can import redis (redis-py); skips the test when there is none. */
    private static String redisPy() throws Exception {
        List<String> tried = new ArrayList<>();
        for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import redis; print(redis.__version__)")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    tried.add(candidate + ": timed out");
                } else if (p.exitValue() == 0) {
                    return candidate;
                } else {
                    tried.add(candidate + ": " + out.lines().reduce((a, b) -> b).orElse("exit " + p.exitValue()));
                }
            } catch (IOException e) {
                tried.add(candidate + ": " + e.getMessage());
            }
        }
        assumeTrue(false, "redis-py is not available (Debian: apt-get install python3-redis); tried "
                + String.join("; ", tried));
        throw new AssertionError("unreachable");
    }

    private static Path script(String name) throws URISyntaxException {
        java.net.URL url = ClusterClientsTest.class.getResource("/clients/" + name);
        if (url == null) {
            throw new AssertionError("no test resource clients/" + name);
        }
        return Path.of(url.toURI());
    }
}
