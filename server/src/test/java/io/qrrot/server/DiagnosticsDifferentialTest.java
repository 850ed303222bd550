package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SLOWLOG, LATENCY and MEMORY against a real redis-server 7.0: the same requests must get the same reply
 * bytes, once what cannot match is masked (an entry's id, time and duration, the client's port). The
 * figures of MEMORY USAGE and STATS are qrrot's own: {@link DiagnosticsTest} checks them.
 */
@Tag("integration")
class DiagnosticsDifferentialTest {
    @TempDir
    static Path dir;
    private static SideBySide servers;

    @BeforeAll
    static void start() throws Exception {
        servers = SideBySide.start(dir, "the diagnostics differential test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    private static List<String> run(int port, List<String> requests) throws IOException {
        List<String> replies = new ArrayList<>();
        try (RawClient c = new RawClient(port)) {
            c.timeout(5000);
            for (String r : requests) {
                c.send(r);
                replies.add(mask(c.read()));
            }
        }
        return replies;
    }

    /** A slow log entry's id, time and duration become '#', so does a client's port. */
    static String mask(String reply) {
        return reply.replaceAll("\\*6\r\n:\\d+\r\n:\\d+\r\n:\\d+\r\n", "*6\r\n:#\r\n:#\r\n:#\r\n")
                .replaceAll("\\$\\d+\r\n127\\.0\\.0\\.1:\\d+\r\n", "\\$#\r\n127.0.0.1:#\r\n");
    }

    private static void same(List<String> requests) throws IOException {
        List<String> expected = run(servers.redis.port, requests);
        List<String> actual = run(servers.qrrot.port(), requests);
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).equals(cmd("HELLO", "3"))) {
                continue; // names the server and the client id
            }
            assertEquals(expected.get(i), actual.get(i),
                    "reply " + i + " to '" + requests.get(i).replace("\r\n", " ") + "'");
        }
    }

    private static String cmd(String... args) {
        return RawClient.multibulk(args);
    }

    private static List<String> resp3(List<String> script) {
        List<String> out = new ArrayList<>();
        out.add(cmd("HELLO", "3"));
        out.addAll(script);
        return out;
    }

    @Test
    void slowlogGetLenResetInBothProtocols() throws IOException {
        List<String> script = List.of(cmd("CONFIG", "SET", "slowlog-log-slower-than", "0"), cmd("SLOWLOG", "RESET"),
                cmd("SET", "sl:k", "v"), cmd("CLIENT", "SETNAME", "named"), cmd("GET", "sl:k"), cmd("SLOWLOG", "LEN"),
                cmd("SLOWLOG", "GET"), cmd("SLOWLOG", "GET", "2"), cmd("SLOWLOG", "GET", "-1"),
                cmd("SLOWLOG", "GET", "0"), cmd("SLOWLOG", "RESET"), cmd("SLOWLOG", "LEN"), cmd("SLOWLOG", "GET"),
                cmd("CONFIG", "SET", "slowlog-max-len", "3"), cmd("PING"), cmd("PING"), cmd("PING"), cmd("PING"),
                cmd("SLOWLOG", "LEN"), cmd("SLOWLOG", "GET", "-1"), cmd("CONFIG", "SET", "slowlog-max-len", "128"),
                cmd("CONFIG", "SET", "slowlog-log-slower-than", "-1"), cmd("SLOWLOG", "RESET"), cmd("PING"),
                cmd("SLOWLOG", "LEN"), cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000"));
        same(script);
        same(resp3(script));
    }

    @Test
    void slowlogKeepsThirtyTwoArgumentsOfAtMost128Bytes() throws IOException {
        List<String> push = new ArrayList<>(List.of("RPUSH", "sl:list"));
        for (int i = 0; push.size() < 40; i++) {
            push.add("e" + i);
        }
        List<String> script = List.of(cmd("CONFIG", "SET", "slowlog-log-slower-than", "0"), cmd("SLOWLOG", "RESET"),
                cmd(push.toArray(new String[0])), cmd("SET", "sl:big", "x".repeat(300)),
                cmd("SET", "sl:edge", "y".repeat(128)), cmd("SET", "sl:edge", "z".repeat(129)),
                cmd("AUTH", "secret"), cmd("DEL", "sl:list", "sl:big", "sl:edge"), cmd("SLOWLOG", "GET", "-1"),
                cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000"));
        same(script);
        same(resp3(script));
    }

    /** One parameter per CONFIG GET: Redis lists a pattern's matches in its dict's order, seeded per process. */
    @Test
    void slowlogErrorsAndHelp() throws IOException {
        same(List.of(cmd("SLOWLOG"), cmd("SLOWLOG", "FOO"), cmd("SLOWLOG", "GET", "x"), cmd("SLOWLOG", "GET", "-2"),
                cmd("SLOWLOG", "GET", "1", "2"), cmd("SLOWLOG", "LEN", "1"), cmd("SLOWLOG", "RESET", "1"),
                cmd("SLOWLOG", "HELP", "x"), cmd("SLOWLOG", "HELP"), cmd("slowlog", "help"),
                cmd("CONFIG", "GET", "slowlog-max-len"),
                cmd("CONFIG", "GET", "slowlog-log-slower-than"), cmd("CONFIG", "SET", "slowlog-log-slower-than", "x"),
                cmd("CONFIG", "SET", "slowlog-log-slower-than", "-2"), cmd("CONFIG", "SET", "slowlog-max-len", "-1"),
                cmd("CONFIG", "GET", "latency-monitor-threshold"),
                cmd("CONFIG", "SET", "latency-monitor-threshold", "-1")));
    }

    @Test
    void latencyWithTheMonitorOff() throws IOException {
        List<String> script = List.of(cmd("LATENCY", "RESET"), cmd("LATENCY", "LATEST"),
                cmd("LATENCY", "HISTORY", "command"), cmd("LATENCY", "RESET", "command", "nosuch"),
                cmd("LATENCY", "DOCTOR"), cmd("LATENCY"), cmd("LATENCY", "FOO"), cmd("LATENCY", "HISTORY"),
                cmd("LATENCY", "HISTORY", "a", "b"), cmd("LATENCY", "LATEST", "x"), cmd("LATENCY", "DOCTOR", "x"),
                cmd("LATENCY", "HELP", "x"));
        same(script);
        same(resp3(script));
    }

    @Test
    void memoryUsageOfAMissingKeyAndItsErrors() throws IOException {
        List<String> script = List.of(cmd("MEMORY", "USAGE", "mem:nosuch"),
                cmd("MEMORY", "USAGE", "mem:nosuch", "SAMPLES", "0"), cmd("MEMORY", "USAGE"), cmd("MEMORY"),
                cmd("MEMORY", "USAGE", "mem:nosuch", "SAMPLES"), cmd("MEMORY", "USAGE", "mem:nosuch", "SAMPLES", "x"),
                cmd("MEMORY", "USAGE", "mem:nosuch", "SAMPLES", "-1"), cmd("MEMORY", "USAGE", "mem:nosuch", "FOO", "1"),
                cmd("MEMORY", "USAGE", "mem:nosuch", "samples", "5", "samples", "x"), cmd("MEMORY", "FOO"),
                cmd("MEMORY", "STATS", "x"), cmd("MEMORY", "DOCTOR", "x"), cmd("MEMORY", "PURGE", "x"),
                cmd("MEMORY", "MALLOC-STATS", "x"), cmd("MEMORY", "HELP", "x"), cmd("MEMORY", "HELP"),
                cmd("SET", "mem:k", "v"), cmd("MEMORY", "USAGE", "mem:k", "SAMPLES", "x"),
                cmd("MEMORY", "USAGE", "mem:k", "BAD"), cmd("DEL", "mem:k"));
        same(script);
        same(resp3(script));
    }
}
