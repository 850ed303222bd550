package io.qrrot.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the real {@code qrrot serve --fsync always --memcached-port 0} under concurrent memcached clients
 * (raw text protocol): each client owns a few keys and sends set (random flags, digits or binary bytes with NULs
 * and CRLFs), append, incr, delete and gets on them, checking every reply against its model of the key. A
 * write's reply (STORED, incr's number, DELETED) is its acknowledgement; the write a client was waiting on when the
 * server died is in doubt. After each restart on the same data directory:
 * <ul>
 * <li>every key holds exactly its last acknowledged value and flags, or what its in-doubt write would have made
 * of it;</li>
 * <li>a key nobody wrote since a {@code gets} before the kill keeps that CAS unique;</li>
 * <li>the CAS uniques {@code gets} returns are all distinct;</li>
 * <li>a new {@code set} gets a CAS unique above every one seen before the kill and every one read after it (the
 * counter survives restarts).</li>
 * </ul>
 * Replay with {@code -Dqrrot.seed=SEED}; the seed is printed.
 */
class MemcachedKillNineTest {
    private static final int CLIENTS = 4;
    private static final int KEYS_PER_CLIENT = 8;

    @Test
    void fsyncAlwaysLosesNothingAcknowledgedAndCasUniquesSurvive(@TempDir Path tmp) throws Exception {
        Report r = run(tmp, KillNineTest.LONG ? 200 : 6, List.of());
        assertEquals(List.of(), r.violations, r.summary());
        assertTrue(r.acked > 200, "the workload hardly ran: " + r.summary());
        assertTrue(r.keysVerified > 0 && r.casChecked > 0, "nothing was checked: " + r.summary());
    }

    /** A checker that cannot fail proves nothing: a server that replies before its WAL write must be caught. */
    @Test
    void theCheckerCatchesAServerThatAcknowledgesBeforeTheWal(@TempDir Path tmp) throws Exception {
        Report r = run(tmp, 5, List.of("--unsafe-ack-before-wal"));
        assertTrue(r.lost > 0, "acknowledged-but-unwritten memcached writes went unnoticed: " + r.summary());
    }

    /**
     * The CAS counter must survive a restart even when the item holding the highest CAS unique is gone and a
     * snapshot has folded its history away: else a new item can get a CAS unique a client still holds from
     * before the restart, and that client's {@code cas} succeeds over a value it never saw.
     * (Items the engine loads or applies alone would not do: after {@code set a; set b; delete b; SAVE} nothing
     * holds b's unique any more.)
     */
    @Test
    void casCounterSurvivesARestartAfterTheNewestItemWasDeletedAndSnapshotted(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("data"));
        try (ServerProcess server = Servers.qrrot(KillNineTest.jar(), dir, "always",
                List.of("--memcached-port", "0"))) {
            int port = server.start();
            long newest;
            try (McClient mc = new McClient(server.portFromOutput("memcached"))) {
                byte[] one = {'1'};
                assertEquals("STORED", mc.call(storage("set", "a", 0, one)));
                assertEquals("STORED", mc.call(storage("set", "b", 0, one)));
                Got a = mc.gets("a");
                Got b = mc.gets("b");
                assertTrue(b.cas > a.cas, "b's CAS unique " + b.cas + " is not above a's " + a.cas);
                newest = b.cas;
                assertEquals("DELETED", mc.call("delete b\r\n".getBytes(StandardCharsets.US_ASCII)));
            }
            try (Socket redis = new Socket("127.0.0.1", port)) {
                redis.setSoTimeout(30_000);
                redis.getOutputStream().write("*1\r\n$4\r\nSAVE\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] ok = redis.getInputStream().readNBytes(5);
                assertEquals("+OK\r\n", new String(ok, StandardCharsets.US_ASCII), "SAVE");
            }
            server.kill();
            server.start();
            try (McClient mc = new McClient(server.portFromOutput("memcached"))) {
                assertEquals("STORED", mc.call(storage("set", "b", 0, new byte[] {'2'})));
                Got b = mc.gets("b");
                assertTrue(b.cas > newest, "after the restart a new set got CAS unique " + b.cas
                        + ", not above the " + newest + " given out before it");
            }
        }
    }

    // ------------------------------------------------------------------ the loop

    /** A key's value: null stands for no key. */
    record Item(int flags, byte[] value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Item i && i.flags == flags && Arrays.equals(i.value, value);
        }

