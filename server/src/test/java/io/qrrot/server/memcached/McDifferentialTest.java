package io.qrrot.server.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Sends every {@link McCorpus} input to a real memcached (1 MiB items) on a free loopback port and checks that
 * the replies the decoder leads to are the ones memcached gives, byte for byte, and that the connection
 * closes when memcached closes it.
 */
@Tag("integration")
class McDifferentialTest {
    private static Process memcached;
    private static int port;

    static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @BeforeAll
    static void start() throws Exception {
        Path exe = onPath("memcached");
        if (exe == null) {
            fail("memcached is not on the PATH: install it (Debian: apt-get install memcached); "
                    + "McDifferentialTest compares the decoder with it");
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), "-p", Integer.toString(port), "-l", "127.0.0.1",
                "-U", "0", "-I", "1m", "-m", "64"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "root")); // memcached refuses to run as root without -u
        }
        memcached = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!memcached.isAlive() || System.nanoTime() > deadline) {
                    fail("memcached did not start on port " + port + " (" + String.join(" ", cmd) + ")");
                }
                Thread.sleep(20);
            }
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (memcached != null) {
            memcached.destroy();
            if (!memcached.waitFor(10, TimeUnit.SECONDS)) {
                memcached.destroyForcibly();
            }
        }
    }

    /** What memcached answers to {@code input} on a new connection, and whether it closed the connection. */
    private static McCorpus.Outcome ask(McCorpus.Case c) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(300);
            s.getOutputStream().write(c.input());
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException quiet) {
                    continue;
                } catch (IOException reset) {
                    return new McCorpus.Outcome(got.toString(StandardCharsets.ISO_8859_1), true);
                }
                if (n < 0) {
                    return new McCorpus.Outcome(got.toString(StandardCharsets.ISO_8859_1), true);
                }
                got.write(buf, 0, n);
                if (!c.closes() && got.toString(StandardCharsets.ISO_8859_1).endsWith(McCorpus.VERSION)) {
                    break;
                }
            }
            return new McCorpus.Outcome(got.toString(StandardCharsets.ISO_8859_1), false);
        }
    }

    @Test
    void decoderRepliesEqualMemcachedsForEveryCorpusInput() throws IOException {
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (McCorpus.Case c : McCorpus.cases()) {
            McCorpus.Outcome real = ask(c);
            McCorpus.Outcome ours = McCorpus.replay(c.input());
            if (!real.equals(ours)) {
                differences.add(c.name() + ": memcached " + real + ", decoder " + ours);
            }
            compared++;
        }
        assertEquals(List.of(), differences, compared + " inputs compared");
    }
}
