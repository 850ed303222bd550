package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.qrrot.server.memcached.RealMemcached;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The meta commands (mg, ms, md, ma, mn) against a real memcached 1.6: the same requests in the same order to
 * both, replies byte for byte, except CAS uniques (each server's own) and the seconds a t flag reports (which
 * may differ by the one second memcached's clock ticks in between). Flags qrrot does not serve are checked for
 * their own refusal.
 */
@Tag("integration")
class MemcachedMetaDifferentialTest extends SharedDatabaseTest {
    private static RealMemcached memcached;
    private static int memcachedPort;

    /** Each step: a request, sent whole to both servers, and the reply read until the servers go quiet. */
    private static final String[] CORPUS = {
        "mn\r\n",
        "mg meta:none v\r\n",
        "mg meta:none v q\r\nmn\r\n",
        "mg meta:none k O123 v\r\n",
        "mg meta:none s t c f\r\n",
        "ms meta:a 3 F5 T0\r\nabc\r\n",
        "mg meta:a v f s t k O9\r\n",
        "mg meta:a\r\n",
        "mg meta:a s v\r\n",
        "mg meta:a c\r\n",
        "mg meta:a q v\r\n",
        "ms meta:a 3 c\r\nxyz\r\n",
        "ms meta:a 2 MA\r\nqq\r\n",
        "mg meta:a v\r\n",
        "ms meta:a 2 MP q\r\nzz\r\nmn\r\n",
        "mg meta:a v f\r\n",
        "ms meta:b 2 ME k O1 c\r\nab\r\n",
        "ms meta:b 2 ME k O1 c\r\nab\r\n",
        "ms meta:c 2 MR\r\nab\r\n",
        "ms meta:c 2 MS\r\nab\r\n",
        "ms meta:c 2 MR\r\ncd\r\n",
        "mg meta:c v\r\n",
        "ms meta:b 2 MX\r\nab\r\n",
        "ms meta:b 2 C1\r\nab\r\n",
        "ms meta:b 2 C1 MA\r\nab\r\n",
        "ms meta:b 2 C1 ME\r\nab\r\n",
        "ms meta:b 2 C1 MR\r\nab\r\n",
        "ms meta:missing 2 C1\r\nab\r\n",
        "ms meta:missing 2 C1 MA\r\nab\r\n",
        "ms meta:b 0\r\n\r\n",
        "mg meta:b v s\r\n",
        "ms meta:b 2 q\r\nxy\r\nmg meta:b v\r\n",
        "md meta:b C1\r\n",
        "md meta:b k O5\r\n",
        "md meta:b q\r\nmn\r\n",
        "md meta:b\r\n",
        "md meta:b q k\r\nmn\r\n",
        "md meta:c q\r\nmd meta:c O7 k\r\n",
        "ma meta:n\r\n",
        "ma meta:n q\r\nmn\r\n",
        "ma meta:n N0 J10 v\r\n",
        "ma meta:n v\r\n",
        "ma meta:n MD D3 v t\r\n",
        "ma meta:n M- D100 v\r\n",
        "ma meta:n MI D5\r\n",
        "ma meta:n M+ D18446744073709551615 v\r\n",
        "ma meta:n q\r\nmn\r\n",
        "ma meta:n MZ\r\n",
        "ma meta:n v v\r\n",
        "ma meta:n X\r\n",
        "ma meta:n C1\r\n",
        "ma meta:n k O2 v\r\n",
        "ma meta:nope J5 v\r\n",
        "ma meta:nope N0 J18446744073709551615 v\r\n",
        "ma meta:nope2 Dx\r\n",
        "ma meta:nope2 Jx\r\n",
        "ma meta:nope2 Nx\r\n",
        "ma meta:nope2 N0 MD v\r\n",
        "set meta:num 7 0 3\r\n100\r\nma meta:num MD v\r\n",
        "mg meta:num v f\r\n",
        "ma meta:num D900 v\r\nmg meta:num v\r\n",
        "ms meta:txt 3\r\nabc\r\nma meta:txt\r\n",
        "ms meta:empty 0\r\n\r\nma meta:empty\r\n",
        "md meta:nope4 Cx\r\n",
        "md meta:nope4 Z\r\n",
        "md meta:nope4 k k\r\n",
        "mg meta:a v v\r\n",
        "mg meta:a Z\r\n",
        "mg meta:a T\r\n",
        "mg meta:a Tabc v\r\n",
        "mg meta:a u v\r\n",
        "mg meta:a P L v\r\n",
        "mg meta:a O012345678901234567890123456789012 v\r\n",
        "ms meta:a abc\r\n",
        "ms meta:a\r\n",
        "ms meta:d 2 Fx\r\nab\r\n",
        "ms meta:d 2 F4294967295 T100\r\nab\r\n",
        "mg meta:d f t v\r\n",
        "mg meta:d t T50 t\r\n",
        "mg meta:d T0 t\r\n",
        "mg meta:d t\r\n",
        "ms meta:d 1 MAA\r\nb\r\n",
        "ms meta:e 2 T-1\r\nab\r\nmg meta:e v\r\n",
        "ms meta:f 2\r\nab\r\nmg meta:f T-1 v\r\nmg meta:f v\r\n",
        "ms meta:g 5\r\nhello\r\nget meta:g\r\ngets meta:g\r\n",
        "set meta:h 3 0 2\r\nhi\r\nmg meta:h f v\r\n",
        "mg " + "k".repeat(250) + " v\r\n",
        "mg " + "k".repeat(251) + " v\r\n",
        "mg meta:a v c f s t k O1 q u P L T0\r\n",
    };

    @BeforeAll
    static void startMemcached() throws Exception {
        memcached = RealMemcached.start();
        memcachedPort = memcached.port();
    }

    @AfterAll
    static void stopMemcached() throws InterruptedException {
        if (memcached != null) {
            memcached.close();
        }
    }

    @Test
    void metaCommandsAnswerAsMemcachedDoes() throws Exception {
        startServer(real, TestBackends.options().withMemcachedPort(0));
        List<String> mismatches = new ArrayList<>();
        try (Socket theirs = new Socket("127.0.0.1", memcachedPort);
             Socket ours = new Socket("127.0.0.1", server.memcachedPort())) {
            for (String request : CORPUS) {
                byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
                String expected = normalise(exchange(theirs, bytes));
                String actual = normalise(exchange(ours, bytes));
                if (!sameTtl(expected, actual)) {
                    mismatches.add("request " + show(request) + "\n  memcached " + show(expected) + "\n  qrrot     "
                            + show(actual));
                }
            }
        }
        assertEquals(List.of(), mismatches, String.join("\n", mismatches));
    }

    @Test
    void flagsQrrotDoesNotServeAreRefusedWithSaying() throws Exception {
        startServer(real, TestBackends.options().withMemcachedPort(0));
        try (Socket ours = new Socket("127.0.0.1", server.memcachedPort())) {
            for (String request : new String[] {"mg k b v\r\n", "mg k h\r\n", "mg k l\r\n", "mg k R30 v\r\n",
                "mg k N30 v\r\n", "md k I\r\n", "ms k 1 I\r\nx\r\n", "ma k b\r\n"}) {
                assertEquals(McMetaFlagsText.UNSUPPORTED + "\r\n",
                        exchange(ours, request.getBytes(StandardCharsets.ISO_8859_1)), request);
            }
        }
    }

    /** Names the refusal text without importing the memcached package into the corpus above. */
    private static final class McMetaFlagsText {
        static final String UNSUPPORTED = io.qrrot.server.memcached.McMetaFlags.UNSUPPORTED;
    }

    private static final Pattern CAS = Pattern.compile("( c)\\d+|(VALUE \\S+ \\d+ \\d+ )\\d+");

    private static String normalise(String reply) {
        Matcher m = CAS.matcher(reply);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, m.group(1) != null ? " cN" : "$2N");
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static final Pattern TTL = Pattern.compile(" t(\\d+)");

    /** Equal, but for t values one second apart (memcached's clock ticks once a second). */
    private static boolean sameTtl(String expected, String actual) {
        if (expected.equals(actual)) {
            return true;
        }
        Matcher a = TTL.matcher(expected);
        Matcher b = TTL.matcher(actual);
        StringBuilder x = new StringBuilder();
        StringBuilder y = new StringBuilder();
        while (a.find() && b.find()) {
            if (Math.abs(Long.parseLong(a.group(1)) - Long.parseLong(b.group(1))) > 1) {
                return false;
            }
            a.appendReplacement(x, " tN");
            b.appendReplacement(y, " tN");
        }
        a.appendTail(x);
        b.appendTail(y);
        return x.toString().equals(y.toString());
    }

    /** Sends a request and reads until the server has said nothing for 80 ms. */
    private static String exchange(Socket s, byte[] request) throws IOException {
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.setSoTimeout(2000);
        byte[] buf = new byte[8192];
        try {
            int n = in.read(buf); // the first byte may take a while (a durable write)
            if (n < 0) {
                return out.toString(StandardCharsets.ISO_8859_1);
            }
            out.write(buf, 0, n);
            s.setSoTimeout(80);
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException quiet) {
            // the reply is complete
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String show(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
