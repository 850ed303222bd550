package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.LatencyListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What SLOWLOG, LATENCY and MEMORY answer where qrrot differs from Redis by design (its own figures and
 * events), and the seams the database reports its fsyncs and compactions through.
 */
class DiagnosticsTest {
    @TempDir
    static Path dir;
    private static DurableQrrot db;
    private static QrrotServer server;

    @BeforeAll
    static void start() throws Exception {
        db = TestBackends.open(dir);
        server = TestBackends.start(db, TestBackends.options());
    }

    @AfterAll
    static void stop() {
        server.close();
        TestBackends.close(db);
    }

    private static RawClient client() throws Exception {
        return new RawClient(server.port());
    }

    private static long usage(RawClient c, String key) throws Exception {
        String reply = c.call("MEMORY", "USAGE", key);
        assertTrue(reply.matches(":\\d+\r\n"), reply);
        return Long.parseLong(reply.substring(1, reply.length() - 2));
    }

    // ---------------------------------------------------------------- MEMORY

    @Test
    void memoryUsageGrowsWithTheValue() throws Exception {
        try (RawClient c = client()) {
            c.call("SET", "mu:small", "x".repeat(10));
            c.call("SET", "mu:large", "x".repeat(10_000));
            long small = usage(c, "mu:small");
            long large = usage(c, "mu:large");
            assertTrue(small >= 10 + "mu:small".length() && small < 200, "10-byte string: " + small);
            assertTrue(large >= 10_000 && large > small + 9_000, "10,000-byte string " + large + " vs " + small);
            assertEquals(":" + small + "\r\n", c.call("MEMORY", "USAGE", "mu:small", "SAMPLES", "0"),
                    "exact, whatever the samples");

            for (int i = 0; i < 1000; i++) {
                if (i < 10) {
                    c.call("HSET", "mu:hash10", "field" + i, "value" + i);
                }
                c.call("HSET", "mu:hash1000", "field" + i, "value" + i);
            }
            long h10 = usage(c, "mu:hash10");
            long h1000 = usage(c, "mu:hash1000");
            assertTrue(h1000 > h10 + 990 * 10, "a hash of 1,000 fields " + h1000 + " vs of 10: " + h10);

            String[] push = new String[1002];
            push[0] = "RPUSH";
            push[1] = "mu:list";
            for (int i = 0; i < 1000; i++) {
                push[i + 2] = "element-" + i;
            }
            c.call(push);
            c.call("RPUSH", "mu:shortlist", "a", "b");
            assertTrue(usage(c, "mu:list") > usage(c, "mu:shortlist") + 1000 * 9, "list nodes are counted");
            for (int i = 0; i < 300; i++) {
                c.call("ZADD", "mu:zset", Integer.toString(i), "member-" + i);
            }
            c.call("ZADD", "mu:shortzset", "1", "a");
            assertTrue(usage(c, "mu:zset") > usage(c, "mu:shortzset") + 300 * 16, "table and score index counted");

            c.call("SET", "mu:gone", "v", "PX", "1");
            Thread.sleep(20);
            assertEquals("$-1\r\n", c.call("MEMORY", "USAGE", "mu:gone"), "an expired key is missing");
            c.call("DEL", "mu:small");
            assertEquals("$-1\r\n", c.call("MEMORY", "USAGE", "mu:small"));
        }
    }

