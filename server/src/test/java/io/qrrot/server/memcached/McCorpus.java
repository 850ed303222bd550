package io.qrrot.server.memcached;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Malformed and edge-case requests whose replies depend only on parsing, with the replies memcached 1.6.18
 * (-I 1m) gave for them. Each input ends in {@code version\r\n} (its reply marks the end) unless the
 * connection is expected to close. McDecoderTest checks the decoder against the recorded replies;
 * McDifferentialTest checks the decoder against a running memcached.
 */
final class McCorpus {
    private McCorpus() {}

    static final String VERSION = "VERSION 1.6.18\r\n";
    /** The decoder's item size limit for the corpus: memcached's -I 1m. */
    static final long MAX_VALUE = 1024 * 1024;
    static final int MAX_GET_LINE = 1 << 20;

    record Case(String name, byte[] input, String reply, boolean closes) {
        /** True when no line is longer than {@link McDecoder#LINE_MAX}: splitting it cannot change the outcome. */
        boolean splitInvariant() {
            int run = 0;
            for (byte b : input) {
                run = b == '\n' ? 0 : run + 1;
                if (run > McDecoder.LINE_MAX) {
                    return false;
                }
            }
            return !closes;
        }
    }

    static final String BAD = "CLIENT_ERROR bad command line format\r\n";
    static final String ERR = "ERROR\r\n";

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        String k251 = "a".repeat(251);
        // command names and lines
        ok(c, "unknown command", "foo\r\n", ERR);
        ok(c, "empty line", "\r\n", ERR);
        ok(c, "empty line, bare LF", "\n", ERR);
        ok(c, "blank line", "  \r\n", ERR);
        ok(c, "lone CR line", "\r\r\n", ERR);
        ok(c, "CRLF then LF", "\r\n\n", ERR + ERR);
        ok(c, "upper case", "GET k\r\n", ERR);
        ok(c, "upper case set, data read as a line", "SET k 0 0 1\r\nx\r\n", ERR + ERR);
        ok(c, "tab is not a separator", "get\tk\r\n", ERR);
        ok(c, "get without key", "get\r\n", ERR);
        ok(c, "get with space only", "get \r\n", ERR);
        ok(c, "gets without key", "gets\r\n", ERR);
        ok(c, "gat without exptime", "gat\r\n", ERR);
        ok(c, "gats without exptime", "gats\r\n", ERR);
        ok(c, "one-letter command", "g\r\n", ERR);
        ok(c, "unknown meta command", "mz k\r\n", ERR);
        // meta commands: framing errors (flag tokens are checked by the handler, not here)
        ok(c, "mg without key", "mg\r\n", ERR);
        ok(c, "ms without key", "ms\r\n", ERR);
        ok(c, "md without key", "md\r\n", ERR);
        ok(c, "ma without key", "ma\r\n", ERR);
        ok(c, "mg key of 251", "mg " + k251 + " v\r\n", BAD);
        ok(c, "md key of 251", "md " + k251 + "\r\n", BAD);
        ok(c, "ma key of 251", "ma " + k251 + "\r\n", BAD);
        ok(c, "ms key of 251, data read as a line", "ms " + k251 + " 1\r\nx\r\n", BAD + ERR);
        ok(c, "mg key of 251 and 30 flags", "mg " + k251 + " v".repeat(30) + "\r\n", BAD);
        ok(c, "ms key of 251 and 30 flags", "ms " + k251 + " 1" + " T1".repeat(30) + "\r\nx\r\n", BAD + ERR);
        ok(c, "ms without datalen", "ms k\r\nx\r\n", BAD + ERR);
        ok(c, "ms datalen x", "ms k x\r\nx\r\n", BAD + ERR);
        ok(c, "ms datalen 1x", "ms k 1x\r\nx\r\n", BAD + ERR);
        ok(c, "ms datalen -1", "ms k -1\r\nx\r\n", BAD + ERR);
        ok(c, "ms datalen INT_MAX-1", "ms k 2147483646\r\nx\r\n", BAD + ERR);
        ok(c, "ms bad data chunk", "ms k 1\r\nxyz\r\n", "CLIENT_ERROR bad data chunk\r\n" + ERR);
        ok(c, "ms bad data chunk with q", "ms k 1 q\r\nxyz\r\n", "CLIENT_ERROR bad data chunk\r\n" + ERR);
        ok(c, "ms value too large", "ms k 2000000 T1\r\n" + "x".repeat(2_000_002),
                "SERVER_ERROR object too large for cache\r\n");
        ok(c, "ms 17 flags", "ms k 1" + " I".repeat(17) + "\r\nx\r\n", "CLIENT_ERROR options flags too long\r\n" + ERR);
        ok(c, "mg 18 flags", "mg k" + " q".repeat(18) + "\r\n", "CLIENT_ERROR options flags are too long\r\n");
        ok(c, "md 18 flags", "md k" + " q".repeat(18) + "\r\n", "CLIENT_ERROR options flags too long\r\n");
        ok(c, "ma 18 flags", "ma k" + " q".repeat(18) + "\r\n", "CLIENT_ERROR options flags too long\r\n");
        // keys
        ok(c, "get key of 251", "get " + k251 + "\r\n", BAD);
        ok(c, "get second key of 251", "get a " + k251 + " b\r\n", BAD);
        ok(c, "gat key of 251", "gat 10 " + k251 + "\r\n", BAD);
        ok(c, "set key of 251, data read as a line", "set " + k251 + " 0 0 1\r\nx\r\n", BAD + ERR);
        ok(c, "set key of 251 noreply", "set " + k251 + " 0 0 1 noreply\r\nx\r\n", ERR);
        ok(c, "replace key of 251", "replace " + k251 + " 0 0 1\r\nx\r\n", BAD + ERR);
        ok(c, "incr key of 251", "incr " + k251 + " 1\r\n", BAD);
        ok(c, "delete key of 251", "delete " + k251 + "\r\n", BAD);
        ok(c, "touch key of 251", "touch " + k251 + " 1\r\n", BAD);
        ok(c, "set key of 3000, one line", "set " + "a".repeat(3000) + " 0 0 1\r\nx\r\n", BAD + ERR);
        // storage command lines
        ok(c, "set 3 tokens", "set k 0 0\r\n", ERR);
        ok(c, "set 2 tokens", "set k 0\r\n", ERR);
        ok(c, "set no args", "set\r\n", ERR);
        ok(c, "set too many tokens", "set k 0 0 1 noreply extra\r\nx\r\n", ERR + ERR);
        ok(c, "cas without unique", "cas k 0 0 1\r\nx\r\n", ERR + ERR);
        ok(c, "flags not a number", "set k x 0 1\r\nx\r\n", BAD + ERR);
        ok(c, "flags trailing garbage", "set k 7z 0 1\r\nx\r\n", BAD + ERR);
        ok(c, "flags negative", "set k -1 0 1\r\nx\r\n", BAD + ERR);
        ok(c, "flags over 64 bits", "set k 18446744073709551616 0 1\r\nx\r\n", BAD + ERR);
        ok(c, "prepend flags bad", "prepend k x 0 1\r\nx\r\n", BAD + ERR);
        ok(c, "exptime not a number", "set k 0 x 1\r\nx\r\n", BAD + ERR);
        ok(c, "bytes not a number", "set k 0 0 x\r\nx\r\n", BAD + ERR);
        ok(c, "bytes negative", "set k 0 0 -1\r\nx\r\n", BAD + ERR);
        ok(c, "bytes 2^31", "set k 0 0 2147483648\r\nx\r\n", BAD + ERR);
        ok(c, "bytes INT_MAX-1", "set k 0 0 2147483646\r\nx\r\n", BAD + ERR);
        ok(c, "bytes over 64 bits", "set k 0 0 18446744073709551616\r\nx\r\n", BAD + ERR);
        ok(c, "bytes is noreply", "set k 0 0 noreply\r\nx\r\n", ERR);
        ok(c, "cas unique not a number", "cas k 0 0 1 x\r\nx\r\n", BAD + ERR);
        ok(c, "cas unique negative", "cas k 0 0 1 -1\r\nx\r\n", BAD + ERR);
        ok(c, "cas unique over 64 bits", "cas k 0 0 1 18446744073709551616\r\nx\r\n", BAD + ERR);
        // data blocks
        ok(c, "data longer than bytes", "set k 0 0 1\r\nxyz\r\n", "CLIENT_ERROR bad data chunk\r\n" + ERR);
        ok(c, "data rest parsed as a line", "set k 0 0 1\r\nxyzw get k\r\n",
                "CLIENT_ERROR bad data chunk\r\n" + ERR);
        ok(c, "data ends CR CR LF", "set k 0 0 1\r\nx\r\r\n", "CLIENT_ERROR bad data chunk\r\n" + ERR);
        ok(c, "data with LF inside", "set k 0 0 2\r\nx\nfoo\r\n", "CLIENT_ERROR bad data chunk\r\n" + ERR);
        ok(c, "bad data chunk noreply", "set k 0 0 1 noreply\r\nxyz\r\n", ERR);
        ok(c, "value too large", "set k 0 0 2000000\r\n" + "x".repeat(2_000_002),
                "SERVER_ERROR object too large for cache\r\n");
        ok(c, "value too large, swallowed unchecked", "add k 0 0 1048577\r\n" + "x".repeat(1_048_579),
                "SERVER_ERROR object too large for cache\r\n");
        ok(c, "value too large noreply", "set k 0 0 2000000 noreply\r\n" + "x".repeat(2_000_002), "");
        // incr, decr, delete, touch, flush_all, verbosity
        ok(c, "incr without delta", "incr k\r\n", ERR);
        ok(c, "incr delta not a number", "incr k x\r\n", "CLIENT_ERROR invalid numeric delta argument\r\n");
        ok(c, "incr delta negative", "incr k -1\r\n", "CLIENT_ERROR invalid numeric delta argument\r\n");
        ok(c, "decr delta over 64 bits", "decr k 18446744073709551616\r\n",
                "CLIENT_ERROR invalid numeric delta argument\r\n");
        ok(c, "incr bad delta noreply", "incr k x noreply\r\n", "");
        ok(c, "incr too many tokens", "incr k 1 noreply x\r\n", ERR);
        ok(c, "decr too many tokens", "decr k 1 2 3\r\n", ERR);
        ok(c, "delete without key", "delete\r\n", ERR);
        String usage = "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n";
        ok(c, "delete hold time 1", "delete k 1\r\n", usage);
        ok(c, "delete hold time x", "delete k x\r\n", usage);
        ok(c, "delete 0 0", "delete k 0 0\r\n", usage);
        ok(c, "delete noreply x", "delete k noreply x\r\n", usage);
        ok(c, "delete bad hold noreply", "delete k x noreply\r\n", "");
        ok(c, "delete too many tokens", "delete k 0 0 0\r\n", ERR);
        ok(c, "touch without exptime", "touch k\r\n", ERR);
        ok(c, "touch exptime x", "touch k x\r\n", "CLIENT_ERROR invalid exptime argument\r\n");
        ok(c, "touch too many tokens", "touch k 10 x y\r\n", ERR);
        ok(c, "gat exptime x", "gat x k\r\n", "CLIENT_ERROR invalid exptime argument\r\n");
        ok(c, "gats exptime over 64 bits", "gats 9223372036854775808 k\r\n",
                "CLIENT_ERROR invalid exptime argument\r\n");
        ok(c, "flush_all exptime x", "flush_all x\r\n", "CLIENT_ERROR invalid exptime argument\r\n");
        ok(c, "flush_all exptime x noreply", "flush_all x noreply\r\n", "");
        ok(c, "flush_all too many tokens", "flush_all 0 0 0\r\n", ERR);
        ok(c, "verbosity without level", "verbosity\r\n", ERR);
        ok(c, "verbosity level x", "verbosity x\r\n", BAD);
        ok(c, "verbosity level x noreply", "verbosity x noreply\r\n", "");
        ok(c, "verbosity noreply only", "verbosity noreply\r\n", "");
        ok(c, "verbosity too many tokens", "verbosity 1 2 3\r\n", ERR);
        // several in one packet
        ok(c, "pipeline of errors", "foo\r\nget\r\nincr k x\nset k 0 0 -1\r\n", ERR + ERR
                + "CLIENT_ERROR invalid numeric delta argument\r\n" + BAD);
        // lines without an end
        closes(c, "2049 bytes without a line end", "a".repeat(2049));
        closes(c, "101 spaces before get, 3000 bytes", " ".repeat(101) + "get " + "a".repeat(3000));
        closes(c, "long gat line without an end", "gat 1 " + "a".repeat(3000));
        return c;
    }

    private static void ok(List<Case> c, String name, String input, String reply) {
        c.add(new Case(name, (input + "version\r\n").getBytes(StandardCharsets.ISO_8859_1), reply + VERSION, false));
    }

    private static void closes(List<Case> c, String name, String input) {
        c.add(new Case(name, input.getBytes(StandardCharsets.ISO_8859_1), "", true));
    }

    /** What the decoder makes a server answer for one parse-only input: the replies, and whether it closes. */
    record Outcome(String replies, boolean closed) {}

    /**
     * Feeds {@code chunks} to a decoder in turn and renders what a memcached would answer: error replies
     * (unless noreply), VERSION, nothing for a noreply command. Fails on a command whose reply depends on data.
     */
    static Outcome replay(List<byte[]> chunks) {
        McDecoder d = new McDecoder(MAX_VALUE, MAX_GET_LINE);
        McRequest req = new McRequest();
        ByteBuf in = Unpooled.buffer();
        StringBuilder out = new StringBuilder();
        for (byte[] chunk : chunks) {
            in.writeBytes(chunk);
            while (true) {
                int r = d.decode(in, req);
                if (r == McDecoder.NEED_MORE) {
                    break;
                }
                if (r == McDecoder.CLOSE || r == McDecoder.REFUSED) {
                    return new Outcome(out.toString(), true);
                }
                if (r == McDecoder.ERROR) {
                    if (!req.noreply()) {
                        out.append(d.error()).append("\r\n");
                    }
                } else if (req.command() == McCommand.VERSION) {
                    out.append(VERSION);
                } else if (req.command() == McCommand.MN) {
                    out.append("MN\r\n");
                } else if (!req.noreply()) {
                    throw new AssertionError("not a parse-only input: " + req.command());
                }
            }
            in.discardReadBytes();
        }
        return new Outcome(out.toString(), false);
    }

    static Outcome replay(byte[] input) {
        return replay(List.of(input));
    }
}