        @Override
        public int hashCode() {
            return 31 * flags + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "flags " + Integer.toUnsignedString(flags) + " value " + show(value);
        }
    }

    /** One owned key as its client knows it. */
    static final class KeyModel {
        final String key;
        Item known;            // acknowledged (null: absent)
        boolean inDoubt;       // a write was sent and not acknowledged before the kill
        Item ifApplied;        // what that write makes of the key
        long lastCas;          // from a gets since the last write; 0 when unknown

        KeyModel(String key) {
            this.key = key;
        }
    }

    record Report(String server, long seed, int cycles, long sent, long acked, long keysVerified, long casChecked,
                  long lost, List<String> violations) {
        String summary() {
            return String.format("%s: seed=%d cycles=%d memcached writes sent=%d acknowledged=%d keys verified=%d "
                            + "CAS uniques checked=%d lost=%d%s", server, seed, cycles, sent, acked, keysVerified,
                    casChecked, lost, violations.isEmpty() ? "" : "\nfirst violations:\n  "
                            + String.join("\n  ", violations.subList(0, Math.min(20, violations.size()))));
        }
    }

    static Report run(Path tmp, int cycles, List<String> extra) throws Exception {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        System.out.println("MemcachedKillNineTest seed " + seed + " (replay with -Dqrrot.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        Path dir = Files.createDirectories(tmp.resolve("data"));
        List<String> args = new ArrayList<>(List.of("--memcached-port", "0"));
        args.addAll(extra);
        List<List<KeyModel>> models = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            List<KeyModel> keys = new ArrayList<>();
            for (int k = 0; k < KEYS_PER_CLIENT; k++) {
                keys.add(new KeyModel("c" + c + ":k" + k));
            }
            models.add(keys);
        }
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        AtomicLong sent = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        AtomicLong maxCasSeen = new AtomicLong();
        long keysVerified = 0;
        long casChecked = 0;
        long lost = 0;
        ServerProcess server = Servers.qrrot(KillNineTest.jar(), dir, "always", args);
        try (server) {
            for (int cycle = 0; cycle <= cycles; cycle++) {
                server.start();
                int port = server.portFromOutput("memcached");
                System.out.printf("cycle %d: started in %d ms; writes sent %d, acknowledged %d%n", cycle,
                        server.lastStartMillis(), sent.get(), acked.get());
                if (cycle > 0) {
                    List<String> found = new ArrayList<>();
                    long[] counts = verify(port, models, maxCasSeen, cycle, found);
                    keysVerified += counts[0];
                    casChecked += counts[1];
                    lost += counts[2];
                    for (String v : found) {
                        violations.add("after kill " + cycle + ": " + v);
                    }
                }
                if (cycle == cycles) {
                    break;
                }
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    List<KeyModel> keys = models.get(c);
                    SplittableRandom r = random.split();
                    Thread t = new Thread(() -> work(port, keys, r, stop, sent, acked, maxCasSeen, violations),
                            "mc-client-" + c);
                    t.start();
                    threads.add(t);
                }
                Thread.sleep(150 + random.nextInt(500));
                server.kill();
                stop.set(true);
                for (Thread t : threads) {
                    t.join(60_000);
                    if (t.isAlive()) {
                        throw new AssertionError(t.getName() + " did not stop within 60 s of the kill");
                    }
                }
            }
        }
        Report report = new Report(server.describe() + " (memcached)", seed, cycles, sent.get(), acked.get(),
                keysVerified, casChecked, lost, new ArrayList<>(violations));
        System.out.println(report.summary());
        return report;
    }

    /** One client: writes and reads its own keys until the connection breaks (the kill) or it is told to stop. */
    private static void work(int port, List<KeyModel> keys, SplittableRandom random, AtomicBoolean stop,
                             AtomicLong sent, AtomicLong acked, AtomicLong maxCasSeen, List<String> violations) {
        try (McClient mc = new McClient(port)) {
            while (!stop.get()) {
                KeyModel k = keys.get(random.nextInt(keys.size()));
                int choice = random.nextInt(100);
                if (choice < 20) {
                    gets(mc, k, maxCasSeen, violations);
                    continue;
                }
                Request req = request(k, choice, random);
                if (req.changes) {
                    k.inDoubt = true;
                    k.ifApplied = req.after;
                    sent.incrementAndGet();
                }
                String reply = mc.call(req.bytes);
                if (!reply.equals(req.expected)) {
                    violations.add("during the run: " + k.key + " (" + k.known + "): " + req.describe
                            + " answered '" + reply + "', expected '" + req.expected + "'");
                    return; // the model no longer holds
                }
                if (req.changes) {
                    acked.incrementAndGet();
                    k.known = req.after;
                    k.inDoubt = false;
                    k.ifApplied = null;
                    k.lastCas = 0;
                }
            }
        } catch (IOException killed) {
            // the server was killed: the write in flight, if any, stays in doubt
        }
    }

    private static void gets(McClient mc, KeyModel k, AtomicLong maxCasSeen, List<String> violations)
            throws IOException {
        Got g = mc.gets(k.key);
        if (!java.util.Objects.equals(g.item, k.known)) {
            violations.add("during the run: gets " + k.key + " found " + g.item + ", acknowledged " + k.known);
            throw new IOException("the model no longer holds");
        }
        if (g.item != null) {
            k.lastCas = g.cas;
            maxCasSeen.accumulateAndGet(g.cas, Math::max);
        }
    }

    record Request(byte[] bytes, String expected, boolean changes, Item after, String describe) {
    }

    private static Request request(KeyModel k, int choice, SplittableRandom random) {
        Item cur = k.known;
        if (choice < 45 || cur == null && choice < 60) {
            int flags = random.nextInt(4) == 0 ? 0 : random.nextInt();
            byte[] value = random.nextBoolean() ? Long.toString(random.nextLong(1_000_000_000L)).getBytes(
                    StandardCharsets.US_ASCII) : blob(random);
            return new Request(storage("set", k.key, flags, value), "STORED", true, new Item(flags, value),
                    "set flags " + Integer.toUnsignedString(flags) + " " + show(value));
        }
        if (choice < 65) {
            // digits keep a number a number; a long value is set again rather than grown past 2^64
            byte[] suffix = Long.toString(random.nextInt(1000)).getBytes(StandardCharsets.US_ASCII);
            if (cur == null) {
                return new Request(storage("append", k.key, 0, suffix), "NOT_STORED", false, null, "append to nothing");
            }
            if (cur.value.length > 14 && number(cur.value) >= 0) {
                return request(k, 0, random);
            }
            return new Request(storage("append", k.key, 0, suffix), "STORED", true,
                    new Item(cur.flags, concat(cur.value, suffix)), "append " + show(suffix));
        }
        if (choice < 85) {
            long delta = random.nextInt(1000);
            byte[] line = ("incr " + k.key + " " + delta + "\r\n").getBytes(StandardCharsets.US_ASCII);
            if (cur == null) {
                return new Request(line, "NOT_FOUND", false, null, "incr of nothing");
            }
            long n = number(cur.value);
            if (n < 0) {
                return new Request(line, "CLIENT_ERROR cannot increment or decrement non-numeric value", false, null,
                        "incr of a non-number");
            }
            long next = n + delta;
            byte[] digits = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
            byte[] stored = digits;
            if (digits.length < cur.value.length) { // memcached writes in place, padded with spaces
                stored = Arrays.copyOf(digits, cur.value.length);
                Arrays.fill(stored, digits.length, stored.length, (byte) ' ');
            }
            return new Request(line, Long.toString(next), true, new Item(cur.flags, stored), "incr " + delta);
        }
        byte[] line = ("delete " + k.key + "\r\n").getBytes(StandardCharsets.US_ASCII);
        return cur == null ? new Request(line, "NOT_FOUND", false, null, "delete of nothing")
                : new Request(line, "DELETED", true, null, "delete");
    }

    /**
     * The value as memcached's incr reads it, or -1 when it reads no number: strtoull's digits, which must end the
     * value or be followed by white space (the values here start with a digit or an x, and their only white space
     * is incr's padding, so {@code "8  123"} reads as 8).
     */
    static long number(byte[] v) {
        int i = 0;
        while (i < v.length && v[i] >= '0' && v[i] <= '9') {
            i++;
        }
        if (i == 0 || i < v.length && v[i] != ' ') {
            return -1;
        }
        if (i > 18) {
            throw new IllegalStateException("the workload made a number too long for its model: " + show(v));
        }
        return Long.parseLong(new String(v, 0, i, StandardCharsets.US_ASCII));
    }

    /** Bytes that are not a number, with the protocol's own delimiters inside. */
    private static byte[] blob(SplittableRandom random) {
        byte[] b = new byte[1 + random.nextInt(200)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        b[0] = 'x';
        if (b.length > 8) {
            System.arraycopy(new byte[] {'\r', '\n', 0, 'E', 'N', 'D', '\r', '\n'}, 0, b, 1, 8);
        }
        return b;
    }

    private static byte[] storage(String cmd, String key, int flags, byte[] value) {
        byte[] head = (cmd + " " + key + " " + Integer.toUnsignedString(flags) + " 0 " + value.length + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        return concat(concat(head, value), new byte[] {'\r', '\n'});
    }

    /**
     * After a restart: every key against its model, the CAS uniques, and a probe set's CAS unique.
     *
     * @return keys verified, CAS uniques checked, violations
     */
    private static long[] verify(int port, List<List<KeyModel>> models, AtomicLong maxCasSeen, int cycle,
                                 List<String> violations) throws IOException {
        long keys = 0;
        long lost = 0;
        Map<Long, String> casOwners = new HashMap<>();
        long maxCasRead = 0;
        try (McClient mc = new McClient(port)) {
            for (List<KeyModel> client : models) {
                for (KeyModel k : client) {
                    Got g = mc.gets(k.key);
                    keys++;
                    boolean asAcked = java.util.Objects.equals(g.item, k.known);
                    boolean asInDoubt = k.inDoubt && java.util.Objects.equals(g.item, k.ifApplied);
                    if (!asAcked && !asInDoubt) {
                        lost++;
                        violations.add(k.key + ": acknowledged " + k.known + (k.inDoubt ? ", or in doubt "
                                + k.ifApplied : "") + "; found " + g.item);
                    }
                    // not written since the last gets: acknowledged as it was, and an in-doubt write not applied
                    boolean unchanged = asAcked && (!k.inDoubt || !java.util.Objects.equals(k.known, k.ifApplied));
                    if (unchanged && k.lastCas != 0 && g.item != null && g.cas != k.lastCas) {
                        lost++;
                        violations.add(k.key + ": unchanged since gets gave CAS " + k.lastCas + " before the kill, "
                                + "now CAS " + g.cas);
                    }
                    if (!unchanged) {
                        k.lastCas = 0;
                    }
                    k.known = g.item;
                    k.inDoubt = false;
                    k.ifApplied = null;
                    if (g.item != null) {
                        String other = casOwners.put(g.cas, k.key);
                        if (other != null) {
                            lost++;
                            violations.add(k.key + " and " + other + " have the same CAS unique " + g.cas);
                        }
                        maxCasRead = Math.max(maxCasRead, g.cas);
                        if (k.lastCas == 0) {
                            k.lastCas = g.cas;
                        }
                    }
                }
            }
            String probe = "probe:" + cycle;
            String stored = mc.call(storage("set", probe, 7, "p".getBytes(StandardCharsets.US_ASCII)));
            Got g = mc.gets(probe);
            long before = maxCasSeen.get();
            if (!stored.equals("STORED") || g.item == null) {
                lost++;
                violations.add("set " + probe + " answered " + stored + ", then gets found " + g.item);
            } else if (g.cas <= before || g.cas <= maxCasRead) {
                lost++;
                violations.add("a set after the restart got CAS " + g.cas + ", not above the " + before
                        + " seen before the kill and the " + maxCasRead + " read after it");
            }
            if (g.item != null) {
                maxCasSeen.accumulateAndGet(g.cas, Math::max);
            }
            maxCasSeen.accumulateAndGet(maxCasRead, Math::max);
            if (!mc.call(("delete " + probe + "\r\n").getBytes(StandardCharsets.US_ASCII)).equals("DELETED")) {
                throw new IOException("could not delete " + probe);
            }
        }
        return new long[] {keys, casOwners.size() + 1, lost};
    }

    // ------------------------------------------------------------------ a raw text-protocol client

    record Got(Item item, long cas) {
    }

    static final class McClient implements AutoCloseable {
        private final Socket socket = new Socket();
        private final OutputStream out;
        private final InputStream in;

        McClient(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        /** Sends a request and returns its one-line reply, without the CRLF. */
        String call(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            return line();
        }

        Got gets(String key) throws IOException {
            String head = call(("gets " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
            if (head.equals("END")) {
                return new Got(null, 0);
            }
            String[] p = head.split(" ");
            if (p.length != 5 || !p[0].equals("VALUE") || !p[1].equals(key)) {
                throw new IOException("gets " + key + " answered '" + head + "'");
            }
            int flags = Integer.parseUnsignedInt(p[2]);
            byte[] value = in.readNBytes(Integer.parseInt(p[3]));
            if (value.length != Integer.parseInt(p[3]) || !line().isEmpty() || !line().equals("END")) {
                throw new IOException("gets " + key + ": a malformed value block");
            }
            return new Got(new Item(flags, value), Long.parseUnsignedLong(p[4]));
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int prev = -1;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (prev == '\r' && c == '\n') {
                    byte[] all = b.toByteArray();
                    return new String(all, 0, all.length - 1, StandardCharsets.ISO_8859_1);
                }
                b.write(c);
                prev = c;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // ------------------------------------------------------------------ bytes

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static String show(byte[] v) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < Math.min(v.length, 40); i++) {
            int c = v[i] & 0xff;
            s.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? String.valueOf((char) c)
                    : String.format("\\x%02x", c));
        }
        return s.append(v.length > 40 ? "\"... (" + v.length + " bytes)" : "\"").toString();
    }
}