    @Test
    void memoryStatsHasRedisFieldNamesInRedisOrder() throws Exception {
        try (RawClient c = client()) {
            c.call("SET", "ms:k", "v");
            c.call("HELLO", "3");
            String reply = c.call("MEMORY", "STATS");
            assertTrue(reply.startsWith("%14\r\n"), reply);
            List<String> names = new ArrayList<>();
            Matcher m = Pattern.compile("\\$\\d+\r\n([a-z0-9.-]+)\r\n").matcher(reply);
            while (m.find()) {
                names.add(m.group(1));
            }
            assertEquals(List.of("peak.allocated", "total.allocated", "startup.allocated", "clients.normal", "db.0",
                    "overhead.hashtable.main", "overhead.total", "keys.count", "keys.bytes-per-key", "dataset.bytes",
                    "dataset.percentage", "peak.percentage", "allocator.allocated", "fragmentation",
                    "fragmentation.bytes"), names);
            String keys = c.call("DBSIZE");
            assertTrue(reply.contains("keys.count\r\n" + keys), reply);
            assertTrue(reply.matches("(?s).*dataset\\.percentage\r\n,[0-9.]+\r\n.*"), "a RESP3 double: " + reply);
            assertEquals("$45\r\nStats not supported for the current allocator\r\n", c.call("MEMORY", "MALLOC-STATS"));
            assertEquals("+OK\r\n", c.call("MEMORY", "PURGE"));
            assertTrue(c.call("MEMORY", "DOCTOR").startsWith("=" ), "verbatim in RESP3");
        }
    }

    // ---------------------------------------------------------------- SLOWLOG

    @Test
    void slowlogKeepsTheNewestWithTheClientsAddressAndName() throws Exception {
        try (RawClient c = client(); RawClient other = client()) {
            try {
                c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
                c.call("SLOWLOG", "RESET");
                c.call("CLIENT", "SETNAME", "slowpoke");
                c.call("SET", "sl:a", "1");
                String first = c.call("SLOWLOG", "GET", "1");
                assertTrue(first.contains("$4\r\nsl:a\r\n") && first.contains("$8\r\nslowpoke\r\n"), first);
                assertTrue(first.matches("(?s)\\*1\r\n\\*6\r\n:\\d+\r\n:\\d{10}\r\n:\\d+\r\n.*\\$\\d+\r\n127\\.0\\.0\\.1:\\d+\r\n.*"),
                        first);
                long id = Long.parseLong(first.split("\r\n")[2].substring(1));
                c.call("SLOWLOG", "RESET");
                String after = c.call("SLOWLOG", "GET");
                long next = Long.parseLong(after.split("\r\n")[2].substring(1));
                assertTrue(next > id, "ids go on after a reset: " + next + " after " + id);

                c.call("CONFIG", "SET", "slowlog-log-slower-than", "60000000");
                c.call("SLOWLOG", "RESET");
                other.call("PING");
                assertEquals(":0\r\n", c.call("SLOWLOG", "LEN"), "nothing takes a minute");
                c.call("CONFIG", "SET", "slowlog-max-len", "0");
                c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
                other.call("PING");
                assertEquals(":0\r\n", c.call("SLOWLOG", "LEN"), "a log of length 0 keeps nothing");
            } finally {
                c.call("CONFIG", "SET", "slowlog-max-len", "128");
                c.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
            }
        }
    }

    // ---------------------------------------------------------------- LATENCY

    @Test
    void latencyHelpNamesWhatQrrotHas() throws Exception {
        try (RawClient c = client()) {
            String help = c.call("LATENCY", "HELP");
            assertTrue(help.startsWith("*12\r\n+LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"),
                    help);
            assertTrue(help.contains("+LATEST\r\n") && !help.contains("GRAPH") && !help.contains("HISTOGRAM"), help);
            assertEquals("-ERR unknown subcommand 'GRAPH'. Try LATENCY HELP.\r\n", c.call("LATENCY", "GRAPH", "x"));
        }
    }

