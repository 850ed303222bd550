package io.qrrot.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.server.QrrotServer;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A real Prometheus (Debian's {@code prometheus}) scraping qrrot's {@code /metrics}, and a real
 * {@code prometheus-redis-exporter} reading qrrot's INFO, CONFIG GET and the rest the way it reads Redis: after a
 * load over RESP, Prometheus's query API must show both targets up and the series following the load.
 */
@Tag("integration")
class PrometheusScrapeTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.e+-]+,\"([^\"]*)\"]");

    @TempDir
    Path dir;
    private Served served;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int prometheusPort;

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (served != null) {
            served.close();
        }
    }

    @Test
    void prometheusAndRedisExporterSeeTheLoad() throws Exception {
        scrapeUnderLoad(null);
    }

    /** The configuration docs/operations.md shows: Prometheus with basic_auth, the exporter with REDIS_PASSWORD. */
    @Test
    void withAPasswordBothAuthenticate() throws Exception {
        scrapeUnderLoad("s3cret pass");
    }

    private void scrapeUnderLoad(String password) throws Exception {
        Path prometheus = onPath("prometheus");
        Path exporter = onPath("prometheus-redis-exporter");

        served = new Served(dir.resolve("data"), "127.0.0.1", password);
        QrrotServer server = served.server;
        MetricsEndpoint metrics = served.metrics;

        int exporterPort = freePort();
        Path exporterLog = dir.resolve("redis_exporter.log");
        start(exporterLog, password == null ? Map.of() : Map.of("REDIS_PASSWORD", password), exporter.toString(),
                "--redis.addr=redis://127.0.0.1:" + server.port(), "--web.listen-address=127.0.0.1:" + exporterPort,
                "--debug");   // a field of INFO or CONFIG GET it cannot parse is logged at debug level only

        prometheusPort = freePort();
        Path config = dir.resolve("prometheus.yml");
        List<String> yaml = new ArrayList<>(List.of(
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "scrape_configs:",
                "  - job_name: qrrot",
                "    static_configs: [{targets: ['127.0.0.1:" + metrics.port() + "']}]"));
        if (password != null) {
            Path passwordFile = dir.resolve("qrrot-password");
            Files.writeString(passwordFile, password);
            yaml.addAll(List.of("    basic_auth: {username: prometheus, password_file: '" + passwordFile + "'}"));
        }
        yaml.addAll(List.of(
                "  - job_name: redis",
                "    static_configs: [{targets: ['127.0.0.1:" + exporterPort + "']}]",
                ""));
        Files.writeString(config, String.join("\n", yaml));
        Path prometheusLog = dir.resolve("prometheus.log");
        start(prometheusLog, Map.of(), prometheus.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort);

        // Both targets scraped once before the load: the WAL's fsync count has a value to move from.
        awaitAll(Map.of("up{job=\"qrrot\"} == 1", v -> v == 1, "up{job=\"redis\"} == 1", v -> v == 1),
                prometheusLog, exporterLog);
        double fsyncsBefore = query("qrrot_wal_fsync_duration_seconds_count");

        int sets = 0;
        int wrongType = 0;
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            if (password != null) {
                j.auth(password);
            }
            for (int i = 0; i < 200; i++) {
                j.set("s:" + (i % 150), "v" + i);   // 150 keys, 50 of them written twice
                sets++;
            }
            for (int i = 0; i < 100; i++) {
                j.get("s:" + i);
            }
            for (int i = 0; i < 20; i++) {
                j.hset("h:" + i, "f", "v");
            }
            for (int i = 0; i < 30; i++) {
                j.lpush("l:" + (i % 10), "e" + i);
            }
            for (int i = 0; i < 5; i++) {
                String key = "h:" + i;
                assertThrows(JedisDataException.class, () -> j.get(key));
                wrongType++;
            }
            int keys = 150 + 20 + 10;
            assertEquals(keys, j.dbSize());

            Map<String, DoublePredicate> checks = new LinkedHashMap<>();
            checks.put("up{job=\"qrrot\"}", v -> v == 1);
            checks.put("up{job=\"redis\"}", v -> v == 1);
            checks.put("redis_up", v -> v == 1);
            double s = sets;
            double w = wrongType;
            checks.put("qrrot_commands_total{command=\"set\"}", v -> v == s);
            checks.put("qrrot_command_duration_seconds_count{command=\"lpush\"}", v -> v == 30);
            checks.put("qrrot_error_replies_total{kind=\"WRONGTYPE\"}", v -> v == w);
            checks.put("qrrot_wal_fsync_duration_seconds_count", v -> v > fsyncsBefore);
            checks.put("increase(qrrot_wal_fsync_duration_seconds_count[5m])", v -> v > 0);
            checks.put("histogram_quantile(0.99, sum by (le) (rate(qrrot_wal_fsync_duration_seconds_bucket[5m])))",
                    v -> v > 0 && v < 60);
            checks.put("sum(qrrot_keys)", v -> v == keys);
            checks.put("redis_commands_total{cmd=\"set\"}", v -> v == s);
            checks.put("redis_errors_total{err=\"WRONGTYPE\"}", v -> v == w);
            checks.put("redis_connected_clients", v -> v >= 1);
            checks.put("redis_db_keys{db=\"db0\"}", v -> v == keys);
            checks.put("redis_slowlog_length", v -> v >= 0); // SLOWLOG LEN read
            checks.put("redis_slowlog_last_id", v -> v >= 0); // SLOWLOG GET 1 read
            awaitAll(checks, prometheusLog, exporterLog);
        }

        List<String> unexpected = exporterProblems(exporterLog, true);
        assertTrue(unexpected.isEmpty(), "redis_exporter could not read qrrot:\n" + String.join("\n", unexpected));
    }

    /**
     * The exporter's log lines that say it could not read qrrot: errors, and the fields of INFO or CONFIG GET it
     * could not parse (which it logs at debug level and exports as 0 or not at all), printed when {@code print}.
     */
    private static List<String> exporterProblems(Path exporterLog, boolean print) throws IOException {
        List<String> errors = Files.readAllLines(exporterLog).stream()
                .filter(l -> l.contains("level=error") || l.contains("level=fatal") || l.contains("couldn't parse"))
                .collect(Collectors.toList());
        if (print) {
            errors.forEach(l -> System.out.println("redis_exporter: " + l));
        }
        return errors;
    }

    /** Polls each query until its single sample satisfies its predicate, or fails at the deadline with the last values. */
    private void awaitAll(Map<String, DoublePredicate> checks, Path prometheusLog, Path exporterLog) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Map<String, Object> last = new LinkedHashMap<>();
        while (true) {
            last.clear();
            for (Map.Entry<String, DoublePredicate> c : checks.entrySet()) {
                Double v = tryQuery(c.getKey());
                if (v == null || !c.getValue().test(v)) {
                    last.put(c.getKey(), v == null ? "no sample" : v);
                }
            }
            if (last.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("after " + DEADLINE.toSeconds() + " s Prometheus still answers: "
                        + last.entrySet().stream().map(e -> "\n  " + e.getKey() + " -> " + e.getValue())
                                .collect(Collectors.joining())
                        + "\nprometheus log:\n" + tail(prometheusLog) + "\nredis_exporter's problems reading qrrot:\n"
                        + String.join("\n", exporterProblems(exporterLog, false)));
            }
            Thread.sleep(500);
        }
    }

    private double query(String promql) throws Exception {
        Double v = tryQuery(promql);
        if (v == null) {
            fail("no sample for " + promql);
        }
        return v;
    }

    /** The value of the query's one sample; null when Prometheus is not answering yet or the result is empty. */
    private Double tryQuery(String promql) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build();
        String body;
        try {
            HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return null;
            }
            body = response.body();
        } catch (IOException notUpYet) {
            return null;
        }
        Matcher m = VALUE.matcher(body);
        if (!m.find()) {
            return null;
        }
        double v = Double.parseDouble(m.group(1));
        assertTrue(!m.find(), "one sample expected for " + promql + ": " + body);
        return v;
    }

    private void start(Path log, Map<String, String> env, String... command) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().putAll(env);
        processes.add(b.start());
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static Path onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return fail(program + " is not on the PATH: install the Debian packages prometheus and "
                + "prometheus-redis-exporter (.ci/run does: apt-get install prometheus prometheus-redis-exporter)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
