package io.qrrot.cli.testing;

import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespConnection;
import io.qrrot.cli.resp.RespException;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real redis-server for tests: on 127.0.0.1, a free port, no persistence; stopped by its PID. Tests are
 * skipped (with a message) only when redis-server is not installed.
 */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private RedisServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static Path binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Starts a server; {@code extra} are more redis-server options, e.g. "--requirepass", "secret". */
    public static RedisServer start(String... extra) throws Exception {
        Path bin = binary("redis-server");
        Assumptions.assumeTrue(bin != null, "redis-server is not installed (apt-get install redis-server); skipping");
        Exception last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            Path log = Files.createTempFile("qrrot-redis-" + port, ".log");
            List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", System.getProperty("java.io.tmpdir")));
            cmd.addAll(List.of(extra));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            RedisServer server = new RedisServer(p, port, log);
            try {
                server.awaitReady(extra);
                return server;
            } catch (Exception e) {
                last = e;
                server.close();
            }
        }
        throw new IllegalStateException("redis-server did not start", last);
    }

    private void awaitReady(String... extra) throws Exception {
        String password = null;
        for (int i = 0; i + 1 < extra.length; i++) {
            if (extra[i].equals("--requirepass")) {
                password = extra[i + 1];
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + Files.readString(log));
            }
            try (RespConnection c = RespConnection.open(RespConfig.of("127.0.0.1", port).withPassword(password))) {
                if (c.call("PING") instanceof Reply.SimpleString) {
                    return;
                }
            } catch (RespException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(20);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public RespConfig config() {
        return RespConfig.of("127.0.0.1", port);
    }

    /** A new connection; the caller closes it. */
    public RespConnection connect() throws RespException {
        return RespConnection.open(config());
    }

    /** Runs one command on a fresh connection. */
    public Reply call(String... args) throws RespException {
        try (RespConnection c = connect()) {
            return c.call(args);
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
    }
}
