package io.qrrot.server.memcached;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real memcached (Debian's 1.6) on a free loopback port, the reference the differential tests compare qrrot
 * with: {@code -U 0 -I 1m -m 64} plus the caller's options, started as root with {@code -u root} (memcached
 * refuses to run as root without it). Stopped by {@link #close}.
 */
public final class RealMemcached implements AutoCloseable {
    private final Process process;
    private final int port;

    private RealMemcached(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts memcached and waits until it accepts connections; fails the test, naming the package, when it is
     * not installed.
     */
    public static RealMemcached start(String... options) throws Exception {
        Path exe = onPath("memcached");
        if (exe == null) {
            fail("memcached is not on the PATH: install it (Debian: apt-get install memcached); the memcached"
                    + " differential tests compare qrrot with it");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), "-p", Integer.toString(port), "-l", "127.0.0.1",
                "-U", "0", "-I", "1m", "-m", "64"));
        cmd.addAll(List.of(options));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "root"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new RealMemcached(p, port);
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    fail("memcached did not start on port " + port + " (" + String.join(" ", cmd) + ")");
                }
                Thread.sleep(20);
            }
        }
    }

    public int port() {
        return port;
    }

    /** An executable of that name on the PATH, or null. */
    public static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
