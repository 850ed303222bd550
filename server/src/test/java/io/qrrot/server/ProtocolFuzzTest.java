package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.util.internal.PlatformDependent;
import io.qrrot.recovery.Qrrot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated RESP frames, huge declared lengths and slowloris partial frames against a running
 * server over loopback. Each case: send, half-close, read until the server closes. Checks: every reply is
 * well-formed RESP, no connection hangs, direct memory stays bounded (a declared length is never
 * allocated), and a canary client is served throughout. Replay with {@code -Dqrrot.seed=N}.
 */
class ProtocolFuzzTest {
    private static final int CASES = Integer.getInteger("qrrot.fuzz.cases", 400);
    private static final long DIRECT_MEMORY_BOUND = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void nothingAClientSendsBreaksTheServer() throws Exception {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String where = "seed=" + seed + " (replay with -Dqrrot.seed=" + seed + ")";
        System.out.println("ProtocolFuzzTest " + where);
        Qrrot db = TestBackends.open(dir);
        QrrotServer server = TestBackends.start(db, TestBackends.options().withQueryBufferLimit(8L << 20));
        List<Socket> slowloris = new ArrayList<>();
        List<byte[]> slowFrames = new ArrayList<>();
        long maxDirect = 0;
        try (RawClient canary = new RawClient(server.port())) {
            for (int i = 0; i < 20; i++) {
                Socket s = HalfClosed.connect(server.port());
                slowloris.add(s);
                slowFrames.add(validFrame(rnd));
            }
            for (int i = 0; i < CASES; i++) {
                byte[] payload = payload(rnd);
                String kase = where + " case=" + i + " payload=" + preview(payload);
                runCase(server.port(), payload, kase);
                for (int k = 0; k < slowloris.size(); k++) {
                    byte[] f = slowFrames.get(k);
                    int at = i % f.length;
                    if (at < f.length - 1) { // never complete the frame: keep the server waiting
                        slowloris.get(k).getOutputStream().write(f[at]);
                    }
                }
                maxDirect = Math.max(maxDirect, PlatformDependent.usedDirectMemory());
                if (i % 25 == 0) {
                    assertEquals("+PONG\r\n", canary.call("PING"), kase);
                    assertEquals("+OK\r\n", canary.call("SET", "canary", "v" + i), kase);
                    assertEquals("$" + ("v" + i).length() + "\r\nv" + i + "\r\n", canary.call("GET", "canary"), kase);
                }
            }
            assertEquals("+PONG\r\n", canary.call("PING"), where + ": served while slowloris clients hang on");
            assertTrue(maxDirect < DIRECT_MEMORY_BOUND, where + ": direct memory peaked at " + maxDirect);
        } finally {
            for (Socket s : slowloris) {
                s.close();
            }
            server.close();
            TestBackends.close(db);
        }
    }

    private static void runCase(int port, byte[] payload, String kase) throws IOException {
        byte[] replies = HalfClosed.exchange(port, payload, kase);
        InputStream in = new ByteArrayInputStream(replies);
        RespReader reader = new RespReader(in);
        while (in.available() > 0) {
            try {
                reader.read();
            } catch (EOFException e) {
                fail(kase + ": reply cut short: " + preview(replies));
            } catch (IOException | NumberFormatException e) {
                fail(kase + ": malformed reply (" + e.getMessage() + "): " + preview(replies));
            }
        }
    }

    private static final String[] WORDS = {"GET", "SET", "PING", "ECHO", "INCR", "DEL", "MULTI", "EXEC", "CLIENT",
            "HELLO", "CONFIG", "COMMAND", "INFO", "SELECT", "AUTH", "k", "v", "3", "-1", "LIST", "GET", "DOCS"};

    private static byte[] validFrame(Random rnd) {
        int n = 1 + rnd.nextInt(4);
        String[] args = new String[n];
        for (int i = 0; i < n; i++) {
            args[i] = WORDS[rnd.nextInt(WORDS.length)];
        }
        return RawClient.multibulk(args).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] payload(Random rnd) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        switch (rnd.nextInt(6)) {
            case 0 -> { // random bytes
                byte[] r = new byte[rnd.nextInt(2000)];
                rnd.nextBytes(r);
                b.writeBytes(r);
            }
            case 1 -> { // valid frames with mutations
                for (int i = 0, n = 1 + rnd.nextInt(10); i < n; i++) {
                    b.writeBytes(validFrame(rnd));
                }
                byte[] f = b.toByteArray();
                for (int m = 0, n = 1 + rnd.nextInt(4); m < n && f.length > 0; m++) {
                    f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
                }
                int cut = rnd.nextBoolean() ? f.length : rnd.nextInt(f.length + 1);
                b.reset();
                b.write(f, 0, cut);
            }
            case 2 -> { // huge declared lengths
                String[] huge = {"*2147483647\r\n", "*2147483648\r\n", "*1\r\n$2147483647\r\n", "*1\r\n$536870912\r\n",
                        "*1\r\n$536870913\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$400000000\r\nabc",
                        "*99999999\r\n$1\r\na\r\n", "*-2147483648\r\n", "$5\r\n", "*1\r\n$99999999999999999999\r\n"};
                b.writeBytes(huge[rnd.nextInt(huge.length)].getBytes(StandardCharsets.ISO_8859_1));
            }
            case 3 -> { // inline lines with quotes and escapes
                String alphabet = "ab \"'\\xZ09\t\r\n";
                for (int i = 0, n = rnd.nextInt(200); i < n; i++) {
                    b.write(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            case 4 -> { // many small valid commands, pipelined
                for (int i = 0, n = 1 + rnd.nextInt(200); i < n; i++) {
                    b.writeBytes(validFrame(rnd));
                }
            }
            default -> { // a long line without a newline, or a long bulk count string
                String head = rnd.nextBoolean() ? "" : (rnd.nextBoolean() ? "*" : "*1\r\n$");
                b.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
                byte[] digits = new byte[60_000 + rnd.nextInt(20_000)];
                java.util.Arrays.fill(digits, (byte) '7');
                b.writeBytes(digits);
            }
        }
        return b.toByteArray();
    }

    private static String preview(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, 80), StandardCharsets.ISO_8859_1)
                .replace("\r", "\\r").replace("\n", "\\n");
        return "\"" + s + (b.length > 80 ? "…\" (" + b.length + " bytes)" : "\"");
    }
}
