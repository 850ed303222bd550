package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.store.EntryType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class EffectCodecTest {
    static class Recorder implements EffectVisitor {
        final List<String> ops = new ArrayList<>();

        static String s(DirectBuffer b, int off, int len) {
            byte[] x = new byte[len];
            b.getBytes(off, x);
            return new String(x, StandardCharsets.ISO_8859_1);
        }

        @Override
        public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen, long expiry) {
            String v = type == EffectCodec.TYPE_INT ? Long.toString(value.getLong(voff, EffectCodec.ORDER)) : s(value, voff, vlen);
            ops.add("PUT " + type + " " + s(key, koff, klen) + "=" + v + "@" + expiry);
        }

        @Override
        public void delete(DirectBuffer key, int koff, int klen) {
            ops.add("DEL " + s(key, koff, klen));
        }

        @Override
        public void expire(DirectBuffer key, int koff, int klen, long expiry) {
            ops.add("EXPIRE " + s(key, koff, klen) + "@" + expiry);
        }

        @Override
        public void clear() {
            ops.add("CLEAR");
        }

        @Override
        public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                               int elen, DirectBuffer payload, int poff, int plen) {
            ops.add("EPUT " + type + " " + s(key, koff, klen) + " " + s(element, eoff, elen) + "="
                    + s(payload, poff, plen));
        }

        @Override
        public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                  int elen) {
            ops.add("EDEL " + type + " " + s(key, koff, klen) + " " + s(element, eoff, elen));
        }
    }

    @Test
    void roundTripsElementOps() {
        EffectWriter w = new EffectWriter();
        UnsafeBuffer b = new UnsafeBuffer("hfield1value1f2".getBytes(StandardCharsets.ISO_8859_1));
        w.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EffectCodec.TYPE_HASH, b, 0, 1);
        w.addElement(b, 1, 6, b, 7, 6);
        w.addElement(b, 13, 2, b, 0, 0);
        w.addElementLong(b, 13, 2, -17);
        w.beginElements(2, EffectCodec.OP_ELEMENTS_DEL, EffectCodec.TYPE_HASH, b, 0, 1);
        w.addRemoved(b, 1, 6);
        w.finish();
        byte[] rec = new byte[w.length()];
        w.buffer().getBytes(0, rec);
        Recorder r = new Recorder();
        EffectCodec.decode(new UnsafeBuffer(rec), 0, rec.length, r);
        assertEquals(List.of("EPUT 4 h field1=value1", "EPUT 4 h f2=", "EPUT 4 h f2=-17", "EDEL 4 h field1"), r.ops);
    }

    @Test
    void theAsTableBitReachesTheVisitorAsItsOwnCallAndOnlyOnElementsPut() {
        EffectWriter w = new EffectWriter();
        UnsafeBuffer b = new UnsafeBuffer("sa".getBytes(StandardCharsets.ISO_8859_1));
        w.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, (byte) (EffectCodec.TYPE_SET | EffectCodec.AS_TABLE), b, 0, 1);
        w.addElement(b, 1, 1, b, 0, 0);
        w.finish();
        byte[] rec = new byte[w.length()];
        w.buffer().getBytes(0, rec);
        Recorder r = new Recorder() {
            @Override
            public void createAsTable(byte type, DirectBuffer key, int koff, int klen) {
                ops.add("TABLE " + type + " " + s(key, koff, klen));
            }
        };
        EffectCodec.decode(new UnsafeBuffer(rec), 0, rec.length, r);
        assertEquals(List.of("TABLE 6 s", "EPUT 6 s a="), r.ops);
        rec[EffectCodec.HEADER_LENGTH] = EffectCodec.OP_ELEMENTS_DEL;
        EffectFormatException e = assertThrows(EffectFormatException.class,
                () -> EffectCodec.validate(new UnsafeBuffer(rec), 0, rec.length));
        assertEquals("malformed effect record at offset 9: ELEMENTS_DEL with the AS_TABLE bit", e.getMessage());
    }

    @Test
    void refusesElementOpsInVersionOneRecordsAndUnknownTypes() {
        EffectWriter w = new EffectWriter();
        UnsafeBuffer b = new UnsafeBuffer("hfv".getBytes(StandardCharsets.ISO_8859_1));
        w.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EffectCodec.TYPE_HASH, b, 0, 1);
        w.addElement(b, 1, 1, b, 2, 1);
        w.finish();
        byte[] rec = new byte[w.length()];
        w.buffer().getBytes(0, rec);
        rec[0] = 1;
        EffectFormatException e = assertThrows(EffectFormatException.class,
                () -> EffectCodec.validate(new UnsafeBuffer(rec), 0, rec.length));
        assertEquals("malformed effect record at offset 8: ELEMENTS_PUT in a version 1 record", e.getMessage());
        rec[0] = 2;
        rec[EffectCodec.HEADER_LENGTH + EffectCodec.ELEMENTS_TYPE_OFFSET] = 1;
        e = assertThrows(EffectFormatException.class, () -> EffectCodec.validate(new UnsafeBuffer(rec), 0, rec.length));
        assertEquals("malformed effect record at offset 9: ELEMENTS_PUT value type 1, expected 4 (hash), 5 (list), "
                + "6 (set) or 7 (zset)", e.getMessage());
    }

    /** A sorted-set member's payload is its score: 8 bytes, never NaN. */
    @Test
    void sortedSetElementsCarryAnEightByteScore() {
        UnsafeBuffer m = new UnsafeBuffer("zm".getBytes(StandardCharsets.ISO_8859_1));
        UnsafeBuffer score = new UnsafeBuffer(new byte[8]);
        score.putLong(0, Double.doubleToRawLongBits(-1.5), java.nio.ByteOrder.LITTLE_ENDIAN);
        EffectWriter w = new EffectWriter();
        w.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EffectCodec.TYPE_ZSET, m, 0, 1);
        w.addElement(m, 1, 1, score, 0, 8);
        w.finish();
        byte[] rec = new byte[w.length()];
        w.buffer().getBytes(0, rec);
        EffectCodec.validate(new UnsafeBuffer(rec), 0, rec.length);

        score.putLong(0, Double.doubleToRawLongBits(Double.NaN), java.nio.ByteOrder.LITTLE_ENDIAN);
        EffectWriter nan = new EffectWriter();
        nan.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EffectCodec.TYPE_ZSET, m, 0, 1);
        nan.addElement(m, 1, 1, score, 0, 8);
        nan.finish();
        byte[] bad = new byte[nan.length()];
        nan.buffer().getBytes(0, bad);
        EffectFormatException e = assertThrows(EffectFormatException.class,
                () -> EffectCodec.validate(new UnsafeBuffer(bad), 0, bad.length));
        assertTrue(e.getMessage().endsWith("ELEMENTS_PUT sorted-set member with a NaN score"), e.getMessage());

        EffectWriter shortScore = new EffectWriter();
        shortScore.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EffectCodec.TYPE_ZSET, m, 0, 1);
        shortScore.addElement(m, 1, 1, score, 0, 4);
        shortScore.finish();
        byte[] four = new byte[shortScore.length()];
        shortScore.buffer().getBytes(0, four);
        e = assertThrows(EffectFormatException.class, () -> EffectCodec.validate(new UnsafeBuffer(four), 0, four.length));
        assertTrue(e.getMessage().endsWith("ELEMENTS_PUT sorted-set member with a 4-byte score; expected 8"),
                e.getMessage());
    }

    /** A list element's 8 log bytes: its label big-endian with the sign bit flipped, so byte order is label order. */
    private static byte[] label(long label) {
        byte[] b = new byte[8];
        io.qrrot.engine.store.CollectionView.putLabel(new UnsafeBuffer(b), 0, label);
        return b;
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    /** Element ops of a list: the element is the label (8 bytes), the payload the element's value. */
    @Test
    void listElementsAreEightByteLabelsWithTheirValues() {
        assertEquals("8000000000000000", hex(label(0)));
        assertEquals("8000000000010000", hex(label(65_536)));
        assertEquals("7fffffffffff0000", hex(label(-65_536)));
        assertEquals("4000000000000000", hex(label(-(1L << 62))));
        assertEquals("c000000000000000", hex(label(1L << 62)));
        assertTrue(java.util.Arrays.compareUnsigned(label(-65_536), label(0)) < 0, "byte order is label order");

        UnsafeBuffer key = new UnsafeBuffer("q".getBytes(StandardCharsets.ISO_8859_1));
        UnsafeBuffer values = new UnsafeBuffer("abc".getBytes(StandardCharsets.ISO_8859_1));
        EffectWriter w = new EffectWriter();
        w.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EffectCodec.TYPE_LIST, key, 0, 1);
        w.addElement(new UnsafeBuffer(label(-65_536)), 0, 8, values, 0, 1);
        w.addElement(new UnsafeBuffer(label(32_768)), 0, 8, values, 1, 2);
        w.beginElements(2, EffectCodec.OP_ELEMENTS_DEL, EffectCodec.TYPE_LIST, key, 0, 1);
        w.addRemoved(new UnsafeBuffer(label(0)), 0, 8);
        w.finish();
        byte[] rec = new byte[w.length()];
        w.buffer().getBytes(0, rec);
        Recorder r = new Recorder() {
            @Override
            public void elementPut(byte type, DirectBuffer k, int koff, int klen, DirectBuffer element, int eoff,
                                   int elen, DirectBuffer payload, int poff, int plen) {
                ops.add("EPUT " + type + " " + s(k, koff, klen) + " #"
                        + (element.getLong(eoff, java.nio.ByteOrder.BIG_ENDIAN) ^ Long.MIN_VALUE) + "="
                        + s(payload, poff, plen));
            }

            @Override
            public void elementDelete(byte type, DirectBuffer k, int koff, int klen, DirectBuffer element, int eoff,
                                      int elen) {
                ops.add("EDEL " + type + " " + s(k, koff, klen) + " #"
                        + (element.getLong(eoff, java.nio.ByteOrder.BIG_ENDIAN) ^ Long.MIN_VALUE));
            }
        };
        EffectCodec.decode(new UnsafeBuffer(rec), 0, rec.length, r);
        assertEquals(List.of("EPUT 5 q #-65536=a", "EPUT 5 q #32768=bc", "EDEL 5 q #0"), r.ops);
    }

    /** The bytes of docs/formats.md's example: {@code RPUSH q a} on a new key logs one ELEMENTS_PUT of label 0. */
    @Test
    void rpushOfANewListLogsTheBytesTheFormatDocumentShows() {
        try (Harness h = new Harness()) {
            assertEquals(1L, h.call("RPUSH", "q", "a"));
            assertEquals(2L, h.call("RPUSH", "q", "b"));
            List<byte[]> recs = h.log.snapshot();
            assertEquals("02000000" + "01000000" // version 2, flags, reserved; one op
                    + "05" + "05" + "01000000" + "01000000" + "71" // ELEMENTS_PUT, list, key length 1, count 1, "q"
                    + "08000000" + "01000000" + "8000000000000000" + "61", // label 0, value "a"
                    hex(recs.get(0)));
            assertEquals("02000000" + "01000000" + "05" + "05" + "01000000" + "01000000" + "71"
                    + "08000000" + "01000000" + "8000000000010000" + "62", // label 65536 (STRIDE), value "b"
                    hex(recs.get(1)));
        }
    }

    /** A list element that is not an 8-byte label is refused, with its offset, in either op. */
    @Test
    void aListElementThatIsNotEightBytesIsRefusedWithItsOffset() {
        UnsafeBuffer b = new UnsafeBuffer("q1234567v".getBytes(StandardCharsets.ISO_8859_1));
        EffectWriter put = new EffectWriter();
        put.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EffectCodec.TYPE_LIST, b, 0, 1);
        put.addElement(new UnsafeBuffer(label(0)), 0, 8, b, 8, 1);
        put.addElement(b, 1, 7, b, 8, 1); // a 7-byte label, second element: at 8 + 10 + 1 + (8 + 8 + 1) = 36
        put.finish();
        byte[] rec = new byte[put.length()];
        put.buffer().getBytes(0, rec);
        Recorder r = new Recorder();
        EffectFormatException e = assertThrows(EffectFormatException.class,
                () -> EffectCodec.decode(new UnsafeBuffer(rec), 0, rec.length, r));
        assertEquals("malformed effect record at offset 36: ELEMENTS_PUT list element with a 7-byte label; expected 8",
                e.getMessage());
        assertTrue(r.ops.isEmpty(), "nothing delivered: " + r.ops);

        EffectWriter del = new EffectWriter();
        del.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, EffectCodec.TYPE_LIST, b, 0, 1);
        del.addRemoved(b, 0, 9); // 9 bytes, first element: at 8 + 10 + 1 = 19
        del.finish();
        byte[] rec2 = new byte[del.length()];
        del.buffer().getBytes(0, rec2);
        e = assertThrows(EffectFormatException.class,
                () -> EffectCodec.validate(new UnsafeBuffer(rec2), 0, rec2.length));
        assertEquals("malformed effect record at offset 19: ELEMENTS_DEL list element with a 9-byte label; expected 8",
                e.getMessage());

        // The same 9 bytes are a valid hash field: the rule is the list's.
        rec2[EffectCodec.HEADER_LENGTH + EffectCodec.ELEMENTS_TYPE_OFFSET] = EffectCodec.TYPE_HASH;
        assertEquals(1, EffectCodec.validate(new UnsafeBuffer(rec2), 0, rec2.length));
    }

    private static byte[] sample() {
        EffectWriter w = new EffectWriter();
        UnsafeBuffer k = new UnsafeBuffer("key".getBytes());
        UnsafeBuffer v = new UnsafeBuffer("value".getBytes());
        w.put(1, EffectCodec.TYPE_STRING, k, 0, 3, v, 0, 5, 123);
        w.putLong(2, k, 0, 2, -42, 0);
        w.delete(3, k, 1, 2);
        w.expire(4, k, 0, 3, 99);
        w.clear();
        w.put(5, EffectCodec.TYPE_JSON, k, 0, 0, v, 0, 0, 0);
        w.finish();
        byte[] out = new byte[w.length()];
        w.buffer().getBytes(0, out);
        return out;
    }

    @Test
    void roundTripsEveryOp() {
        byte[] rec = sample();
        Recorder r = new Recorder();
        EffectCodec.decode(new UnsafeBuffer(rec), 0, rec.length, r);
        assertEquals(List.of("PUT 1 key=value@123", "PUT 2 ke=-42@0", "DEL ey", "EXPIRE key@99", "CLEAR", "PUT 3 =@0"), r.ops);
        assertEquals(EffectCodec.VERSION, rec[0]);
        assertEquals(6, new UnsafeBuffer(rec).getInt(EffectCodec.OP_COUNT_OFFSET, EffectCodec.ORDER));
    }

    @Test
    void typeCodesMatchTheStore() {
        assertEquals(EntryType.STRING, EffectCodec.TYPE_STRING);
        assertEquals(EntryType.INT, EffectCodec.TYPE_INT);
        assertEquals(EntryType.JSON, EffectCodec.TYPE_JSON);
    }

    @Test
    void everyTruncationIsRejectedWithoutDeliveringOps() {
        byte[] rec = sample();
        for (int len = 0; len < rec.length; len++) {
            Recorder r = new Recorder();
            int n = len;
            EffectFormatException e = assertThrows(EffectFormatException.class,
                    () -> EffectCodec.decode(new UnsafeBuffer(rec), 0, n, r), "length " + len);
            assertTrue(r.ops.isEmpty(), "ops delivered before the error at length " + len);
            assertTrue(e.getMessage().contains("effect record"), e.getMessage());
        }
    }

    @Test
    void garbageIsRejectedWithItsOffset() {
        byte[] rec = sample();
        rec[0] = 9;
        EffectFormatException e = assertThrows(EffectFormatException.class,
                () -> EffectCodec.decode(new UnsafeBuffer(rec), 0, rec.length, new Recorder()));
        assertEquals("effect record version 9 at offset 0 is not supported; this build reads versions 1 to 2 (use a newer qrrot)",
                e.getMessage());
        byte[] rec2 = sample();
        rec2[EffectCodec.HEADER_LENGTH] = 7;
        e = assertThrows(EffectFormatException.class,
                () -> EffectCodec.decode(new UnsafeBuffer(rec2), 0, rec2.length, new Recorder()));
        assertEquals("malformed effect record at offset 8: unknown op code 7, expected 1 (PUT), 2 (DEL), 3 (EXPIRE),"
                        + " 4 (CLEAR), 5 (ELEMENTS_PUT) or 6 (ELEMENTS_DEL)",
                e.getMessage());
        byte[] rec3 = java.util.Arrays.copyOf(sample(), sample().length + 1);
        e = assertThrows(EffectFormatException.class,
                () -> EffectCodec.decode(new UnsafeBuffer(rec3), 0, rec3.length, new Recorder()));
        assertTrue(e.getMessage().endsWith("1 bytes after the last of 6 ops"), e.getMessage());
    }

    @Test
    void decodesAtAnOffsetInsideALargerBuffer() {
        byte[] rec = sample();
        ExpandableArrayBuffer b = new ExpandableArrayBuffer();
        b.putBytes(17, rec);
        Recorder r = new Recorder();
        EffectCodec.decode(b, 17, rec.length, r);
        assertEquals(6, r.ops.size());
    }
}
