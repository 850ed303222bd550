package io.qrrot.server.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class McDecoderTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String str(byte[] a, int off, int len) {
        return new String(a, off, len, StandardCharsets.ISO_8859_1);
    }

    /** Renders a decoded request: command, keys, numbers set, noreply, value. */
    private static String render(McRequest r) {
        StringBuilder sb = new StringBuilder(r.command().name().toLowerCase());
        for (int i = 0; i < r.keyCount(); i++) {
            sb.append(' ').append(str(r.array(), r.keyOffset(i), r.keyLength(i)));
        }
        for (int i = 0; i < r.metaFlagCount(); i++) {
            sb.append(" [").append(str(r.array(), r.metaFlagOffset(i), r.metaFlagLength(i))).append(']');
        }
        switch (r.command()) {
            case MS -> sb.append(" bytes=").append(r.bytes()).append(" value=")
                    .append(str(r.array(), r.valueOffset(), r.valueLength()));
            case SET, ADD, REPLACE, APPEND, PREPEND, CAS -> {
                sb.append(" flags=").append(Integer.toUnsignedString(r.flags())).append(" exptime=")
                        .append(r.exptime()).append(" bytes=").append(r.bytes());
                if (r.command() == McCommand.CAS) {
                    sb.append(" cas=").append(Long.toUnsignedString(r.cas()));
                }
                sb.append(" value=").append(str(r.array(), r.valueOffset(), r.valueLength()));
            }
            case INCR, DECR -> sb.append(" delta=").append(Long.toUnsignedString(r.delta()));
            case TOUCH, GAT, GATS -> sb.append(" exptime=").append(r.exptime());
            case FLUSH_ALL -> sb.append(r.hasDelay() ? " delay=" + r.exptime() : "");
            case VERBOSITY -> sb.append(" level=").append(Integer.toUnsignedString(r.level()));
            default -> { }
        }
        return sb.append(r.noreply() ? " noreply" : "").toString();
    }

    /** Everything decoded from {@code chunks} fed in turn: requests rendered, errors as "!text", "CLOSE". */
    private static List<String> decode(long maxValue, List<byte[]> chunks) {
        McDecoder d = new McDecoder(maxValue, 1 << 20);
        McRequest req = new McRequest();
        ByteBuf in = Unpooled.buffer();
        List<String> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            in.writeBytes(chunk);
            int r;
            while ((r = d.decode(in, req)) != McDecoder.NEED_MORE) {
                if (r == McDecoder.CLOSE) {
                    out.add("CLOSE");
                    return out;
                }
                out.add(r == McDecoder.COMMAND ? render(req) : "!" + d.error() + (req.noreply() ? " (noreply)" : ""));
            }
            in.discardReadBytes();
        }
        return out;
    }

    private static List<String> decode(String input) {
        return decode(1 << 20, List.of(b(input)));
    }

    /**
     * The item size limit counts what memcached 1.6.18 counts (-I 1m: 1,048,516 bytes under a 1-byte key with
     * flags 0, 4 fewer with flags, one fewer per key byte; the boundaries MemcachedSemanticsDifferentialTest finds).
     */
    @Test
    void theItemSizeLimitCountsTheHeaderTheKeyAndTheFlags() {
        long mib = 1 << 20;
        String k200 = "k".repeat(200);
        assertEquals("stored", sized(mib, "k", 0, 1_048_516));
        assertEquals("!" + McReplies.TOO_LARGE, sized(mib, "k", 0, 1_048_517));
        assertEquals("stored", sized(mib, "k", 1, 1_048_512));
        assertEquals("!" + McReplies.TOO_LARGE, sized(mib, "k", 1, 1_048_513));
        assertEquals("stored", sized(mib, k200, 0, 1_048_317));
        assertEquals("!" + McReplies.TOO_LARGE, sized(mib, k200, 0, 1_048_318));
    }

    /** Decodes a set of {@code bytes} bytes: "stored" when it decodes as a set of them, else what it gave. */
    private static String sized(long maxItem, String key, int flags, int bytes) {
        byte[] data = new byte[bytes];
        Arrays.fill(data, (byte) 'v');
        List<String> out = decode(maxItem, List.of(b("set " + key + " " + flags + " 0 " + bytes + "\r\n"), data,
                b("\r\n")));
        assertEquals(1, out.size(), out.toString());
        String o = out.get(0);
        return o.startsWith("set " + key + " flags=" + flags + " exptime=0 bytes=" + bytes + " value=vvv") ? "stored"
                : o;
    }

    @Test
    void requestsAreDecodedWithTheirArguments() {
        assertEquals(List.of("get a b c", "gets k", "gat k1 k2 exptime=10", "gats k exptime=-5", "gat exptime=10"),
                decode("get a b c\r\ngets k\r\ngat 10 k1 k2\r\ngats -5 k\r\ngat 10\r\n"));
        assertEquals(List.of("set k flags=5 exptime=-1 bytes=3 value=a\r\n",
                        "add k flags=0 exptime=0 bytes=0 value= noreply",
                        "cas k flags=1 exptime=2 bytes=1 cas=18446744073709551615 value=x",
                        "append k flags=0 exptime=0 bytes=1 value=y", "prepend k flags=0 exptime=0 bytes=1 value=z",
                        "replace k flags=4294967295 exptime=0 bytes=1 value=w"),
                decode("set k 5 -1 3\r\na\r\n\r\nadd k 0 0 0 noreply\r\n\r\ncas k 1 2 1 18446744073709551615\r\nx\r\n"
                        + "append k 0 0 1\ny\r\nprepend k 0 0 1\r\nz\r\nreplace k 4294967295 0 1\r\nw\r\n"));
        assertEquals(List.of("incr k delta=18446744073709551615", "decr k delta=1 noreply", "delete k",
                        "delete k noreply", "delete k", "delete k noreply", "touch k exptime=10 noreply",
                        "touch k exptime=10", "flush_all", "flush_all delay=-1", "flush_all noreply",
                        "flush_all delay=5 noreply", "flush_all delay=0", "version", "quit", "verbosity level=1",
                        "verbosity level=1", "stats", "stats slabs", "get k"),
                decode("incr k 18446744073709551615\r\ndecr k 1 noreply\r\ndelete k\r\ndelete k noreply\r\n"
                        + "delete k 0\r\ndelete k 0 noreply\r\ntouch k 10 noreply\r\ntouch k 10 x\r\nflush_all\r\n"
                        + "flush_all -1\r\nflush_all noreply\r\nflush_all 5 noreply\r\nflush_all 0 0\r\nversion x\r\n"
                        + "quit\r\nverbosity 1\r\nverbosity 1 2\r\nstats\r\nstats slabs\r\n  get   k  \r\n"));
    }

    @Test
    void metaCommandsAreFramedWithTheirFlagTokens() {
        assertEquals(List.of("mn", "mn", "mg k [v] [t] [O123]", "ms k [T10] [F5] [q] bytes=2 value=ab",
                        "ms k bytes=1 value=x", "ms k bytes=0 value=", "md k [q]", "ma k [D5] [N0]",
                        "mg k" + " [v]".repeat(17), "ms k" + " [I]".repeat(16) + " bytes=1 value=y",
                        "!" + McReplies.BAD_DATA_CHUNK, "!" + McReplies.ERROR),
                decode("mn\r\nmn x y\r\nmg k v t O123\r\nms k 2 T10 F5 q\r\nab\r\nms k 4294967297\r\nx\r\n"
                        + "ms  k  0 \r\n\r\nmd k q\r\nma k D5 N0\r\nmg k" + " v".repeat(17) + "\r\nms k 1"
                        + " I".repeat(16) + "\r\ny\r\nms k 1 noreply\r\nxyz\r\n"));
    }

    @Test
    void numbersAreCutAsMemcachedCutsThem() {
        // recorded from memcached 1.6.18: flags 4294967296 read back as 0, -18446744073709551615 as 1, "+5" as 5,
        // "\t7" and "7\tz" as 7; bytes 4294967297 is 1; an exptime of 2^31 is accepted (as INT_MIN)
        assertEquals(List.of("set k flags=0 exptime=0 bytes=1 value=x", "set k flags=1 exptime=0 bytes=1 value=x",
                        "set k flags=5 exptime=0 bytes=1 value=x", "set k flags=7 exptime=0 bytes=1 value=x",
                        "set k flags=7 exptime=0 bytes=1 value=x", "set k flags=0 exptime=0 bytes=1 value=x",
                        "set k flags=0 exptime=-2147483648 bytes=1 value=x", "set k flags=0 exptime=0 bytes=1 value=x",
                        "set k flags=0 exptime=0 bytes=1 value=x", "set k flags=0 exptime=0 bytes=1 value=x"),
                decode("set k 4294967296 0 1\r\nx\r\nset k -18446744073709551615 0 1\r\nx\r\nset k +5 0 1\r\nx\r\n"
                        + "set k \t7 0 1\r\nx\r\nset k 7\tz 0 1\r\nx\r\nset k -0 0 1\r\nx\r\n"
                        + "set k 0 2147483648 1\r\nx\r\nset k 0 0 4294967297\r\nx\r\nset k 0 0 01\r\nx\r\n"
                        + "set k 0 0 1 norepl\r\nx\r\n"));
        assertEquals(List.of("verbosity level=0"), decode("verbosity 4294967296\r\n"));
    }

    @Test
    void lineEndsAndNulsFollowMemcached() {
        assertEquals(List.of("get k", "get k\r", "get k"), decode("get k\nget k\r\r\nget k\0zz\r\n"));
        assertEquals(List.of(), decode("get k\r"));
    }

    @Test
    void errorsMatchTheRecordedReplies() {
        for (McCorpus.Case c : McCorpus.cases()) {
            McCorpus.Outcome o = McCorpus.replay(c.input());
            assertEquals(c.reply(), o.replies(), c.name());
            assertEquals(c.closes(), o.closed(), c.name());
        }
    }

    @Test
    void everyCorpusInputSplitAtEveryByteGivesTheSameReplies() {
        int runs = 0;
        for (McCorpus.Case c : McCorpus.cases()) {
            if (!c.splitInvariant() || c.input().length > 10_000) {
                continue;
            }
            byte[] in = c.input();
            for (int at = 0; at <= in.length; at++) {
                McCorpus.Outcome o = McCorpus.replay(List.of(Arrays.copyOf(in, at), Arrays.copyOfRange(in, at, in.length)));
                assertEquals(c.reply(), o.replies(), c.name() + " split at " + at);
                runs++;
            }
        }
        System.out.println("McDecoderTest: corpus inputs split at every byte, " + runs + " splits");
        assertTrue(runs > 1000, "splits run: " + runs);
    }

    @Test
    void requestsSplitAtEveryByteDecodeTheSame() {
        String input = "set k 5 -1 3\r\na\r\n\r\ncas k 1 2 1 18446744073709551615\r\nx\r\nget a b c\r\n"
                + "gat 10 k1 k2\r\nincr k 7 noreply\r\ndelete k 0\r\nset k 0 0 1\r\nxyz\r\nflush_all 5\r\n"
                + "ms k 3 T1 F2\r\nabc\r\nmg k v\r\nmn\r\n";
        List<String> whole = decode(input);
        byte[] all = b(input);
        for (int at = 0; at <= all.length; at++) {
            assertEquals(whole, decode(1 << 20, List.of(Arrays.copyOf(all, at), Arrays.copyOfRange(all, at, all.length))),
                    "split at " + at);
        }
        // one byte at a time
        List<byte[]> bytes = new ArrayList<>();
        for (byte x : all) {
            bytes.add(new byte[] {x});
        }
        assertEquals(whole, decode(1 << 20, bytes));
    }

    @Test
    void seededRandomSplitsOfRandomPipelines() {
        long seed = Long.getLong("mc.seed", System.nanoTime());
        System.out.println("McDecoderTest seed: -Dmc.seed=" + seed);
        Random rnd = new Random(seed);
        List<McCorpus.Case> cases = McCorpus.cases().stream().filter(McCorpus.Case::splitInvariant)
                .filter(c -> c.input().length < 10_000).toList();
        String[] good = {"set k 0 0 3\r\nabc\r\n", "get a b\r\n", "cas k 1 2 3 4 noreply\r\nxyz\r\n",
                "set big 0 0 40000\r\n" + "v".repeat(40000) + "\r\n", "incr k 1\r\n", "gats 1 k\r\n",
                "ms k 2 T1 q\r\nab\r\n", "mg k v f\r\n", "mn\r\n"};
        for (int round = 0; round < 300; round++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 1 + rnd.nextInt(6); i++) {
                if (rnd.nextBoolean()) {
                    sb.append(good[rnd.nextInt(good.length)]);
                } else {
                    sb.append(new String(cases.get(rnd.nextInt(cases.size())).input(), StandardCharsets.ISO_8859_1));
                }
            }
            byte[] all = b(sb.toString());
            List<String> whole = decode(1 << 20, List.of(all));
            List<byte[]> chunks = new ArrayList<>();
            for (int at = 0; at < all.length; ) {
                int n = Math.min(all.length - at, 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 5000));
                chunks.add(Arrays.copyOfRange(all, at, at + n));
                at += n;
            }
            assertEquals(whole, decode(1 << 20, chunks), "seed " + seed + " round " + round);
        }
    }

    @Test
    void aDeclaredLengthIsNeverReserved() {
        McDecoder d = new McDecoder(Long.MAX_VALUE, 1 << 20);
        McRequest req = new McRequest();
        int before = req.array().length;
        ByteBuf in = Unpooled.copiedBuffer(b("set k 0 0 2147483645\r\nabc"));
        assertEquals(McDecoder.NEED_MORE, d.decode(in, req));
        assertTrue(d.inRequest());
        assertTrue(req.array().length <= Math.max(before, 64), "array " + req.array().length);
        assertTrue(d.pendingBytes() < 100, "pending " + d.pendingBytes());
        // 2^31 is refused before anything else
        assertEquals(List.of("!" + McReplies.BAD_FORMAT), decode(Long.MAX_VALUE, List.of(b("set k 0 0 2147483648\r\n"))));
        // over the value limit: an error at once, then the bytes are swallowed as they come
        McDecoder small = new McDecoder(10, 1 << 20);
        ByteBuf in2 = Unpooled.buffer().writeBytes(b("set k 0 0 2147483645\r\n"));
        assertEquals(McDecoder.ERROR, small.decode(in2, req));
        assertEquals(McReplies.TOO_LARGE, small.error());
        assertEquals("k", str(req.array(), req.keyOffset(0), req.keyLength(0)));
        assertTrue(req.array().length < 1024);
        in2.writeBytes(new byte[100_000]);
        assertEquals(McDecoder.NEED_MORE, small.decode(in2, req));
        assertFalse(in2.isReadable());
        assertTrue(small.inRequest());
    }

    @Test
    void bigValuesAreCopiedAsTheyArriveAndTheGateIsAsked() {
        McDecoder d = new McDecoder(1 << 20, 1 << 20);
        McRequest req = new McRequest();
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(b("set k 0 0 100000\r\n"));
        in.writeBytes(new byte[1000]);
        assertEquals(McDecoder.NEED_MORE, d.decode(in, req));
        assertFalse(in.isReadable(), "the part that arrived is copied out");
        assertTrue(d.pendingBytes() >= 1000 && d.pendingBytes() < 2000, "pending " + d.pendingBytes());
        long[] asked = {0};
        McDecoder.Gate gate = after -> {
            asked[0] = after;
            return after > 50_000 ? "SERVER_ERROR out of memory storing object" : null;
        };
        in.writeBytes(new byte[99_000]);
        assertEquals(McDecoder.REFUSED, d.decode(in, req, gate));
        assertEquals("SERVER_ERROR out of memory storing object", d.error());
        assertTrue(asked[0] > 50_000);
        assertFalse(d.inRequest());
    }

    @Test
    void longLinesCloseUnlessTheyAreGets() {
        assertEquals(List.of(), decode("a".repeat(2048)));
        assertEquals(List.of("CLOSE"), decode("a".repeat(2049)));
        assertEquals(List.of(), decode("get " + "a ".repeat(5000)));
        assertEquals(List.of(), decode(" ".repeat(100) + "gets " + "a".repeat(3000)));
        assertEquals(List.of("CLOSE"), decode(" ".repeat(101) + "get " + "a".repeat(3000)));
        assertEquals(List.of("CLOSE"), decode(1 << 20, List.of(b("get " + "a ".repeat(600_000)))));
        List<String> keys = decode("get " + "k ".repeat(500) + "\r\n");
        assertEquals(1, keys.size());
        assertEquals(("get" + " k".repeat(500)), keys.get(0));
    }

    @Test
    void replyTexts() {
        assertEquals("VALUE k 4294967295 3\r\n", str(McReplies.value(b("k"), -1, 3), 0, 22));
        byte[] v = McReplies.valueWithCas(b("key"), 0, 1, -1L);
        assertEquals("VALUE key 0 1 18446744073709551615\r\n", str(v, 0, v.length));
        assertEquals("VERSION 1.6.18\r\n", new String(McReplies.version("1.6.18"), StandardCharsets.ISO_8859_1));
        assertEquals("STORED\r\n", new String(McReplies.STORED, StandardCharsets.ISO_8859_1));
        assertEquals("CLIENT_ERROR bad data chunk\r\n", new String(McReplies.line(McReplies.BAD_DATA_CHUNK),
                StandardCharsets.ISO_8859_1));
    }
}
