package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * INFO against a real redis-server 7.0 after the same workload on both: the same section headers in the same
 * order, every field that both print in the same format (the format is read off Redis' value), and the
 * counters that the workload fixes (calls, refusals, failures, errors, keyspace hits and misses, expired
 * keys, keys) equal. Both servers are fresh, and every INFO of this class goes to both, so their INFO calls
 * stay counted alike.
 */
@Tag("integration")
class InfoDifferentialTest {
    @TempDir
    static Path dir;
    private static SideBySide servers;

    /** Sent to both before the sleep that lets {@code tmp} expire. */
    private static final List<String[]> BEFORE_EXPIRY = List.of(
            cmd("SET", "k1", "v"), cmd("GET", "k1"), cmd("GET", "missing"), cmd("SET", "counter", "5"),
            cmd("INCR", "counter"), cmd("SET", "tmp", "v", "PX", "20"));
    /** Then: a miss on the expired key, WRONGTYPE, an unknown command, an arity error, transactions. */
    private static final List<String[]> AFTER_EXPIRY = List.of(
            cmd("GET", "tmp"), cmd("LPUSH", "list", "x"), cmd("GET", "list"), cmd("SET", "ttl", "v", "EX", "1000"),
            cmd("FOO", "bar"), cmd("GET"),
            cmd("MULTI"), cmd("SET", "k2", "w"), cmd("GET", "k2"), cmd("INCR", "k1"), cmd("EXEC"),
            cmd("MULTI"), cmd("GET"), cmd("EXEC"), cmd("EXEC"), cmd("DISCARD"), cmd("PING"));

    @BeforeAll
    static void startAndRunTheWorkload() throws Exception {
        servers = SideBySide.start(dir, "the INFO differential test");
        try (RawClient redis = new RawClient(servers.redis.port); RawClient qrrot = new RawClient(servers.qrrot.port())) {
            sameReplies(redis, qrrot, BEFORE_EXPIRY);
            Thread.sleep(200);
            sameReplies(redis, qrrot, AFTER_EXPIRY);
        }
        try (RawClient redis = new RawClient(servers.redis.port); RawClient qrrot = new RawClient(servers.qrrot.port())) {
            assertEquals(redis.send("*x\r\n").read(), qrrot.send("*x\r\n").read(), "a protocol error");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    private static String[] cmd(String... args) {
        return args;
    }

    private static void sameReplies(RawClient redis, RawClient qrrot, List<String[]> requests) throws IOException {
        for (String[] r : requests) {
            assertEquals(redis.call(r), qrrot.call(r), "reply to " + String.join(" ", r));
        }
    }

    /** INFO with {@code args} on each server (Redis first): [redis, qrrot]. */
    private static InfoText[] info(String... args) throws IOException {
        String[] command = new String[args.length + 1];
        command[0] = "INFO";
        System.arraycopy(args, 0, command, 1, args.length);
        try (RawClient redis = new RawClient(servers.redis.port); RawClient qrrot = new RawClient(servers.qrrot.port())) {
            return new InfoText[] {InfoText.ofReply(redis.call(command)), InfoText.ofReply(qrrot.call(command))};
        }
    }

    // ---------------------------------------------------------------- (a) sections

    @Test
    void sameSectionsInTheSameOrderForEveryWayOfAsking() throws IOException {
        // No Redis section is missing from qrrot: "# Modules" is printed empty, as by a Redis with no module
        // loaded. INFO everything adds each module's own sections, none here.
        for (String[] args : List.of(new String[0], new String[] {"everything"}, new String[] {"all"},
                new String[] {"default"}, new String[] {"commandstats"}, new String[] {"errorstats"},
                new String[] {"latencystats"}, new String[] {"keyspace"}, new String[] {"STATS"},
                new String[] {"Replication"}, new String[] {"stats", "cpu"}, new String[] {"cpu", "stats"},
                new String[] {"modules"}, new String[] {"default", "commandstats"}, new String[] {"nosuch"},
                new String[] {"stats", "nosuch"})) {
            InfoText[] both = info(args);
            assertEquals(both[0].headers(), both[1].headers(), "section headers of INFO " + String.join(" ", args));
        }
    }

    @Test
    void anUnknownSectionIsAnEmptyString() throws IOException {
        try (RawClient redis = new RawClient(servers.redis.port); RawClient qrrot = new RawClient(servers.qrrot.port())) {
            assertEquals("$0\r\n\r\n", redis.call("INFO", "nosuch"));
            assertEquals("$0\r\n\r\n", qrrot.call("INFO", "nosuch"));
        }
    }

    // ---------------------------------------------------------------- (b) formats

    private static final String INT = "-?\\d+";
    private static final String CMDSTAT = "calls=\\d+,usec=\\d+,usec_per_call=\\d+\\.\\d{2},rejected_calls=\\d+,failed_calls=\\d+";
    private static final String LATENCY = "p50=\\d+\\.\\d{3},p99=\\d+\\.\\d{3},p99\\.9=\\d+\\.\\d{3}";
    private static final String KEYSPACE = "keys=\\d+,expires=\\d+,avg_ttl=\\d+";

    /** The format of a field, as a regular expression, read off Redis' name and value. */
    static String formatOf(String field, String redisValue) {
        if (field.startsWith("cmdstat_")) {
            return CMDSTAT;
        }
        if (field.startsWith("latency_percentiles_usec_")) {
            return LATENCY;
        }
        if (field.startsWith("errorstat_")) {
            return "count=\\d+";
        }
        if (field.matches("db\\d+")) {
            return KEYSPACE;
        }
        if (redisValue.matches("[0-9a-f]{40}")) {
            return "[0-9a-f]{40}";
        }
        if (redisValue.matches(INT)) {
            return INT;
        }
        Matcher decimals = Pattern.compile("-?\\d+\\.(\\d+)").matcher(redisValue);
        if (decimals.matches()) {
            return "-?\\d+\\.\\d{" + decimals.group(1).length() + "}";
        }
        if (redisValue.matches("\\d+\\.\\d{2}%")) {
            return "\\d+\\.\\d{2}%";
        }
        if (redisValue.matches("\\d+B|\\d+\\.\\d{2}[KMGTPE]")) {
            return "\\d+B|\\d+\\.\\d{2}[KMGTPE]"; // bytesToHuman
        }
        if (redisValue.matches("[a-z][a-z0-9_-]*")) {
            return "[a-z][a-z0-9_-]*"; // a state word: ok, master, no-failover, epoll, noeviction
        }
        return ".*"; // free text: os, executable, config_file
    }

    @Test
    void everyFieldBothPrintHasRedisFormat() throws IOException {
        for (String[] args : List.of(new String[] {"everything"}, new String[0], new String[] {"commandstats"},
                new String[] {"errorstats"}, new String[] {"latencystats"}, new String[] {"keyspace"},
                new String[] {"stats", "cpu"})) {
            InfoText[] both = info(args);
            List<String> wrong = new ArrayList<>();
            int compared = 0;
            for (Map.Entry<String, String> f : both[0].fields().entrySet()) {
                String q = both[1].fields().get(f.getKey());
                if (q == null) {
                    continue;
                }
                compared++;
                String format = formatOf(f.getKey(), f.getValue());
                if (!q.matches(format)) {
                    wrong.add(f.getKey() + ": redis '" + f.getValue() + "', qrrot '" + q + "' (format " + format + ")");
                }
            }
            assertEquals(List.of(), wrong, "fields of INFO " + String.join(" ", args) + " not in Redis' format");
            assertTrue(compared > (args.length == 1 && args[0].equals("everything") ? 90 : 0),
                    "fields compared: " + compared);
        }
    }

    @Test
    void latencyPercentilesAreUpperBoundsOfTheBuckets() throws IOException {
        // A deliberate difference: Redis keeps an HDR histogram (3 significant digits); qrrot counts calls in
        // microsecond buckets, four to a power of two, and reports the upper bound of the bucket holding the percentile.
        InfoText qrrot = info("latencystats")[1];
        assertTrue(qrrot.fields().size() > 3, qrrot.text());
        for (Map.Entry<String, String> f : qrrot.fields().entrySet()) {
            for (String kv : f.getValue().split(",")) {
                double v = Double.parseDouble(kv.substring(kv.indexOf('=') + 1));
                assertTrue(isBucketBound(v), f.getKey() + ":" + f.getValue());
            }
        }
    }

    /** A bound of the buckets: 1 to 4 µs, then (5 + s) 2^e µs for s in 0..3. */
    private static boolean isBucketBound(double v) {
        if (v != (long) v || v < 1) {
            return false;
        }
        long n = (long) v;
        if (n <= 4) {
            return true;
        }
        long mantissa = n >> Long.numberOfTrailingZeros(n);
        return mantissa == 5 || mantissa == 3 || mantissa == 7 || mantissa == 1;
    }

    // ---------------------------------------------------------------- (c) values

    @Test
    void theWorkloadsCountersAreEqual() throws IOException {
        InfoText[] both = info("everything");
        InfoText redis = both[0];
        InfoText qrrot = both[1];
        for (String field : List.of("keyspace_hits", "keyspace_misses", "expired_keys", "total_error_replies",
                "evicted_keys", "pubsub_channels", "pubsub_patterns", "connected_slaves", "role", "cluster_enabled",
                "master_repl_offset", "blocked_clients", "maxmemory", "maxmemory_policy", "redis_version",
                "redis_mode", "rdb_bgsave_in_progress", "rdb_last_bgsave_status", "loading")) {
            assertEquals(redis.get(field), qrrot.get(field), field);
        }
        assertEquals(3, qrrot.number("keyspace_hits"), "GET k1, GET list (then WRONGTYPE), GET k2 in EXEC");
        assertEquals(2, qrrot.number("keyspace_misses"), "GET missing, GET tmp once expired");
        assertEquals(1, qrrot.number("expired_keys"));
        assertEquals(9, qrrot.number("total_error_replies"), "WRONGTYPE, the unknown command, two arity errors, INCR's"
                + " error in EXEC, EXECABORT, EXEC and DISCARD without MULTI, the protocol error");
        // Calls counted per command as Redis counts them: INFO's own calls too (this class asks both alike).
        assertEquals(counts(redis.startingWith("cmdstat_")), counts(qrrot.startingWith("cmdstat_")),
                "calls, rejected_calls, failed_calls per command");
        assertEquals(redis.startingWith("errorstat_"), qrrot.startingWith("errorstat_"));
        assertEquals(List.copyOf(redis.startingWith("errorstat_").keySet()),
                List.copyOf(qrrot.startingWith("errorstat_").keySet()), "errorstats sorted by name, as Redis' rax");
        assertEquals(redis.startingWith("latency_percentiles_usec_").keySet(),
                qrrot.startingWith("latency_percentiles_usec_").keySet(), "latencystats: the commands that ran");
        assertEquals(redis.part("db0", "keys"), qrrot.part("db0", "keys"));
        assertEquals(redis.part("db0", "expires"), qrrot.part("db0", "expires"));
        assertEquals(redis.number("total_commands_processed"), qrrot.number("total_commands_processed"),
                "calls only: refused and unknown commands are not processed, queued ones count when EXEC runs them");
    }

    /** calls, rejected_calls and failed_calls of each cmdstat line (usec differs by nature). */
    private static Map<String, String> counts(Map<String, String> cmdstats) {
        Map<String, String> m = new TreeMap<>();
        cmdstats.forEach((k, v) -> m.put(k, v.replaceAll(",usec=\\d+,usec_per_call=[0-9.]+", "")));
        return m;
    }
}
