package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Scores printed as C's {@code "%.17g"} (the expected texts are glibc's, as redis-server prints them) and parsed
 * as Redis's two parsers read them.
 */
class ScoresTest {
    /** (raw bits of a double, its "%.17g" text): edge values, then random bit patterns and random values. */
    private static final Object[][] PRINTED = {
            {0x3fb999999999999aL, "0.10000000000000001"},
            {0x3ff8000000000000L, "1.5"},
            {0x4415af1d78b58c40L, "1e+20"},
            {0x437b69b4ba630f35L, "1.2345678901234568e+17"},
            {0x3eff75104d551d69L, "3.0000000000000001e-05"},
            {0x3f1a36e2eb1c432dL, "0.0001"},
            {0x3ee4f8b588e368f1L, "1.0000000000000001e-05"},
            {0x3fd3333333333334L, "0.30000000000000004"},
            {0x0011fa182c40c60dL, "2.4999999999999998e-308"},
            {0x0000000000000001L, "4.9406564584124654e-324"},
            {0x7fefffffffffffffL, "1.7976931348623157e+308"},
            {0xc004000000000000L, "-2.5"},
            {0x4341c37937e08000L, "10000000000000000"},
            {0x4376345785d8a000L, "1e+17"},
            {0x40c81cd6c8b43958L, "12345.678"},
            {0xbf50624dd2f1a9fcL, "-0.001"},
            {0x4330000000000000L, "4503599627370496"},
            {0x3fd5555555555555L, "0.33333333333333331"},
            {0x3fe5555555555555L, "0.66666666666666663"},
            {0x4271f7182a000000L, "1234560000000"},
            {0x44b52d02c7e14af6L, "9.9999999999999992e+22"},
            {0x01a56e1fc2f8f359L, "1e-300"},
            {0xbee4f8b588e368f1L, "-1.0000000000000001e-05"},
            {0x4376345785d89fffL, "99999999999999984"},
            {0xc19d6f3454000000L, "-123456789"},
            {0xf2a74de452e6b438L, "-1.989032661366619e+244"},
            {0x6513270e269e0d37L, "7.761117632285041e+178"},
            {0x0c5c7fd0a6a3a450L, "3.980498358697587e-249"},
            {0xd23f0824128b2f33L, "-1.5432835417340557e+88"},
            {0x1818e811892f902bL, "1.3647584518757569e-192"},
            {0x9531985d5d9dc9f8L, "-1.3701135617873088e-206"},
            {0xe8e25d940ed90475L, "-1.7160537630466207e+197"},
            {0x36f675cc81e74ef5L, "6.2946752411953861e-44"},
            {0x1600a35a099950d8L, "1.0613447212142254e-202"},
            {0x6b0d549b6f03675aL, "4.7083251603875462e+207"},
            {0x3d9c172411e20b8fL, "6.3870161585135632e-12"},
            {0x8d116ece1738f7d9L, "-9.9731303785687331e-246"},
            {0x0f21ddb66cad4a26L, "8.7797532256802712e-236"},
            {0x90c192cfd3ac94afL, "-5.7955032484989932e-228"},
            {0xf28c105d1fb17c23L, "-5.9881801593860111e+243"},
            {0xa170b33839263059L, "-1.3060523885277959e-147"},
            {0x953f48f1a09f76b5L, "-2.4361176994848409e-206"},
            {0x0fd630f1f29d0da9L, "2.2333869991501741e-232"},
            {0x95e60af593bd04cfL, "-3.5152797062666699e-203"},
            {0x0cb1e29c658cda14L, "1.5987381841032883e-247"},
            {0x3898d190f9ebdaccL, "4.6678633181812096e-36"},
            {0x8e81973e0becd7b0L, "-8.4418727921054556e-239"},
            {0x2217beaddbc496cbL, "1.9015657400796622e-144"},
            {0x6b4cb2424a23d596L, "7.370437700706684e+208"},
            {0x8a6a63ec24ede6a4L, "-1.7163996725272777e-258"},
            {0xc087e352fe2a2c31L, "-764.41552384326326"},
            {0xc077f094e59ef88eL, "-383.03635179613127"},
            {0x4083c20591240162L, "632.2527182400629"},
            {0xc083f460bf71e37bL, "-638.54724015212503"},
            {0x4064666914d9a290L, "163.20032732493246"},
            {0x40715d3b232f7becL, "277.82693785236802"},
            {0xc06fe68ea8f48e30L, "-255.20491454853754"},
            {0x4057df4aa701c5b0L, "95.488931419115715"},
            {0xc08b53605bc7436fL, "-874.4220500533537"},
            {0xc08b86619b99fb18L, "-880.79766006753471"},
    };

