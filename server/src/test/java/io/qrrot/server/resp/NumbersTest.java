package io.qrrot.server.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NumbersTest {
    private static long parse(String s) {
        ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
        long fromBuf = Numbers.parseLong(b, 0, b.writerIndex());
        byte[] a = s.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(fromBuf, Numbers.parseLong(a, 0, a.length), "byte[] and ByteBuf parsers agree on '" + s + "'");
        return fromBuf;
    }

    @Test
    void parsesLikeRedisString2ll() {
        assertEquals(0, parse("0"));
        assertEquals(7, parse("7"));
        assertEquals(-12, parse("-12"));
        assertEquals(Long.MAX_VALUE, parse("9223372036854775807"));
        assertEquals(-9223372036854775807L, parse("-9223372036854775807"));
        for (String bad : new String[] {"", "-", "+1", " 1", "1 ", "01", "-0", "00", "1a", "9223372036854775808",
                "-9223372036854775809", "123456789012345678901", "1.0"}) {
            assertEquals(Numbers.INVALID, parse(bad), "'" + bad + "' must be invalid");
        }
    }

    @Test
    void writesDecimal() {
        for (long v : new long[] {0, 9, 10, -1, -10, 123456789, Long.MAX_VALUE, Long.MIN_VALUE}) {
            ByteBuf b = Unpooled.buffer();
            Numbers.writeLong(b, v);
            assertEquals(Long.toString(v), b.toString(StandardCharsets.US_ASCII));
            assertEquals(Long.toString(v).length(), Numbers.decimalLength(v));
        }
    }
}
