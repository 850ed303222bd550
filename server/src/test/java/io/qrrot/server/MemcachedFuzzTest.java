package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.util.internal.PlatformDependent;
import io.qrrot.recovery.Qrrot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated memcached requests (valid ones with bytes flipped, cut short, repeated, with huge or
 * negative numbers and long keys) against the memcached port and the main port, which must first tell the
 * protocol apart. Each case: send, half-close, read until the server closes. Checks: every reply is a line
 * memcached (or, on the main port, Redis) could send, each data block as long as its header says; no connection
 * hangs; no request meets an internal error; direct memory stays bounded; a canary client is served throughout.
 * Replay with {@code -Dqrrot.seed=N}.
 */
class MemcachedFuzzTest {
    private static final int CASES = Integer.getInteger("qrrot.fuzz.cases", 400);
    private static final long DIRECT_MEMORY_BOUND = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void nothingAMemcachedClientSendsBreaksTheServer() throws Exception {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String where = "seed=" + seed + " (replay with -Dqrrot.seed=" + seed + ")";
        System.out.println("MemcachedFuzzTest " + where);
        Qrrot db = TestBackends.open(dir);
        QrrotServer server = TestBackends.start(db, TestBackends.options().withQueryBufferLimit(8L << 20)
                .withMemcachedPort(0).withMemcachedItemSize(64 * 1024));
        long maxDirect = 0;
        long stored = 0;
        try (MemcachedPortTest.Mc canary = new MemcachedPortTest.Mc(server.memcachedPort())) {
            for (int i = 0; i < CASES; i++) {
                byte[] payload = payload(rnd);
                boolean mainPort = rnd.nextInt(3) == 0;
                String kase = where + " case=" + i + (mainPort ? " (main port)" : "") + " payload="
                        + preview(payload);
                byte[] replies = HalfClosed.exchange(mainPort ? server.port() : server.memcachedPort(), payload, kase);
                checkReplies(replies, mainPort, kase);
                stored += new String(replies, StandardCharsets.ISO_8859_1).split("STORED\r\n", -1).length - 1;
                maxDirect = Math.max(maxDirect, PlatformDependent.usedDirectMemory());
                if (i % 25 == 0) {
                    assertEquals("STORED\r\n", canary.call("set canary 3 0 " + ("v" + i).length() + "\r\nv" + i
                            + "\r\n"), kase);
                    assertEquals("VALUE canary 3 " + ("v" + i).length() + "\r\nv" + i + "\r\nEND\r\n",
                            canary.call("get canary\r\n"), kase);
                }
            }
            assertTrue(maxDirect < DIRECT_MEMORY_BOUND, where + ": direct memory peaked at " + maxDirect);
            // Mutations make most requests errors, and a declared length never sent swallows what follows it;
            // about one case in eight still stores something.
            assertTrue(stored > CASES / 20, where + ": the requests hardly ran: " + stored + " stores answered");
            try (RawClient redis = new RawClient(server.port())) {
                assertTrue(redis.call("INFO", "stats").contains("client_connections_failed:0\r\n"),
                        where + ": connections closed by internal errors (see the log)");
            }
        } finally {
            server.close();
            TestBackends.close(db);
        }
    }

    private static final String[] LINE_STARTS = {"END", "STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "DELETED",
        "TOUCHED", "OK", "ERROR", "CLIENT_ERROR ", "SERVER_ERROR ", "VERSION ", "STAT ", "RESET", "HD", "EN", "NS",
        "EX", "NF", "MN"};

