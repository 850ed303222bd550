package io.qrrot.recovery.snapshot;

import io.qrrot.engine.store.EntryType;
import io.qrrot.engine.store.KeyHasher;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.agrona.DirectBuffer;

/**
 * The record order of a snapshot flagged {@link SnapshotFormat#FLAG_HASH_ORDERED}: ascending by the
 * xxHash3-64 (seed 0) of the key bytes read as an unsigned number, keys with equal hashes ascending by their
 * bytes (unsigned, lexicographic, a prefix before the longer key). No key appears twice. The elements of a
 * collection are in the same order of their bytes ({@link #elementHash}: a list's in label order, which is its
 * order), so that the fold merges a collection with the changes to it as it merges keys.
 *
 * <p>The hash is the store's {@link KeyHasher#XX3}, whose top bits choose a key's shard: a hash-ordered file
 * is in shard order for any power-of-two shard count, so a loader fills one shard's index at a time, and
 * loaders given disjoint runs of blocks touch disjoint shards (but for the one at the seam).
 */
public final class SnapshotOrder {
    /**
     * Bytes of an element that the order checks of a hash-ordered file remember (of the element before): an
     * element may be hundreds of megabytes, and two distinct ones rarely share a 64-bit hash.
     */
    public static final int ELEMENT_CHECK_BYTES = 64 << 10;

    private SnapshotOrder() {
    }

    /**
     * The order hash of an element of a collection of {@code type}: its {@link #hash}, but for a list element, whose
     * bytes are its label (8 bytes, big-endian, sign bit flipped), those bytes read as a big-endian number, so
     * that a list's elements are in label order, which is the list's order. Allocation-free, thread-safe.
     */
    public static long elementHash(byte type, DirectBuffer element, int offset, int length) {
        if (type == EntryType.LIST && length == Long.BYTES) {
            return element.getLong(offset, ByteOrder.BIG_ENDIAN);
        }
        return hash(element, offset, length);
    }

    /** The order hash of a key. Allocation-free, thread-safe. */
    public static long hash(DirectBuffer key, int offset, int length) {
        return KeyHasher.XX3.hash(key, offset, length);
    }

    /** The order hash of a key. Allocation-free, thread-safe. */
    public static long hash(byte[] key, int offset, int length) {
        return KeyHasher.XX3.hash(key, offset, length);
    }

    /** Negative, zero or positive as key a (with hash ha) sorts before, equal to or after key b. */
    public static int compare(long ha, byte[] a, int aLength, long hb, byte[] b, int bLength) {
        int c = Long.compareUnsigned(ha, hb);
        return c != 0 ? c : Arrays.compareUnsigned(a, 0, aLength, b, 0, bLength);
    }

    /** Negative, zero or positive as key a (with hash ha) sorts before, equal to or after key b. */
    public static int compare(long ha, byte[] a, int aLength, long hb, DirectBuffer b, int bOffset, int bLength) {
        int c = Long.compareUnsigned(ha, hb);
        if (c != 0) {
            return c;
        }
        int n = Math.min(aLength, bLength);
        for (int i = 0; i < n; i++) {
            int d = Byte.toUnsignedInt(a[i]) - Byte.toUnsignedInt(b.getByte(bOffset + i));
            if (d != 0) {
                return d;
            }
        }
        return aLength - bLength;
    }

    /**
     * Negative, zero or positive as key a (with hash ha) sorts before, equal to or after key b, both in
     * buffers (on or off the heap): the byte comparison reads eight bytes at a time.
     */
    public static int compare(long ha, DirectBuffer a, int aOffset, int aLength,
                              long hb, DirectBuffer b, int bOffset, int bLength) {
        int c = Long.compareUnsigned(ha, hb);
        if (c != 0) {
            return c;
        }
        int n = Math.min(aLength, bLength);
        int i = 0;
        for (; i + Long.BYTES <= n; i += Long.BYTES) {
            long x = a.getLong(aOffset + i, ByteOrder.BIG_ENDIAN);
            long y = b.getLong(bOffset + i, ByteOrder.BIG_ENDIAN);
            if (x != y) {
                return Long.compareUnsigned(x, y);
            }
        }
        for (; i < n; i++) {
            int d = Byte.toUnsignedInt(a.getByte(aOffset + i)) - Byte.toUnsignedInt(b.getByte(bOffset + i));
            if (d != 0) {
                return d;
            }
        }
        return aLength - bLength;
    }

    /**
     * The last key of a sequence, to check that the next one sorts after it. Reuses one array; not
     * thread-safe.
     */
    public static final class LastKey {
        private final int maxCopy;
        private byte[] bytes = new byte[64];
        /** The length of the key remembered; more than {@code bytes} holds when it was cut at {@link #maxCopy}. */
        private int length;
        private long hash;
        private boolean set;

        /** Remembers whole keys (at most {@link SnapshotFormat#MAX_KEY_LENGTH} bytes). */
        public LastKey() {
            this(Integer.MAX_VALUE);
        }

        /**
         * Remembers at most {@code maxCopy} bytes of each key: for elements, which may be hundreds of megabytes.
         * Two with the same 64-bit hash whose first {@code maxCopy} bytes are equal then compare as in order.
         */
        public LastKey(int maxCopy) {
            this.maxCopy = maxCopy;
        }

        /** True once a key was remembered. */
        public boolean isSet() {
            return set;
        }

        public long hash() {
            return hash;
        }

        /** Compares the remembered key with key b (hash hb): negative when b sorts after it. */
        public int compareTo(long hb, DirectBuffer b, int bOffset, int bLength) {
            if (length <= maxCopy) {
                return compare(hash, bytes, length, hb, b, bOffset, bLength);
            }
            int c = compare(hash, bytes, maxCopy, hb, b, bOffset, Math.min(bLength, maxCopy));
            return c != 0 ? c : -1; // cut: the rest cannot be compared, so it counts as in order
        }

        /** Compares the remembered key with another remembered key. */
        public int compareTo(LastKey b) {
            return compare(hash, bytes, length, b.hash, b.bytes, b.length);
        }

        /** Forgets the key: {@link #isSet} is false until the next {@link #set}. */
        public void clear() {
            set = false;
        }

        /** Remembers a copy of key b with hash hb. */
        public void set(long hb, DirectBuffer b, int bOffset, int bLength) {
            int copy = Math.min(bLength, maxCopy);
            if (bytes.length < copy) {
                bytes = new byte[Math.max(copy, (int) Math.min(maxCopy, 2L * bytes.length))];
            }
            b.getBytes(bOffset, bytes, 0, copy);
            length = bLength;
            hash = hb;
            set = true;
        }

        /** The key as text for an error message: printable ASCII as is, other bytes as \xNN, cut at 64 bytes. */
        public String describe() {
            StringBuilder sb = new StringBuilder("\"");
            for (int i = 0; i < Math.min(Math.min(length, maxCopy), 64); i++) {
                int c = Byte.toUnsignedInt(bytes[i]);
                if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\x%02x", c));
                }
            }
            return sb.append(length > 64 ? "\"…" : "\"").toString();
        }
    }
}
