package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class NumbersTest {
    static boolean parses(String s, MutableLong out) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Numbers.parseLong(new UnsafeBuffer(b), 0, b.length, out);
    }

    @Test
    void acceptsExactlyTheCanonicalForm() {
        MutableLong v = new MutableLong();
        for (String ok : new String[] {"0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808"}) {
            assertTrue(parses(ok, v), ok);
            assertEquals(Long.parseLong(ok), v.get());
        }
        for (String bad : new String[] {"", "-", "-0", "00", "01", "+1", " 1", "1 ", "1.0", "1e3", "9223372036854775808",
            "-9223372036854775809", "99999999999999999999", "abc", "0x10", "12a"}) {
            assertFalse(parses(bad, v), bad);
        }
    }

    @Test
    void writesTheCanonicalText() {
        ExpandableArrayBuffer b = new ExpandableArrayBuffer();
        Random r = new Random(7);
        long[] edge = {0, 1, -1, 9, 10, -10, Long.MAX_VALUE, Long.MIN_VALUE, 1_000_000_000_000L};
        for (int i = 0; i < 10_000; i++) {
            long x = i < edge.length ? edge[i] : r.nextLong() >> r.nextInt(64);
            int n = Numbers.writeLong(b, 3, x);
            assertEquals(Long.toString(x), b.getStringWithoutLengthAscii(3, n));
            assertEquals(n, Numbers.textLength(x));
        }
    }

    @Test
    void longDoubleMatchesRedisOutputs() {
        // Replies of redis-server 7.0.15 (x86-64 long double).
        assertEquals("0.3", sum("0.1", "0.2"));
        assertEquals("10.6", sum("10.5", "0.1"));
        assertEquals("3", sum("0", "3.0e0"));
        assertEquals("0", sum("6.5", "-6.5"));
        assertEquals("0.3", sum("0.3", "1e-20"));
        assertEquals("5000000000000000000000", sum("5000000000000000000000", "1")); // 1 is below the 64-bit significand
        assertEquals("1.1", sum("1", "0.1"));
        String big = sum("1.5", "1e400");
        assertTrue(big.startsWith("10000000000000000000281880683947586514586453433629052038625910693539685534008629862"), big);
        String e308 = sum("0", "1e308");
        assertTrue(e308.startsWith("99999999999999999996685879655845645660560099847415567207797047994921734868838061"), e308);
        assertEquals(null, LongDouble.parse("1e5000".getBytes()));
        assertEquals(null, LongDouble.parse("1e-5000".getBytes()));
        assertEquals(null, LongDouble.parse("nan".getBytes()));
        assertEquals(null, LongDouble.parse(" 1".getBytes()));
        assertEquals(null, LongDouble.parse("1e".getBytes()));
        assertEquals(null, LongDouble.parse("".getBytes()));
        assertEquals("16", LongDouble.parse("0x10".getBytes()).format());
        assertEquals("0.5", LongDouble.parse(".5".getBytes()).format());
        assertEquals("5", LongDouble.parse("5.".getBytes()).format());
        assertFalse(LongDouble.parse("-inf".getBytes()).isFinite());
    }

    @Test
    void roundingIsToNearestEvenOn64Bits() {
        // 2^64 + 1 is not representable with a 64-bit significand: it rounds to 2^64 (ties to even).
        BigDecimal twoTo64 = new BigDecimal(java.math.BigInteger.ONE.shiftLeft(64));
        assertEquals(twoTo64, LongDouble.round(twoTo64.add(BigDecimal.ONE)).value());
        assertEquals(twoTo64.add(BigDecimal.valueOf(4)), LongDouble.round(twoTo64.add(BigDecimal.valueOf(3))).value());
        assertEquals(BigDecimal.valueOf(Long.MAX_VALUE), LongDouble.of(Long.MAX_VALUE).value());
    }

    private static String sum(String a, String b) {
        return LongDouble.parse(a.getBytes()).add(LongDouble.parse(b.getBytes())).format();
    }
}
