package io.qrrot.recovery.snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** One snapshot record as plain values, for comparing what was written with what was read. */
public record Rec(byte type, byte[] key, byte[] value, long expiry) {

    @Override
    public boolean equals(Object o) {
        return o instanceof Rec r && r.type == type && r.expiry == expiry && Arrays.equals(r.key, key)
                && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Rec[type=" + type + ", key=" + abbrev(key) + ", value=" + abbrev(value) + ", expiry=" + expiry + "]";
    }

    private static String abbrev(byte[] b) {
        String hex = HexFormat.of().formatHex(b, 0, Math.min(b.length, 16));
        return b.length + " bytes " + hex + (b.length > 16 ? "…" : "");
    }

    public static Rec of(int type, String key, String value, long expiry) {
        return new Rec((byte) type, key.getBytes(), value.getBytes(), expiry);
    }

    /**
     * Random records: mostly small, some larger than {@code bigOver} bytes, every type byte of a value record
     * possible (0..127 but the hash's 4).
     */
    static List<Rec> random(Random rnd, int count, int bigOver) {
        List<Rec> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte type = rnd.nextInt(4) == 0 ? anyValueType(rnd) : (byte) (1 + rnd.nextInt(3));
            int keyLength = rnd.nextInt(20) == 0 ? rnd.nextInt(bigOver * 2 + 1) : rnd.nextInt(24);
            int valueLength = switch (rnd.nextInt(10)) {
                case 0 -> rnd.nextInt(bigOver * 3 + 1);
                case 1 -> 8;
                case 2 -> 0;
                default -> rnd.nextInt(40);
            };
            long expiry = switch (rnd.nextInt(4)) {
                case 0 -> 1_700_000_000_000L + rnd.nextInt(1 << 30);
                case 1 -> rnd.nextLong() & Long.MAX_VALUE;
                case 2 -> rnd.nextInt(200);
                default -> 0;
            };
            byte[] key = new byte[keyLength];
            byte[] value = new byte[valueLength];
            rnd.nextBytes(key);
            rnd.nextBytes(value);
            out.add(new Rec(type, key, value, expiry));
        }
        return out;
    }

    /** A type byte a snapshot's value record may have: 0..127, not a collection type. */
    static byte anyValueType(Random rnd) {
        while (true) {
            byte t = (byte) rnd.nextInt(128);
            if (!io.qrrot.engine.store.EntryType.isCollection(t)) {
                return t;
            }
        }
    }

    /** A visitor that copies every record it is handed. */
    static final class Collect implements SnapshotVisitor {
        final List<Rec> records = new ArrayList<>();

        @Override
        public void onRecord(byte type, org.agrona.DirectBuffer key, org.agrona.DirectBuffer value, long expiry) {
            byte[] k = new byte[key.capacity()];
            byte[] v = new byte[value.capacity()];
            key.getBytes(0, k);
            value.getBytes(0, v);
            records.add(new Rec(type, k, v, expiry));
        }
    }
}