    /** Every reply line is one memcached sends; VALUE and VA are followed by exactly their bytes. */
    private static void checkReplies(byte[] r, boolean mainPort, String kase) {
        String text = new String(r, StandardCharsets.ISO_8859_1);
        if (text.contains("internal error")) {
            fail(kase + ": an internal error: " + preview(r));
        }
        if (mainPort && r.length > 0 && (r[0] == '+' || r[0] == '-' || r[0] == ':' || r[0] == '$' || r[0] == '*')) {
            return; // taken for Redis: ProtocolFuzzTest checks RESP
        }
        int at = 0;
        while (at < r.length) {
            int end = text.indexOf("\r\n", at);
            if (end < 0) {
                fail(kase + ": a reply line without its end at " + at + ": " + preview(r));
            }
            String line = text.substring(at, end);
            at = end + 2;
            long data = -1;
            if (line.startsWith("VALUE ")) {
                String[] t = line.split(" ");
                assertTrue(t.length == 4 || t.length == 5, kase + ": " + line);
                data = Long.parseLong(t[3]);
            } else if (line.startsWith("VA ")) {
                data = Long.parseLong(line.split(" ")[1]);
            } else if (!line.isEmpty() && line.chars().allMatch(Character::isDigit)) {
                continue; // incr/decr
            } else {
                boolean known = false;
                for (String s : LINE_STARTS) {
                    known |= line.startsWith(s);
                }
                assertTrue(known, kase + ": an unknown reply line '" + line + "' in " + preview(r));
            }
            if (data >= 0) {
                assertTrue(at + data + 2 <= r.length && text.startsWith("\r\n", (int) (at + data)),
                        kase + ": a data block not as long as its header says: " + preview(r));
                at += (int) data + 2;
            }
        }
    }

    private static final String[] VALID = {
        "get k\r\n", "gets a b c\r\n", "gat 10 k\r\n", "gats 0 a k\r\n", "set k 1 0 3\r\nabc\r\n",
        "add a 0 100 1\r\nx\r\n", "replace k 4294967295 0 2\r\nyz\r\n", "append k 0 0 1\r\nq\r\n",
        "prepend k 0 0 1\r\nq\r\n", "cas k 0 0 1 5\r\nx\r\n", "delete k\r\n", "delete k noreply\r\n",
        "incr n 5\r\n", "decr n 18446744073709551615\r\n", "set n 0 0 2\r\n10\r\n", "touch k 5\r\n",
        "flush_all 0\r\n", "stats\r\n", "stats items\r\n", "stats slabs\r\n", "stats settings\r\n", "version\r\n",
        "verbosity 1\r\n", "mn\r\n", "mg k v f t c s k O1\r\n", "ms k 2 T0 F3 c\r\nhi\r\n", "md k q\r\n",
        "ma n N0 J5 v\r\n", "set big 0 0 70000\r\n" + "z".repeat(70_000) + "\r\n", "quit\r\n"
    };

    private static byte[] payload(Random rnd) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int requests = 1 + rnd.nextInt(6);
        for (int i = 0; i < requests; i++) {
            byte[] v = VALID[rnd.nextInt(VALID.length)].getBytes(StandardCharsets.ISO_8859_1);
            switch (rnd.nextInt(8)) {
                case 0 -> { // flip bytes
                    v = v.clone();
                    for (int k = 0, n = 1 + rnd.nextInt(3); k < n; k++) {
                        v[rnd.nextInt(v.length)] = (byte) rnd.nextInt(256);
                    }
                }
                case 1 -> v = java.util.Arrays.copyOf(v, rnd.nextInt(v.length)); // cut short
                case 2 -> v = (new String(v, StandardCharsets.ISO_8859_1).replaceFirst("\\d+",
                        rnd.nextBoolean() ? "99999999999999999999" : "-" + rnd.nextInt(1 << 30)))
                        .getBytes(StandardCharsets.ISO_8859_1); // a number out of range
                case 3 -> v = (new String(v, StandardCharsets.ISO_8859_1).replaceFirst(" k", " "
                        + "k".repeat(240 + rnd.nextInt(20)))).getBytes(StandardCharsets.ISO_8859_1); // long keys
                case 4 -> { // random bytes
                    v = new byte[rnd.nextInt(300)];
                    rnd.nextBytes(v);
                }
                case 5 -> v = ("set s 0 0 " + (rnd.nextBoolean() ? "2147483645" : "1048576") + "\r\nshort\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1); // a declared length never sent
                default -> {
                }
            }
            b.writeBytes(v);
        }
        return b.toByteArray();
    }

    private static String preview(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, 160), StandardCharsets.ISO_8859_1)
                .replace("\r", "\\r").replace("\n", "\\n");
        return s + (b.length > 160 ? "... (" + b.length + " bytes)" : "");
    }
}
