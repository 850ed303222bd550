package io.qrrot.server.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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
    private static RealMemcached memcached;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        memcached = RealMemcached.start();
        port = memcached.port();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (memcached != null) {
            memcached.close();
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
