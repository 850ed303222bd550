package io.qrrot.server.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import io.qrrot.wal.FsyncPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memcached commands' semantics against a real memcached 1.6.18 ({@code -I 1m}): the same requests go to
 * memcached and to a qrrot server's memcached port over raw sockets, and the replies must be byte-identical,
 * except for the CAS uniques (each server's are mapped, in the order they are first seen, to {@code #1},
 * {@code #2}, ...; a {@code cas} request carries the unique that server itself gave for the key) and the values of
 * {@code stats} (only the names are compared). First a scripted corpus of edge cases for every command, then
 * seeded random commands over a few keys ({@code -Dqrrot.seed=N} replays a run; the seed is printed).
 *
 * <p>Every request is followed by {@code mn}, whose {@code MN} marks the end of the reply (so a noreply request
 * must add nothing before it).
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemcachedSemanticsDifferentialTest {
    @TempDir
    static Path dir;
    private static RealMemcached memcached;
    private static int memcachedPort;
    private static DurableQrrot db;
    private static QrrotServer server;

    @BeforeAll
    static void start() throws Exception {
        // Without its background LRU threads: one that holds an item for a moment makes an incr or decr build a
        // new item instead of rewriting the digits in place (padded with spaces), by chance.
        memcached = RealMemcached.start("-o", "no_lru_crawler,no_lru_maintainer");
        memcachedPort = memcached.port();
        // Semantics, not durability: replies need not wait for an fsync.
        db = DurableQrrot.open(dir, QrrotOptions.defaults().withShards(8).withFsync(FsyncPolicy.NO));
        server = new QrrotServer(db, ServerOptions.defaults().withPort(0).withMemcachedPort(0).withIoThreads(2)
                .withShutdownTimeoutMillis(5000)).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (db != null) {
            db.close();
        }
        if (memcached != null) {
            memcached.close();
        }
    }

    // ---------------------------------------------------------------- talking to one server

    /** One server's view: its CAS uniques mapped to the order they were first seen, and per key the last one. */
    static final class Side {
        final String name;
        final int port;
        final Map<Long, Integer> canonical = new HashMap<>();
        final Map<String, Long> lastCas = new HashMap<>();
        Conn conn;

        Side(String name, int port) {
            this.name = name;
            this.port = port;
        }

        Conn conn() throws IOException {
            if (conn == null || conn.closed) {
                conn = new Conn(this);
            }
            return conn;
        }
    }

    static final class Conn implements AutoCloseable {
        final Side side;
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        boolean closed;

        Conn(Side side) throws IOException {
            this.side = side;
            this.socket = new Socket("127.0.0.1", side.port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(5000);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        public void close() throws IOException {
            closed = true;
            socket.close();
        }
    }

    /** A reply read up to the MN of the mn that follows the request, normalised; or up to the connection's end. */
    record Reply(String text, boolean closed) {
        @Override
        public String toString() {
            return (closed ? "[closed] " : "") + show(text);
        }
    }

    static String show(String s) {
        String t = s.length() > 400 ? s.substring(0, 200) + "...(" + s.length() + " chars)..."
                + s.substring(s.length() - 150) : s;
        return "\"" + t.replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }

    /** Sends {@code request} then {@code mn}; reads the reply through MN (or to the end, when the server closes). */
    static Reply exchange(Side side, byte[] request) throws IOException {
        Conn c = side.conn();
        c.out.write(request);
        c.out.write("mn\r\n".getBytes(StandardCharsets.US_ASCII));
        c.out.flush();
        int sentinels = 1 + mnLines(request);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String normal = parse(side, got.toByteArray(), false, sentinels);
            if (normal != null) {
                return new Reply(normal, false);
            }
            if (System.nanoTime() > deadline) {
                return new Reply(parse(side, got.toByteArray(), true, sentinels) + TIMED_OUT, false);
            }
            int n;
            try {
                n = c.in.read(buf);
            } catch (SocketTimeoutException quiet) {
                continue;
            } catch (IOException reset) {
                n = -1;
            }
            if (n < 0) {
                c.close();
                return new Reply(parse(side, got.toByteArray(), true, sentinels), true);
            }
            got.write(buf, 0, n);
        }
    }

    private static final String TIMED_OUT = "[no MN within 10 s]";

    private static final Pattern VALUE_LINE =
            Pattern.compile("VALUE (\\S+) (\\d+) (\\d+)( (\\d+))?");

    /**
     * The reply with each VALUE line's CAS unique replaced by {@code #n} (recording it for the key), without the
     * final MN (the {@code sentinels}-th: the request may hold mn requests of its own); null while that has not
     * arrived. With {@code partial}, whatever is there.
     */
    static String parse(Side side, byte[] b, boolean partial, int sentinels) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        int mns = 0;
        Map<String, Long> seen = new HashMap<>();
        while (true) {
            int eol = indexOfCrlf(b, i);
            if (eol < 0) {
                sb.append(new String(b, i, b.length - i, StandardCharsets.ISO_8859_1));
                return partial ? sb.toString() : null;
            }
            String line = new String(b, i, eol - i, StandardCharsets.ISO_8859_1);
            i = eol + 2;
            if (line.equals("MN") && ++mns == sentinels && i == b.length) {
                side.lastCas.putAll(seen);
                for (Long cas : seen.values()) {
                    side.canonical.putIfAbsent(cas, side.canonical.size() + 1);
                }
                return partial ? sb.append("MN\r\n").toString() : rewriteCas(side, sb.toString(), seen);
            }
            Matcher m = VALUE_LINE.matcher(line);
            if (m.matches()) {
                int bytes = Integer.parseInt(m.group(3));
                if (m.group(5) != null) {
                    seen.put(m.group(1), Long.parseUnsignedLong(m.group(5)));
                }
                sb.append(line).append("\r\n");
                if (i + bytes + 2 > b.length) {
                    sb.append(new String(b, i, b.length - i, StandardCharsets.ISO_8859_1));
                    return partial ? sb.toString() : null;
                }
                sb.append(new String(b, i, bytes + 2, StandardCharsets.ISO_8859_1));
                i += bytes + 2;
            } else {
                sb.append(line).append("\r\n");
            }
        }
    }

    private static String rewriteCas(Side side, String text, Map<String, Long> seen) {
        if (seen.isEmpty()) {
            return text;
        }
        // Rewrite VALUE lines only (the data blocks were copied whole, so walk again).
        StringBuilder out = new StringBuilder();
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        int i = 0;
        while (i < b.length) {
            int eol = indexOfCrlf(b, i);
            if (eol < 0) {
                out.append(new String(b, i, b.length - i, StandardCharsets.ISO_8859_1));
                break;
            }
            String line = new String(b, i, eol - i, StandardCharsets.ISO_8859_1);
            i = eol + 2;
            Matcher m = VALUE_LINE.matcher(line);
            if (m.matches()) {
                int bytes = Integer.parseInt(m.group(3));
                String head = "VALUE " + m.group(1) + " " + m.group(2) + " " + m.group(3);
                if (m.group(5) != null) {
                    head += " #" + side.canonical.get(Long.parseUnsignedLong(m.group(5)));
                }
                out.append(head).append("\r\n");
                int end = Math.min(b.length, i + bytes + 2);
                out.append(new String(b, i, end - i, StandardCharsets.ISO_8859_1));
                i = end;
            } else {
                out.append(line).append("\r\n");
            }
        }
        return out.toString();
    }

    /** How many lines of {@code request} are mn requests (each adds an MN before the sentinel's); data skipped. */
    private static int mnLines(byte[] request) {
        int n = 0;
        int i = 0;
        while (i < request.length) {
            int eol = indexOfCrlf(request, i);
            if (eol < 0) {
                break;
            }
            String[] t = new String(request, i, eol - i, StandardCharsets.ISO_8859_1).split(" ");
            i = eol + 2;
            if (t[0].equals("mn")) {
                n++;
            } else if (t.length >= 5 && Set.of("set", "add", "replace", "append", "prepend", "cas").contains(t[0])
                    && t[4].matches("[0-9]{1,9}")) {
                i += Integer.parseInt(t[4]) + 2;
            }
        }
        return n;
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- the comparison

    private final Side mc = new Side("memcached", memcachedPortOrZero());
    private final Side qr = new Side("qrrot", server == null ? 0 : server.memcachedPort());
    private final List<String> differences = new ArrayList<>();
    private int compared;

    private static int memcachedPortOrZero() {
        return memcachedPort;
    }

    private static final Pattern CAS_PLACEHOLDER = Pattern.compile("\\{cas:([^}]+)\\}");

    /** {@code {cas:KEY}} becomes the CAS unique this side last saw for KEY (0 when none). */
    private static byte[] resolve(Side side, byte[] template) {
        String t = new String(template, StandardCharsets.ISO_8859_1);
        if (!t.contains("{cas:")) {
            return template;
        }
        Matcher m = CAS_PLACEHOLDER.matcher(t);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Long cas = side.lastCas.get(m.group(1));
            m.appendReplacement(sb, Long.toUnsignedString(cas == null ? 0 : cas));
        }
        m.appendTail(sb);
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends {@code request} to both; records a difference when the normalised replies differ. */
    private Reply check(String name, byte[] template) throws IOException {
        byte[] toMc = resolve(mc, template);
        byte[] toQr = resolve(qr, template);
        Reply a = exchange(mc, toMc);
        Reply b = exchange(qr, toQr);
        compared++;
        if (!a.equals(b) || a.text().endsWith(TIMED_OUT)) {
            String req = show(new String(toMc, StandardCharsets.ISO_8859_1));
            if (toQr != toMc) {
                req += " (to qrrot: " + show(new String(toQr, StandardCharsets.ISO_8859_1)) + ")";
            }
            differences.add(name + ": request " + req + "\n    memcached: " + a + "\n    qrrot:     " + b);
        }
        return a;
    }

    private void check(String request) throws IOException {
        check(request.length() > 60 ? request.substring(0, 60) : request, bytes(request));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    private static byte[] setOf(String cmd, String key, long flags, Object exptime, byte[] data, String extra) {
        return concat(bytes(cmd + " " + key + " " + flags + " " + exptime + " " + data.length + extra + "\r\n"), data,
                bytes("\r\n"));
    }

    private void assertNoDifferences() {
        if (!differences.isEmpty()) {
            List<String> shown = differences.subList(0, Math.min(40, differences.size()));
            fail(differences.size() + " of " + compared + " replies differ:\n" + String.join("\n", shown));
        }
    }

    private void resetBoth() throws IOException {
        check("flush_all\r\n");
    }

    // ---------------------------------------------------------------- the scripted corpus

    @Test
    @Order(1) // first: its values of 2^63 and more meet memcached's slab memory fresh (see the random test)
    void scriptedEdgeCasesAnswerAsMemcachedDoes() throws Exception {
        resetBoth();
        // get, gets: missing, multi-key, duplicates
        check("get nope\r\n");
        check("gets nope\r\n");
        check("set a 0 0 1\r\n1\r\n");
        check("set b 5 0 2\r\nbb\r\n");
        check("get a b nope a\r\n");
        check("gets a b nope b a\r\n");
        check("get a a a\r\n");
        check("gets nope nope2\r\n");
        // gat, gats
        check("gat 0 a b nope\r\n");
        check("gats 100 a b\r\n");
        check("gat 0 nope\r\n");
        check("gats -1 b\r\n");
        check("get b\r\n");
        check("gat 1000000000 a\r\n");
        check("get a\r\n");
        // set, add, replace, append, prepend
        check("add a 0 0 1\r\nx\r\n");
        check("add c 3 0 3\r\nccc\r\n");
        check("add c 3 0 3\r\nddd\r\n");
        check("replace nope 0 0 1\r\nx\r\n");
        check("replace c 7 0 2\r\nrr\r\n");
        check("gets c\r\n");
        check("append c 9 0 3\r\n+ap\r\n");
        check("prepend c 9 0 3\r\npp-\r\n");
        check("gets c\r\n");
        check("append nope 0 0 1\r\nx\r\n");
        check("prepend nope 0 0 1\r\nx\r\n");
        check("append c 0 0 0\r\n\r\n");
        check("get c\r\n");
        // cas: match, mismatch, missing, 0
        check("set k 0 0 2\r\nv1\r\n");
        check("gets k\r\n");
        check("cas", bytes("cas k 1 0 2 {cas:k}\r\nv2\r\n"));
        check("gets k\r\n");
        check("cas stale", bytes("cas k 0 0 2 {cas:k}\r\nv3\r\n"));
        check("set k 0 0 2\r\nv4\r\n");
        check("cas after set", bytes("cas k 0 0 2 {cas:k}\r\nv5\r\n"));
        check("cas nope 0 0 1 1\r\nx\r\n");
        check("cas k 0 0 1 0\r\nx\r\n");
        check("cas nope 0 0 1 0\r\nx\r\n");
        check("gets k\r\n");
        check("cas noreply", bytes("cas k 0 0 2 {cas:k} noreply\r\nv6\r\n"));
        check("gets k\r\n");
        check("cas k 0 0 2 99999999999 noreply\r\nv7\r\n");
        check("get k\r\n");
        check("touch k 0\r\n");
        check("gets k\r\n");
        check("gat 0 k\r\n");
        check("gats 0 k\r\n");
        check("cas after touch", bytes("cas k 0 0 2 {cas:k}\r\nv8\r\n"));
        check("append k 0 0 1\r\nz\r\n");
        check("gets k\r\n");
        // delete
        check("delete k\r\n");
        check("delete k\r\n");
        check("set k 0 0 1\r\nx\r\n");
        check("delete k 0\r\n");
        check("delete k 0\r\n");
        check("set k 0 0 1\r\nx\r\n");
        check("delete k 1\r\n");
        check("delete k noreply\r\n");
        check("delete k 0 noreply\r\n");
        check("get k\r\n");
        check("delete\r\n");
        check("delete a b c\r\n");
        // incr, decr
        check("incr nope 1\r\n");
        check("decr nope 1\r\n");
        check("set n 0 0 20\r\n18446744073709551615\r\n");
        check("incr n 1\r\n");
        check("get n\r\n");
        check("set n 0 0 20\r\n18446744073709551610\r\n");
        check("incr n 10\r\n");
        check("get n\r\n");
        check("incr n 18446744073709551615\r\n");
        check("incr n 18446744073709551616\r\n");
        check("set n 0 0 1\r\n5\r\n");
        check("decr n 9\r\n");
        check("get n\r\n");
        check("decr n 18446744073709551615\r\n");
        check("incr n -1\r\n");
        check("incr n abc\r\n");
        check("incr n\r\n");
        check("set n 0 0 3\r\nabc\r\n");
        check("incr n 1\r\n");
        check("decr n 1\r\n");
        check("set n 0 0 3\r\n 42\r\n");
        check("incr n 1\r\n");
        check("get n\r\n");
        check("set n 0 0 4\r\n  7 \r\n");
        check("decr n 2\r\n");
        check("get n\r\n");
        check("set n 0 0 2\r\n-0\r\n");
        check("incr n 1\r\n");
        check("get n\r\n");
        check("set n 0 0 2\r\n-1\r\n");
        check("incr n 1\r\n");
        check("set n 0 0 2\r\n+5\r\n");
        check("incr n 1\r\n");
        check("get n\r\n");
        check("set n 0 0 5\r\n12   \r\n");
        check("incr n 1\r\n");
        check("get n\r\n");
        check("set n 0 0 3\r\n1x2\r\n");
        check("incr n 1\r\n");
        check("set n 0 0 0\r\n\r\n");
        check("incr n 1\r\n");
        check("set n 0 0 3\r\n100\r\n");
        check("decr n 1\r\n");
        check("get n\r\n");
        check("decr n 98\r\n");
        check("gets n\r\n");
        check("incr n 99\r\n");
        check("get n\r\n");
        check("set n 3 0 2\r\n99\r\n");
        check("incr n 1\r\n");
        check("gets n\r\n");
        check("append n 0 0 1\r\n7\r\n");
        check("incr n 1\r\n");
        check("get n\r\n");
        check("incr n 1 noreply\r\n");
        check("decr n 1 noreply\r\n");
        check("decr nope 1 noreply\r\n");
        check("get n\r\n");
        check("set n 0 0 21\r\n184467440737095516150\r\n");
        check("incr n 1\r\n");
        check("set n 0 0 20\r\n00000000000000000001\r\n");
        check("incr n 1\r\n");
        check("get n\r\n");
        check("incr n 00001\r\n");
        check("incr n 1x\r\n");
        check("incr n 1 2\r\n");
        check("nul after digits", concat(bytes("set n 0 0 3\r\n5"), new byte[] {0}, bytes("x\r\n")));
        check("incr n 1\r\n");
        check("get n\r\n");
        check("nul first", concat(bytes("set n 0 0 2\r\n"), new byte[] {0}, bytes("5\r\n")));
        check("incr n 1\r\n");
        check("set n 0 0 2\r\n0 \r\n");
        check("decr n 0\r\n");
        check("incr n 0\r\n");
        check("gets n\r\n");
        check("set n 0 0 21\r\n 18446744073709551615\r\n");
        check("incr n 2\r\n");
        check("get n\r\n");
        check("set n 0 0 3\r\n1\t \r\n");
        check("incr n 1\r\n");
        check("get n\r\n");
        // stores with an expired exptime on an existing key
        check("set x 0 0 1\r\nx\r\n");
        check("add x 0 -1 1\r\ny\r\n");
        check("get x\r\n");
        check("append x 0 -1 1\r\ny\r\n");
        check("get x\r\n");
        check("gets x\r\n");
        check("cas expired", bytes("cas x 0 -1 1 {cas:x}\r\nz\r\n"));
        check("get x\r\n");
        check("set x 0 0 1\r\nx\r\n");
        check("replace x 0 -1 1\r\ny\r\n");
        check("get x\r\n");
        check("replace x 0 -1 1\r\ny\r\n");
        check("set x 0 0 1\r\nx\r\n");
        check("gats -1 x\r\n");
        check("get x\r\n");
        // touch
        check("touch nope 0\r\n");
        check("touch a 100\r\n");
        check("touch a 0 noreply\r\n");
        check("touch nope 0 noreply\r\n");
        check("get a\r\n");
        check("touch a -1\r\n");
        check("get a\r\n");
        check("touch a\r\n");
        check("touch b x\r\n");
        // flags
        check("set f 0 0 1\r\nx\r\n");
        check("set f1 1 0 1\r\nx\r\n");
        check("set f2 4294967295 0 1\r\nx\r\n");
        check("set f3 4294967296 0 1\r\nx\r\n");
        check("set f4 -1 0 1\r\nx\r\n");
        check("get f f1 f2 f3 f4\r\n");
        check("append f2 0 0 1\r\ny\r\n");
        check("gets f2\r\n");
        // exptime: negative, 0, absolute past/future
        long future = System.currentTimeMillis() / 1000 + 86400;
        check("set e1 0 -1 1\r\nx\r\n");
        check("get e1\r\n");
        check("set e2 0 1000000000 1\r\nx\r\n");
        check("get e2\r\n");
        check("set e3 0 " + future + " 1\r\nx\r\n");
        check("get e3\r\n");
        check("set e4 0 0 1\r\nx\r\n");
        check("set e4 0 -1 1\r\ny\r\n");
        check("get e4\r\n");
        check("add e1 0 0 1\r\nz\r\n");
        check("set e5 0 2592000 1\r\nx\r\n");
        check("get e5\r\n");
        check("set e6 0 2592001 1\r\nx\r\n");
        check("get e6\r\n");
        check("set e7 0 x 1\r\nx\r\n");
        check("set e8 0 99999999999 1\r\nx\r\n");
        check("get e8\r\n");
        check("touch e3 1000000000\r\n");
        check("get e3\r\n");
        check("set e9 0 -2147483648 1\r\nx\r\n");
        check("get e9\r\n");
        // values: 0 bytes, binary, CRLF inside
        check("set z 0 0 0\r\n\r\n");
        check("get z\r\n");
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        check("binary", setOf("set", "bin", 0, 0, binary, ""));
        check("get bin\r\n");
        check("crlf", setOf("set", "crlf", 0, 0, bytes("a\r\nEND\r\nMN\r\nb"), ""));
        check("get crlf\r\n");
        check("set short 0 0 3\r\nab\r\nXXget short\r\n"); // the bad chunk takes two bytes as its CRLF
        check("set long 0 0 1\r\nabc\r\n");
        check("get short long\r\n");
        // keys of 250 and 251 bytes
        String k250 = "k".repeat(250);
        String k251 = "k".repeat(251);
        check("set " + k250 + " 0 0 1\r\nx\r\n");
        check("get " + k250 + "\r\n");
        check("set " + k251 + " 0 0 1\r\nx\r\n");
        check("get " + k251 + "\r\n");
        check("delete " + k251 + "\r\n");
        check("incr " + k251 + " 1\r\n");
        check("touch " + k251 + " 0\r\n");
        check("append " + k251 + " 0 0 1\r\nx\r\n");
        // sizes: clearly under and clearly over; then memcached's exact boundary for two key lengths
        check("1,000,000 bytes", setOf("set", "big", 0, 0, filled(1_000_000), ""));
        check("get big\r\n");
        check("1,100,000 bytes", setOf("set", "big", 0, 0, filled(1_100_000), ""));
        check("get big\r\n");
        check("append to over", setOf("append", "big", 0, 0, filled(60_000), ""));
        check("get big\r\n");
        for (String key : List.of("s", "s".repeat(200))) {
            for (long flags : new long[] {0, 1}) {
                int limit = memcachedLimit(key, flags);
                String what = ", key " + key.length() + ", flags " + flags;
                check("at memcached's limit " + limit + what, setOf("set", key, flags, 0, filled(limit), ""));
                check("get " + key + "\r\n");
                check("one over memcached's limit " + (limit + 1) + what,
                        setOf("set", key, flags, 0, filled(limit + 1), ""));
                check("get " + key + "\r\n");
                check("set " + key + " 0 0 1\r\nx\r\n");
                check("append at limit" + what, setOf("append", key, flags, 0, filled(limit - 1), ""));
                check("get " + key + "\r\n");
                check("append over limit" + what, setOf("append", key, flags, 0, filled(limit), ""));
                check("get " + key + "\r\n");
                check("prepend over limit" + what, setOf("prepend", key, flags, 0, filled(limit), ""));
                check("add over limit" + what, setOf("add", key, flags, 0, filled(limit + 1), ""));
                check("replace over limit" + what, setOf("replace", key, flags, 0, filled(limit + 1), ""));
                check("cas over limit" + what, setOf("cas", key, flags, 0, filled(limit + 1), " 1"));
                check("get " + key + "\r\n");
            }
            check("get " + key + "\r\n");
            check("delete " + key + "\r\n");
        }
        // noreply on every command that has it
        check("set nr 0 0 1 noreply\r\nx\r\n");
        check("add nr 0 0 1 noreply\r\ny\r\n");
        check("add nr2 0 0 1 noreply\r\ny\r\n");
        check("replace nr 0 0 1 noreply\r\nz\r\n");
        check("replace nope 0 0 1 noreply\r\nz\r\n");
        check("append nr 0 0 1 noreply\r\na\r\n");
        check("prepend nr 0 0 1 noreply\r\np\r\n");
        check("get nr nr2\r\n");
        check("incr nr 1 noreply\r\n");
        check("touch nr 0 noreply\r\n");
        check("delete nr2 noreply\r\n");
        check("set nr 0 0 1 noreply\r\nxx\r\n");
        check("set nr 4294967296 0 1 noreply\r\nx\r\n");
        check("get nr nr2\r\n");
        check("flush_all noreply\r\n");
        check("get nr a b c\r\n");
        check("verbosity 1 noreply\r\n");
        check("set nr 0 0 1 garbage\r\nx\r\n");
        check("get nr\r\n");
        // verbosity, version, unknown commands, mn, flush_all
        check("verbosity 1\r\n");
        check("verbosity 0\r\n");
        check("verbosity\r\n");
        check("verbosity x\r\n");
        check("verbosity 1 2 3\r\n");
        check("version\r\n");
        check("mn\r\n");
        check("frobnicate k\r\n");
        check("GET a\r\n");
        check("set fa 0 0 1\r\nx\r\n");
        check("flush_all\r\n");
        check("get fa\r\n");
        check("flush_all 0\r\n");
        check("flush_all x\r\n");
        check("flush_all -1\r\n");
        check("flush_all 0 noreply\r\n");
        // stats: both answer; qrrot's names are memcached's (and two of its own)
        compareStats("stats\r\n");
        compareStats("stats settings\r\n");
        compareStats("stats items\r\n");
        compareStats("stats slabs\r\n");
        // quit closes the connection
        check("quit\r\n");
        check("get a\r\n");
        check("get a\r\nquit\r\nget a\r\n");
        // relative expiry: 1 second, gone after 2.2 s in both (memcached's clock ticks each second)
        resetBoth();
        check("set r1 0 1 1\r\nx\r\n");
        check("set r2 0 100 1\r\nx\r\n");
        check("set r3 0 0 1\r\nx\r\n");
        check("touch r3 1\r\n");
        check("set r4 0 0 1\r\nx\r\n");
        check("gat 1 r4\r\n");
        Thread.sleep(2200);
        check("get r1 r2 r3 r4\r\n");
        // flush_all with a delay: still there right after, gone 4 s later
        check("flush_all 3\r\n");
        check("get r2\r\n");
        Thread.sleep(4000);
        check("get r2\r\n");
        assertNoDifferences();
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 'v');
        return b;
    }

    /** The largest value memcached stores under {@code key}, by binary search. */
    private int memcachedLimit(String key, long flags) throws IOException {
        int lo = 1_000_000;
        int hi = 1_048_576 + 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            Reply r = exchange(mc, setOf("set", key, flags, 0, filled(mid), ""));
            if (r.text().equals("STORED\r\n")) {
                lo = mid;
            } else {
                assertEquals("SERVER_ERROR object too large for cache\r\n", r.text());
                hi = mid;
            }
        }
        exchange(mc, bytes("delete " + key + "\r\n"));
        return lo;
    }

    private void compareStats(String request) throws IOException {
        Reply a = exchange(mc, bytes(request));
        Reply b = exchange(qr, bytes(request));
        compared++;
        Set<String> mcNames = statNames(a.text());
        Set<String> qrNames = statNames(b.text());
        if (!a.text().endsWith("END\r\n") || !b.text().endsWith("END\r\n") || mcNames == null || qrNames == null) {
            differences.add(request.trim() + ": memcached " + a + "\n    qrrot:     " + b);
            return;
        }
        Set<String> extra = new TreeSet<>(qrNames);
        extra.removeAll(mcNames);
        extra.removeAll(Set.of("qrrot_version", "durable_fsync"));
        if (!extra.isEmpty()) {
            differences.add(request.trim() + ": qrrot's STAT names memcached has not: " + extra);
        }
    }

    /** The STAT names of a stats reply, or null when a line is not a STAT line (or END last). */
    private static Set<String> statNames(String text) {
        Set<String> names = new LinkedHashSet<>();
        String[] lines = text.split("\r\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (i == lines.length - 1 && l.equals("END")) {
                break;
            }
            if (!l.startsWith("STAT ") || l.split(" ").length < 3) {
                return null;
            }
            names.add(l.split(" ")[1]);
        }
        return names;
    }

    // ---------------------------------------------------------------- seeded random commands

    @Test
    @Order(2)
    void randomCommandsAnswerAsMemcachedDoes() throws Exception {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        System.out.println("MemcachedSemanticsDifferentialTest seed: -Dqrrot.seed=" + seed);
        Random rnd = new Random(seed);
        resetBoth();
        String[] keys = {"k0", "k1", "k2", "k3", "k4", "k5"};
        int ops = 5000;
        Map<String, Deque<String>> history = new HashMap<>();
        for (int n = 0; n < ops; n++) {
            String key = keys[rnd.nextInt(keys.length)];
            String noreply = rnd.nextInt(10) == 0 ? " noreply" : "";
            int pick = rnd.nextInt(100);
            byte[] req;
            if (pick < 14) {
                StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "get" : "gets");
                for (int i = 0, m = 1 + rnd.nextInt(3); i < m; i++) {
                    sb.append(' ').append(keys[rnd.nextInt(keys.length)]);
                }
                req = bytes(sb.append("\r\n").toString());
            } else if (pick < 18) {
                req = bytes((rnd.nextBoolean() ? "gat " : "gats ") + exptime(rnd) + " " + key + " "
                        + keys[rnd.nextInt(keys.length)] + "\r\n");
            } else if (pick < 60) {
                String[] cmds = {"set", "set", "add", "replace", "append", "prepend", "cas"};
                String cmd = cmds[rnd.nextInt(cmds.length)];
                String extra = "";
                if (cmd.equals("cas")) {
                    extra = " " + (rnd.nextInt(4) == 0 ? Integer.toString(rnd.nextInt(3)) : "{cas:" + key + "}");
                }
                req = setOf(cmd, key, flags(rnd), exptime(rnd), value(rnd), extra + noreply);
            } else if (pick < 70) {
                req = bytes("delete " + key + noreply + "\r\n");
            } else if (pick < 92) {
                // Numbers stay below 2^63 here: memcached reads a value of 2^63 or more as negative unless no '-'
                // follows it in memory up to a NUL (safe_strtoull's strchr runs past the item's bytes), which
                // depends on what memcached's slab memory held before. Wrapping is in the scripted corpus.
                String delta = switch (rnd.nextInt(6)) {
                    case 0 -> rnd.nextBoolean() ? "4611686018427387904" : "18446744073709551615";
                    case 1 -> Long.toString(rnd.nextLong() & ((1L << 40) - 1));
                    case 2 -> "0";
                    default -> Integer.toString(rnd.nextInt(200));
                };
                String op = delta.length() > 15 ? "decr " : rnd.nextBoolean() ? "incr " : "decr ";
                req = bytes(op + key + " " + delta + noreply + "\r\n");
            } else if (pick < 98) {
                req = bytes("touch " + key + " " + exptime(rnd) + noreply + "\r\n");
            } else {
                req = bytes("flush_all" + noreply + "\r\n");
            }
            int before = differences.size();
            Reply reply = check("op " + n + " (seed " + seed + ")", req);
            String head = new String(req, 0, Math.min(req.length, 80), StandardCharsets.ISO_8859_1);
            head = head.substring(0, head.indexOf('\r'));
            Set<String> named = new TreeSet<>();
            for (String token : head.split(" ")) {
                if (token.matches("k[0-9]")) {
                    named.add(token);
                }
            }
            if (differences.size() > before) {
                StringBuilder past = new StringBuilder();
                for (String k : named) {
                    past.append("\n    earlier requests naming ").append(k).append(" (memcached's replies):");
                    for (String h : history.getOrDefault(k, new ArrayDeque<>())) {
                        past.append("\n      ").append(h);
                    }
                }
                differences.set(before, differences.get(before) + past);
            }
            String entry = "op " + n + ": " + show(new String(req, StandardCharsets.ISO_8859_1)) + " -> " + reply;
            for (String k : named.isEmpty() && head.startsWith("flush_all") ? List.of(keys) : named) {
                Deque<String> h = history.computeIfAbsent(k, x -> new ArrayDeque<>());
                h.addLast(entry);
                if (h.size() > 8) {
                    h.removeFirst();
                }
            }
            if (differences.size() >= 40) {
                break;
            }
        }
        assertNoDifferences();
    }

    private static long flags(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 4294967295L;
            default -> rnd.nextInt(1 << 16);
        };
    }

    private static String exptime(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0, 1 -> "0";
            case 2 -> "3600";
            default -> Long.toString(System.currentTimeMillis() / 1000 + 86400);
        };
    }

    private static byte[] value(Random rnd) {
        switch (rnd.nextInt(8)) {
            case 0, 1, 2 -> {
                return bytes(Long.toString(rnd.nextInt(1000)));
            }
            case 3 -> {
                return bytes(Long.toString((1L << 62) + rnd.nextInt(300)));
            }
            case 4 -> {
                return bytes(rnd.nextInt(50) + "  ");
            }
            case 5 -> {
                return new byte[0];
            }
            default -> {
                byte[] b = new byte[1 + rnd.nextInt(20)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) ('a' + rnd.nextInt(26));
                }
                return b;
            }
        }
    }
}
