package io.qrrot.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qrrot.server.ServerStats;
import io.qrrot.testkit.Addresses;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** {@code /metrics} of a real server and database over loopback HTTP: the series, their values, the access rules. */
class MetricsEndpointTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*})?) (\\S+)$");

    @TempDir
    Path dir;
    private Served served;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (served != null) {
            served.close();
        }
    }

    private void start(String bind, String password) throws Exception {
        served = new Served(dir.resolve("data"), bind, password);
    }

    private HttpResponse<String> get(String host, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://" + host + ":" + served.metrics.port() + "/metrics"));
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of the text format: {@code name{labels}} to its value. */
    private static Map<String, Double> samples(String body) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.matches()) {
                out.put(m.group(1), Double.parseDouble(m.group(3)));
            }
        }
        return out;
    }

    @Test
    void seriesFollowTheCommandsTheServerRan() throws Exception {
        start("127.0.0.1", null);
        try (Jedis j = new Jedis("127.0.0.1", served.server.port())) {
            j.set("a", "1");
            j.set("b", "2");
            j.get("a");
            j.get("missing");
            j.hset("h", "f", "v");
            try {
                j.get("h");
            } catch (JedisDataException expected) {
                // WRONGTYPE: a failed call
            }
            j.set("gone", "x", new redis.clients.jedis.params.SetParams().px(1));
            Thread.sleep(5);
            assertEquals(null, j.get("gone"));
        }
        HttpResponse<String> r = get("127.0.0.1", null);
        assertEquals(200, r.statusCode());
        Map<String, Double> s = samples(r.body());
        assertEquals(3.0, s.get("qrrot_commands_total{command=\"set\"}"));
        assertEquals(4.0, s.get("qrrot_commands_total{command=\"get\"}"));
        assertEquals(1.0, s.get("qrrot_commands_failed_total{command=\"get\"}"));
        assertEquals(1.0, s.get("qrrot_error_replies_total{kind=\"WRONGTYPE\"}"));
        assertEquals(4.0, s.get("qrrot_command_duration_seconds_count{command=\"get\"}"));
        assertEquals(4.0, s.get("qrrot_command_duration_seconds_bucket{command=\"get\",le=\"+Inf\"}"));
        assertTrue(s.get("qrrot_command_duration_seconds_sum{command=\"get\"}") > 0);
        assertEquals(2.0, s.get("qrrot_keyspace_hits_total"), "a, and h (found, then WRONGTYPE: a hit, as in Redis)");
        assertEquals(2.0, s.get("qrrot_keyspace_misses_total"), "missing, gone");
        assertEquals(1.0, s.get("qrrot_expired_keys_total"));
        assertEquals(2.0, s.get("qrrot_keys{type=\"int\"}"));
        assertEquals(1.0, s.get("qrrot_keys{type=\"hash\"}"));
        assertEquals(0.0, s.get("qrrot_keys{type=\"list\"}"));
        assertTrue(s.get("qrrot_wal_records_total") >= 4, "the WAL holds the writes");
        assertTrue(s.get("qrrot_wal_fsyncs_total") >= 1, "fsync always");
        assertEquals(s.get("qrrot_wal_fsyncs_total"), s.get("qrrot_wal_fsync_duration_seconds_count"));
        assertEquals(s.get("qrrot_wal_writes_total"), s.get("qrrot_wal_batch_records_count"));
        assertTrue(s.get("qrrot_wal_written_bytes_total") > 0);
        assertEquals(0.0, s.get("qrrot_wal_failed"));
        assertEquals(1.0, s.get("qrrot_connections_received_total"));
        assertEquals(0.0, s.get("qrrot_compactions_total"));
        assertTrue(s.containsKey("qrrot_recovery_duration_seconds"));
        assertEquals(1.0, s.get("qrrot_build_info{redis_version=\"7.0.15\",version=\"" + ServerStats.VERSION + "\"}"));
        assertTrue(s.containsKey("jvm_memory_used_bytes{area=\"heap\"}"), "the client's JVM metrics");
        assertTrue(s.keySet().stream().anyMatch(k -> k.startsWith("jvm_gc_collection_seconds_count")), "GC pauses");

        try (Jedis j = new Jedis("127.0.0.1", served.server.port())) {
            j.save();
        }
        Map<String, Double> after = samples(get("127.0.0.1", null).body());
        assertEquals(1.0, after.get("qrrot_compactions_total"));
        assertTrue(after.get("qrrot_compaction_last_success_time_seconds") > 0);
        assertEquals(2.0, after.get("qrrot_connections_received_total"));
    }

    @Test
    void withAPasswordReadersAuthenticateWithIt() throws Exception {
        start("127.0.0.1", "s3cret");
        HttpResponse<String> anonymous = get("127.0.0.1", null);
        assertEquals(401, anonymous.statusCode());
        assertEquals("Basic realm=\"qrrot\"", anonymous.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(401, get("127.0.0.1", basic("default", "wrong")).statusCode());
        HttpResponse<String> ok = get("127.0.0.1", basic("prometheus", "s3cret"));
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains("qrrot_connected_clients "), ok.body());
    }

    @Test
    void protectedModeServesLoopbackOnlyUntilAPasswordIsSet() throws Exception {
        InetAddress external = Addresses.nonLoopbackIpv4();
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to test from");
        start("0.0.0.0", null);
        assertEquals(403, get(external.getHostAddress(), null).statusCode());
        assertEquals(200, get("127.0.0.1", null).statusCode());
        try (Jedis j = new Jedis("127.0.0.1", served.server.port())) {
            j.configSet("requirepass", "pw");
        }
        assertEquals(401, get(external.getHostAddress(), null).statusCode());
        assertEquals(200, get(external.getHostAddress(), basic("default", "pw")).statusCode());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

}