    @Test
    void printsAsPercent17g() {
        UnsafeBuffer out = new UnsafeBuffer(new byte[Scores.MAX_TEXT]);
        for (Object[] row : PRINTED) {
            double v = Double.longBitsToDouble((Long) row[0]);
            int n = new Scores.Printer().format(v, out, 0);
            assertEquals(row[1], out.getStringWithoutLengthAscii(0, n), "bits " + Long.toHexString((Long) row[0]));
            assertEquals(row[1], Scores.text(v));
        }
    }

    /** The allocation-free printer agrees with the exact BigDecimal one on random doubles of every magnitude. */
    @Test
    void printerAgreesWithExactDecimalArithmetic() {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        System.out.println("ScoresTest seed " + seed + " (replay with -Dqrrot.seed=" + seed + ")");
        java.util.Random random = new java.util.Random(seed);
        Scores.Printer printer = new Scores.Printer();
        UnsafeBuffer out = new UnsafeBuffer(new byte[Scores.MAX_TEXT]);
        for (int i = 0; i < 100_000; i++) {
            double v;
            switch (i % 4) {
                case 0 -> v = Double.longBitsToDouble(random.nextLong());
                case 1 -> v = (random.nextInt(2_000_001) - 1_000_000) / 1000.0;
                case 2 -> v = random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
                default -> v = Double.longBitsToDouble(random.nextLong() & 0x000FFFFFFFFFFFFFL); // subnormal
            }
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                continue;
            }
            int n = printer.format(v, out, 0);
            assertEquals(Scores.formatSlow(v), out.getStringWithoutLengthAscii(0, n),
                    "bits " + Long.toHexString(Double.doubleToRawLongBits(v)) + ", seed " + seed);
        }
    }

    @Test
    void printsZerosInfinitiesAndIntegers() {
        assertEquals("0", Scores.text(0.0));
        assertEquals("-0", Scores.text(-0.0));
        assertEquals("inf", Scores.text(Double.POSITIVE_INFINITY));
        assertEquals("-inf", Scores.text(Double.NEGATIVE_INFINITY));
        assertEquals("42", Scores.text(42));
        assertEquals("-7", Scores.text(-7));
        assertEquals("99999999999999984", Scores.text(99999999999999984.0));
    }

    private static double parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Scores.parse(new UnsafeBuffer(b), 0, b.length);
    }

    private static double bound(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Scores.parseBound(new UnsafeBuffer(b), 0, b.length);
    }

    @Test
    void parsesScoresAsGetDoubleFromObject() {
        assertEquals(1.5, parse("1.5"));
        assertEquals(-3, parse("-3"));
        assertEquals(3, parse("+3"));
        assertEquals(0.5, parse(".5"));
        assertEquals(1, parse("1."));
        assertEquals(1e20, parse("1e20"));
        assertEquals(1e-5, parse("1E-5"));
        assertEquals(16, parse("0x10"));
        assertEquals(3, parse("0x1.8p1"));
        assertEquals(Double.POSITIVE_INFINITY, parse("inf"));
        assertEquals(Double.POSITIVE_INFINITY, parse("+Infinity"));
        assertEquals(Double.NEGATIVE_INFINITY, parse("-INF"));
        assertEquals(4.9e-324, parse("4.9e-324")); // subnormal: ERANGE but not zero, accepted
        assertEquals(0.0, parse("0e-500"));
        assertEquals(123456789012345678.0, parse("123456789012345678"));
        for (String bad : new String[] {"", " 1", "1 ", "abc", "nan", "NaN", "1e400", "-1e400", "1e-400", "1e", "1e+",
                "0x", "1.5d", "1f", "--1", "+", ".", "e5", "0x1p", "infinit", "1,5"}) {
            assertTrue(Double.isNaN(parse(bad)), "refused: '" + bad + "'");
        }
    }

    @Test
    void parsesRangeBoundsAsStrtod() {
        assertEquals(1, bound(" 1"));
        assertEquals(0, bound(""));
        assertEquals(0, bound("   "));
        assertEquals(Double.POSITIVE_INFINITY, bound("1e400"));
        assertEquals(0.0, bound("1e-400"));
        assertEquals(Double.NEGATIVE_INFINITY, bound("-inf"));
        for (String bad : new String[] {"1 ", "nan", "abc", "1e", "(1"}) {
            assertTrue(Double.isNaN(bound(bad)), "refused: '" + bad + "'");
        }
    }
}