    @Test
    void aSaveOverTheThresholdIsACompactionEvent() throws Exception {
        try (RawClient c = client()) {
            try {
                c.call("LATENCY", "RESET");
                assertEquals("+OK\r\n", c.call("CONFIG", "SET", "latency-monitor-threshold", "1"));
                StringBuilder pipeline = new StringBuilder();
                for (int i = 0; i < 20_000; i++) {
                    pipeline.append(RawClient.multibulk("SET", "lat:" + i, "v".repeat(64)));
                }
                c.send(pipeline.toString());
                for (int i = 0; i < 20_000; i++) {
                    c.read();
                }
                String latest = "";
                for (int i = 0; i < 20 && !latest.contains("compaction"); i++) {
                    c.call("SET", "lat:again", Integer.toString(i));
                    assertEquals("+OK\r\n", c.call("SAVE"));
                    latest = c.call("LATENCY", "LATEST");
                }
                assertTrue(latest.contains("$10\r\ncompaction\r\n"), latest);
                String history = c.call("LATENCY", "HISTORY", "compaction");
                assertTrue(history.matches("(?s)\\*\\d+\r\n\\*2\r\n:\\d{10}\r\n:\\d+\r\n.*"), history);
                assertEquals(":1\r\n", c.call("LATENCY", "RESET", "COMPACTION"), "names match in any case");
                assertEquals("*0\r\n", c.call("LATENCY", "HISTORY", "compaction"));
            } finally {
                c.call("CONFIG", "SET", "latency-monitor-threshold", "0");
                c.call("LATENCY", "RESET");
            }
        }
    }

    @Test
    void theDatabaseReportsItsFsyncsAndCompactions() throws Exception {
        AtomicLong fsyncs = new AtomicLong();
        AtomicLong compactions = new AtomicLong();
        LatencyListener probe = new LatencyListener() {
            @Override
            public void walFsync(long nanos) {
                fsyncs.incrementAndGet();
            }

            @Override
            public void compaction(long nanos) {
                compactions.incrementAndGet();
            }
        };
        try (DurableQrrot own = TestBackends.open(dir.resolve("seam"))) {
            own.setLatencyListener(probe);
            var session = own.newSession();
            long lsn = session.execute(io.qrrot.engine.CommandArgs.of("SET", "k", "v"), DiscardingSink.INSTANCE);
            own.endOfBatch();
            var done = new java.util.concurrent.CompletableFuture<Void>();
            own.whenDurable(lsn, new io.qrrot.recovery.Qrrot.DurabilityListener() {
                @Override
                public void onDurable() {
                    done.complete(null);
                }

                @Override
                public void onFailure(String message) {
                    done.completeExceptionally(new AssertionError(message));
                }
            });
            done.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(fsyncs.get() > 0, "a durable write was fsynced");
            own.saveSnapshot();
            assertTrue(compactions.get() > 0, "SAVE compacts");
            own.setLatencyListener(null);
            long before = compactions.get();
            own.saveSnapshot();
            assertEquals(before, compactions.get(), "null stops telling");
            session.close();
        }
    }

    @Test
    void theMonitorKeepsTheWorstOfEachSecondAndAHistoryOf160() {
        LatencyMonitor m = new LatencyMonitor();
        m.walFsync(5_000_000);
        assertEquals(0, m.latest().size(), "off at threshold 0");
        m.thresholdMillis = 2;
        m.walFsync(1_000_000);
        assertEquals(0, m.latest().size(), "under the threshold");
        m.add("wal-fsync", 3, 1_000);
        m.add("wal-fsync", 9, 1_000);
        m.add("wal-fsync", 4, 1_000);
        assertEquals(List.of(1_000L, 9L), List.of(m.history("wal-fsync").get(0)[0], m.history("wal-fsync").get(0)[1]),
                "one sample a second: its worst");
        for (int i = 1; i <= 200; i++) {
            m.add("wal-fsync", i, 1_000 + i);
        }
        List<long[]> h = m.history("wal-fsync");
        assertEquals(LatencyMonitor.HISTORY, h.size());
        assertEquals(41, h.get(0)[1], "oldest first");
        assertEquals(200, h.get(h.size() - 1)[1]);
        Object[] latest = m.latest().get(0);
        assertEquals(List.of("wal-fsync", 1_200L, 200L, 200L), List.of(latest));
        m.add("compaction", 7, 2_000);
        assertTrue(m.doctor(10_000).contains("2. compaction: 1 latency spikes (average 7ms, mean deviation 0ms"),
                m.doctor(10_000));
        assertEquals(2, m.reset(null));
        assertEquals(0, m.history("wal-fsync").size());
        m.thresholdMillis = 0;
        assertTrue(m.doctor(10_000).startsWith("I'm sorry, Dave, I can't do that."));
    }
}
