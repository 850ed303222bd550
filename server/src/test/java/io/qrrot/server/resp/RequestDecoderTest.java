package io.qrrot.server.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.qrrot.engine.CommandArgs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {
    private static final long MAX_BULK = 512L << 20;

    /** Decodes everything in {@code input}: the commands, then "ERR…" if it ends in a protocol error. */
    private static List<String> decodeAll(String input, boolean authRequired) {
        RequestDecoder d = new RequestDecoder(MAX_BULK);
        CommandArgs args = new CommandArgs();
        ByteBuf in = Unpooled.copiedBuffer(input, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        while (true) {
            int r = d.decode(in, args, authRequired);
            if (r == RequestDecoder.NEED_MORE) {
                return out;
            }
            if (r == RequestDecoder.PROTOCOL_ERROR) {
                out.add(d.error());
                return out;
            }
            out.add(render(args));
        }
    }

    private static List<String> decodeAll(String input) {
        return decodeAll(input, false);
    }

    /** Decodes {@code input} handed over one byte at a time: the commands; no byte may end in a protocol error. */
    private static List<String> decodeByteByByte(String input) {
        RequestDecoder d = new RequestDecoder(MAX_BULK);
        CommandArgs args = new CommandArgs();
        ByteBuf in = Unpooled.buffer();
        List<String> got = new ArrayList<>();
        for (byte b : input.getBytes(StandardCharsets.ISO_8859_1)) {
            in.writeByte(b);
            int r;
            while ((r = d.decode(in, args, false)) == RequestDecoder.COMMAND) {
                got.add(render(args));
            }
            assertEquals(RequestDecoder.NEED_MORE, r);
        }
        return got;
    }

    private static String render(CommandArgs a) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < a.count(); i++) {
            if (i > 0) {
                sb.append('|');
            }
            sb.append(new String(a.array(), a.offset(i), a.length(i), StandardCharsets.ISO_8859_1));
        }
        return sb.append(']').toString();
    }

    @Test
    void multibulkCommandsInAPipeline() {
        assertEquals(List.of("[SET|k|v]", "[GET|k]", "[PING]"),
                decodeAll("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n"));
        assertEquals(List.of("[ECHO|a\r\nb]"), decodeAll("*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n"));
        assertEquals(List.of("[GET|]"), decodeAll("*2\r\n$3\r\nGET\r\n$0\r\n\r\n"));
    }

    @Test
    void emptyRequestsAreSkippedLikeRedis() {
        assertEquals(List.of("[PING]"), decodeAll("*0\r\n*-1\r\n*-5\r\n\r\n\n   \r\nPING\r\n"));
    }

    @Test
    void everyByteSplitGivesTheSameCommands() {
        String input = "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$3\r\nw o\r\nGET \"a b\"\r\n*1\r\n$4\r\nPING\r\n";
        List<String> whole = decodeAll(input);
        assertEquals(List.of("[SET|hello|w o]", "[GET|a b]", "[PING]"), whole);
        assertEquals(whole, decodeByteByByte(input));
    }

    @Test
    void protocolErrorsHaveRedisTexts() {
        assertEquals(List.of("ERR Protocol error: expected '$', got 'x'"), decodeAll("*1\r\nx3\r\n"));
        assertEquals(List.of("ERR Protocol error: invalid multibulk length"), decodeAll("*x\r\n"));
        assertEquals(List.of("ERR Protocol error: invalid multibulk length"), decodeAll("*\r\n"));
        assertEquals(List.of("ERR Protocol error: invalid multibulk length"), decodeAll("*2147483648\r\n"));
        assertEquals(List.of("ERR Protocol error: invalid bulk length"), decodeAll("*1\r\n$-1\r\n"));
        assertEquals(List.of("ERR Protocol error: invalid bulk length"), decodeAll("*1\r\n$x\r\n"));
        assertEquals(List.of("ERR Protocol error: invalid bulk length"), decodeAll("*1\r\n$999999999999\r\n"));
        assertEquals(List.of("ERR Protocol error: unbalanced quotes in request"), decodeAll("set \"a\r\n"));
        assertEquals(List.of("ERR Protocol error: unauthenticated multibulk length"), decodeAll("*11\r\n", true));
        assertEquals(List.of("ERR Protocol error: unauthenticated bulk length"), decodeAll("*1\r\n$16385\r\n", true));
        assertEquals(List.of(), decodeAll("*10\r\n$16384\r\n", true));
    }

    @Test
    void overlongLinesAreErrorsNotUnboundedBuffers() {
        String big = "a".repeat(RequestDecoder.INLINE_MAX + 1);
        assertEquals(List.of("ERR Protocol error: too big inline request"), decodeAll(big));
        assertEquals(List.of("ERR Protocol error: too big mbulk count string"), decodeAll("*" + big));
        assertEquals(List.of("ERR Protocol error: too big bulk count string"), decodeAll("*1\r\n$" + big));
        assertEquals(List.of(), decodeAll("a".repeat(RequestDecoder.INLINE_MAX)), "at the limit it still waits");
    }

    @Test
    void aDeclaredHugeBulkAllocatesNothingBeforeItsBytesArrive() {
        RequestDecoder d = new RequestDecoder(Integer.MAX_VALUE - 64L);
        CommandArgs args = new CommandArgs();
        ByteBuf in = Unpooled.copiedBuffer("*2\r\n$3\r\nSET\r\n$2147483000\r\nabc", StandardCharsets.US_ASCII);
        assertEquals(RequestDecoder.NEED_MORE, d.decode(in, args, false));
        assertTrue(args.array().length < 4096, "args array stayed small: " + args.array().length);
        assertTrue(d.pendingBytes() < 100, "pending " + d.pendingBytes());
        assertEquals(List.of("ERR Protocol error: invalid bulk length"), decodeAll("*1\r\n$2147483000\r\n"),
                "over proto-max-bulk-len (512 MB)");
    }

    @Test
    void bulkTrailerIsSkippedNotCheckedAsRedisDoes() {
        assertEquals(List.of("[PING]"), decodeAll("*1\r\n$4\r\nPINGxx"));
    }

    @Test
    void inlineQuotingFollowsSdssplitargs() {
        assertEquals(List.of("[SET|a|b]"), decodeAll("SET a b\r\n"));
        assertEquals(List.of("[SET|a|b]"), decodeAll("  SET\t a   b  \n"));
        assertEquals(List.of("[SET|a b|c\"d]"), decodeAll("SET \"a b\" 'c\"d'\r\n"));
        assertEquals(List.of("[X|\n\r\t\b\u0007\\\"q]"), decodeAll("X \"\\n\\r\\t\\b\\a\\\\\\\"\\q\"\r\n"));
        assertEquals(List.of("[X|A\u00ff]"), decodeAll("X \"\\x41\\xff\"\r\n"));
        assertEquals(List.of("[X|xZZ]"), decodeAll("X \"\\xZZ\"\r\n"), "\\x without two hex digits is a plain escape");
        assertEquals(List.of("[X|it's]"), decodeAll("X 'it\\'s'\r\n"));
        assertEquals(List.of("[X|a\\nb]"), decodeAll("X 'a\\nb'\r\n"));
        assertEquals(List.of("[X|ab]"), decodeAll("X a\"b\"\r\n"));
        assertEquals(List.of("[X|]"), decodeAll("X \"\"\r\n"));
        assertEquals(List.of("[X|a]"), decodeAll("X a\u0000 b c\r\n"), "a NUL ends the line as in C");
        assertEquals(List.of("ERR Protocol error: unbalanced quotes in request"), decodeAll("X \"a\"b\r\n"));
        assertEquals(List.of("ERR Protocol error: unbalanced quotes in request"), decodeAll("X 'a\r\n"));
        assertEquals(List.of("ERR Protocol error: unbalanced quotes in request"), decodeAll("X \"a\\\"\r\n"));
    }

    @Test
    void aBigBulkLeavesTheInputBufferAsItArrivesAndHoldsOnlyWhatArrived() {
        RequestDecoder d = new RequestDecoder(MAX_BULK);
        CommandArgs args = new CommandArgs();
        int size = 1_000_000;
        ByteBuf in = Unpooled.buffer();
        in.writeCharSequence("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + size + "\r\n", StandardCharsets.US_ASCII);
        assertEquals(RequestDecoder.NEED_MORE, d.decode(in, args, false));
        byte[] chunk = new byte[10_000];
        int sent = 0;
        while (sent < size) {
            java.util.Arrays.fill(chunk, (byte) ('a' + (sent / chunk.length) % 26));
            in.writeBytes(chunk);
            sent += chunk.length;
            int r = d.decode(in, args, false);
            if (sent < size) {
                assertEquals(RequestDecoder.NEED_MORE, r);
                assertEquals(0, in.readableBytes(), "copied out of the input buffer at once");
                assertTrue(args.array().length <= 2 * (sent + 64L), args.array().length + " bytes held after " + sent);
                assertTrue(d.pendingBytes() >= sent && d.pendingBytes() < sent + 100, "pending " + d.pendingBytes());
            } else {
                assertEquals(RequestDecoder.NEED_MORE, r, "the CRLF after the data has not arrived");
            }
            in.discardReadBytes();
        }
        in.writeCharSequence("\r\n*1\r\n$4\r\nPING\r\n", StandardCharsets.US_ASCII);
        assertEquals(RequestDecoder.COMMAND, d.decode(in, args, false));
        assertEquals(3, args.count());
        assertEquals(size, args.length(2));
        assertEquals('a', args.array()[args.offset(2)]);
        assertEquals('a' + 99 % 26, args.array()[args.offset(2) + size - 1]);
        assertEquals(RequestDecoder.COMMAND, d.decode(in, args, false));
        assertEquals("[PING]", render(args));
    }

    @Test
    void everyByteSplitOfABigBulkGivesTheSameCommand() {
        String value = "v".repeat(RequestDecoder.BIG_ARG + 7);
        String input = "*2\r\n$4\r\nECHO\r\n$" + value.length() + "\r\n" + value + "\r\n*1\r\n$4\r\nPING\r\n";
        assertEquals(List.of("[ECHO|" + value + "]", "[PING]"), decodeByteByByte(input));
    }

    @Test
    void theGateIsAskedBeforeEveryCopyAndCanRefuseTheRequest() {
        RequestDecoder d = new RequestDecoder(MAX_BULK);
        CommandArgs args = new CommandArgs();
        List<Long> asked = new ArrayList<>();
        RequestDecoder.Gate upTo100k = after -> {
            asked.add(after);
            return after > 100_000 ? "OOM no room" : null;
        };
        ByteBuf in = Unpooled.copiedBuffer("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", StandardCharsets.US_ASCII);
        assertEquals(RequestDecoder.COMMAND, d.decode(in, args, false, upTo100k));
        assertEquals(List.of(19L, 36L), asked, "each argument with its 16 bytes of bookkeeping");
        in = Unpooled.copiedBuffer("*2\r\n$3\r\nSET\r\n$200000\r\n" + "x".repeat(60_000), StandardCharsets.US_ASCII);
        assertEquals(RequestDecoder.NEED_MORE, d.decode(in, args, false, upTo100k));
        assertEquals(60_035, d.pendingBytes());
        in.writeCharSequence("x".repeat(60_000), StandardCharsets.US_ASCII);
        assertEquals(RequestDecoder.REFUSED, d.decode(in, args, false, upTo100k));
        assertEquals("OOM no room", d.error());
        assertEquals(0, args.count(), "what the refused request held is let go");
        assertEquals(0, d.pendingBytes());
    }
}
