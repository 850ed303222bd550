package io.qrrot.metrics;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.qrrot.recovery.Qrrot;
import io.qrrot.server.QrrotServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code qrrot serve --metrics-port N}: {@code /metrics} in the Prometheus text format (and OpenMetrics when asked
 * for), served by the official Prometheus Java client's HTTP server on the address the main port is bound to.
 * What it serves: {@link QrrotCollector} and the client's JVM metrics (memory pools, GC pauses, threads, the
 * process's CPU and resident memory). Access follows the main port's rules as they stand at each request
 * ({@link QrrotServer#admits}): with {@code requirepass}, HTTP basic authentication with that password (any user
 * name); without, protected mode answers 403 to clients not on loopback.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer http;
    private final ExecutorService threads;

    private MetricsEndpoint(HTTPServer http, ExecutorService threads) {
        this.http = http;
        this.threads = threads;
    }

    /**
     * Binds {@code bind:port} (0 picks a free port) and starts serving.
     *
     * @throws IOException when the address cannot be bound
     */
    public static MetricsEndpoint start(String bind, int port, QrrotServer server, Qrrot db) throws IOException {
        return start(bind, port, server, () -> db);
    }

    /**
     * As {@link #start(String, int, QrrotServer, Qrrot)} for a port bound before the database is open: until
     * {@code db} supplies it (and the server serves it), a scrape gets the JVM's metrics only.
     */
    public static MetricsEndpoint start(String bind, int port, QrrotServer server, Supplier<Qrrot> db)
            throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new QrrotCollector(server::stats, db));
        JvmMetrics.builder().register(registry);
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "qrrot-metrics");
            t.setDaemon(true);
            return t;
        });
        try {
            HTTPServer http = HTTPServer.builder().inetAddress(InetAddress.getByName(bind)).port(port)
                    .registry(registry).executorService(threads).authenticator(new Access(server))
                    .buildAndStart();
            return new MetricsEndpoint(http, threads);
        } catch (IOException | RuntimeException e) {
            threads.shutdownNow();
            throw e;
        }
    }

    /** The port bound. */
    public int port() {
        return http.getPort();
    }

    @Override
    public void close() {
        http.close();
        threads.shutdownNow();
    }

    /** The main port's access rules, over HTTP. */
    private static final class Access extends Authenticator {
        private static final String REALM = "qrrot";
        private final QrrotServer server;

        Access(QrrotServer server) {
            this.server = server;
        }

        @Override
        public Result authenticate(HttpExchange exchange) {
            InetSocketAddress remote = exchange.getRemoteAddress();
            InetAddress address = remote == null ? null : remote.getAddress();
            if (!server.passwordRequired()) {
                return server.admits(address, null) ? new Success(new HttpPrincipal("default", REALM))
                        : new Failure(403);
            }
            String password = basicPassword(exchange.getRequestHeaders().getFirst("Authorization"));
            if (password != null && server.admits(address, password)) {
                return new Success(new HttpPrincipal("default", REALM));
            }
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
            return new Retry(401);
        }

        /** The password of an HTTP basic {@code Authorization} header, or null. */
        static String basicPassword(String header) {
            if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return null;
            }
            try {
                String userPass = new String(Base64.getDecoder().decode(header.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = userPass.indexOf(':');
                return colon < 0 ? null : userPass.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
