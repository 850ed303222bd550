package io.qrrot.server.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Every ReplySink call, encoded as RESP2 and as RESP3, compared byte for byte. */
class RespEncoderTest {
    private static String encode(int protocol, Consumer<RespEncoder> reply) {
        return encode(protocol, reply, Unpooled.buffer(8));
    }

    private static String encode(int protocol, Consumer<RespEncoder> reply, ByteBuf buf) {
        RespEncoder e = new RespEncoder();
        e.protocol(protocol);
        e.target(buf);
        reply.accept(e);
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        buf.release();
        return s;
    }

    private static void both(Consumer<RespEncoder> reply, String resp2, String resp3) {
        assertEquals(resp2, encode(2, reply), "RESP2");
        assertEquals(resp3, encode(3, reply), "RESP3");
    }

    @Test
    void scalars() {
        both(e -> e.simple("OK"), "+OK\r\n", "+OK\r\n");
        both(e -> e.error("ERR bad"), "-ERR bad\r\n", "-ERR bad\r\n");
        both(e -> e.integer(-42), ":-42\r\n", ":-42\r\n");
        both(e -> e.integer(Long.MIN_VALUE), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n");
        both(e -> e.bulkLong(1234), "$4\r\n1234\r\n", "$4\r\n1234\r\n");
        both(e -> e.bulk("héllo"), "$6\r\nh\u00c3\u00a9llo\r\n", "$6\r\nh\u00c3\u00a9llo\r\n");
        both(e -> e.bulk(new byte[0]), "$0\r\n\r\n", "$0\r\n\r\n");
        both(RespEncoder::nil, "$-1\r\n", "_\r\n");
        both(RespEncoder::nilArray, "*-1\r\n", "_\r\n");
        both(e -> e.bool(true), ":1\r\n", "#t\r\n");
        both(e -> e.bool(false), ":0\r\n", "#f\r\n");
        both(e -> e.doubleValue(1.5), "$3\r\n1.5\r\n", ",1.5\r\n");
        both(e -> e.doubleValue(3), "$1\r\n3\r\n", ",3\r\n");
        both(e -> e.doubleValue(Double.POSITIVE_INFINITY), "$3\r\ninf\r\n", ",inf\r\n");
        both(e -> e.doubleValue(Double.NEGATIVE_INFINITY), "$4\r\n-inf\r\n", ",-inf\r\n");
        both(e -> e.doubleValue(Double.NaN), "$3\r\nnan\r\n", ",nan\r\n");
        both(e -> e.verbatim("a:1\r\n"), "$5\r\na:1\r\n\r\n", "=9\r\ntxt:a:1\r\n\r\n");
    }

    @Test
    void aggregates() {
        both(e -> {
            e.array(2);
            e.integer(1);
            e.nil();
        }, "*2\r\n:1\r\n$-1\r\n", "*2\r\n:1\r\n_\r\n");
        both(e -> {
            e.map(1);
            e.bulk("k");
            e.integer(1);
        }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n");
        both(e -> {
            e.set(1);
            e.simple("x");
        }, "*1\r\n+x\r\n", "~1\r\n+x\r\n");
        both(e -> e.array(0), "*0\r\n", "*0\r\n");
    }

    @Test
    void statusAndErrorTextsCannotBreakTheFraming() {
        both(e -> e.error("ERR a\r\nb"), "-ERR a  b\r\n", "-ERR a  b\r\n");
        both(e -> e.simple("x\ny"), "+x y\r\n", "+x y\r\n");
        both(e -> e.error("ERR ünknown\n'x'"), "-ERR \u00c3\u00bcnknown 'x'\r\n", "-ERR \u00c3\u00bcnknown 'x'\r\n");
    }

    @Test
    void bulkFromAgronaBuffersIntoHeapAndDirectNettyBuffers() {
        byte[] bytes = "xxhelloxx".getBytes(StandardCharsets.US_ASCII);
        UnsafeBuffer heap = new UnsafeBuffer(bytes);
        UnsafeBuffer direct = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(bytes.length));
        direct.putBytes(0, bytes);
        for (UnsafeBuffer src : new UnsafeBuffer[] {heap, direct}) {
            assertEquals("$5\r\nhello\r\n", encode(2, e -> e.bulk(src, 2, 5), Unpooled.buffer(4)));
            assertEquals("$5\r\nhello\r\n", encode(3, e -> e.bulk(src, 2, 5),
                    PooledByteBufAllocator.DEFAULT.directBuffer(4)));
            assertEquals("$5\r\nhello\r\n", encode(3, e -> e.bulk(src, 2, 5), Unpooled.directBuffer(4)));
        }
    }

    @Test
    void doublesUseTheShortestRoundTripText() {
        assertEquals("0.1", RespEncoder.formatDouble(0.1));
        assertEquals("-0", RespEncoder.formatDouble(-0.0));
        assertEquals("0", RespEncoder.formatDouble(0.0));
        assertEquals("100", RespEncoder.formatDouble(100));
        assertEquals("1e+21", RespEncoder.formatDouble(1e21));
        assertEquals("1.5e-07", RespEncoder.formatDouble(1.5e-7));
        assertEquals("12345678901234568", RespEncoder.formatDouble(12345678901234567.0));
        for (double d : new double[] {Math.PI, 1 / 3.0, 1e-300, 5e-324, Double.MAX_VALUE, -2.5e17, 0.000123}) {
            assertEquals(d, Double.parseDouble(RespEncoder.formatDouble(d)), "round trip of " + d);
        }
    }
}
