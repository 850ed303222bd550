package io.qrrot.recovery;

import io.qrrot.engine.EffectVisitor;
import io.qrrot.recovery.snapshot.SnapshotOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.agrona.DirectBuffer;

/**
 * The WAL records since the last snapshot folded into one after-image per key: what compaction merges into
 * the previous snapshot. Memory grows with the keys the delta touches, not with the data set.
 *
 * <p>Not thread-safe: the compactor's thread only.
 */
final class DeltaFold implements EffectVisitor {
    enum Kind { PUT, DELETE, EXPIRE_ONLY }

    /** The folded state of one key. */
    static final class Change {
        Kind kind;
        byte type;
        byte[] value;
        long expiry;
    }

    /**
     * Rough heap cost of one change beyond its key and value bytes: map node, key (with its order hash),
     * change, array headers, and the reference in {@link #sorted()}'s array and in its sort's scratch space.
     */
    static final int ENTRY_OVERHEAD = 136;

    private final HashMap<Key, Change> changes = new HashMap<>();
    private final Key probe = new Key(new byte[64], 0);
    private boolean cleared;
    private long estimatedBytes;

    /** Approximate heap held by the fold: what the compactor's memory budget is checked against. */
    long estimatedBytes() {
        return estimatedBytes;
    }

    /** True when a FLUSHALL in the delta erased everything before it: the old snapshot does not count. */
    boolean cleared() {
        return cleared;
    }

    int size() {
        return changes.size();
    }

    @Override
    public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen, long expiry) {
        Change c = changeFor(key, koff, klen);
        c.kind = Kind.PUT;
        c.type = type;
        byte[] v = new byte[vlen];
        value.getBytes(voff, v);
        estimatedBytes += vlen - (c.value == null ? 0 : c.value.length);
        c.value = v;
        c.expiry = expiry;
    }

    @Override
    public void delete(DirectBuffer key, int koff, int klen) {
        Change c = changeFor(key, koff, klen);
        c.kind = Kind.DELETE;
        estimatedBytes -= c.value == null ? 0 : c.value.length;
        c.value = null;
        c.expiry = 0;
    }

    @Override
    public void expire(DirectBuffer key, int koff, int klen, long expiry) {
        Change c = changes.get(probe(key, koff, klen));
        if (c == null) {
            c = changeFor(key, koff, klen);
            c.kind = Kind.EXPIRE_ONLY;
            c.expiry = expiry;
        } else if (c.kind != Kind.DELETE) {
            c.expiry = expiry;
        }
    }

    @Override
    public void clear() {
        changes.clear();
        cleared = true;
        estimatedBytes = 0;
    }

    /** Takes the change for a key of the old snapshot out of the fold (null when the delta has none). */
    Change take(DirectBuffer key, int koff, int klen) {
        return changes.remove(probe(key, koff, klen));
    }

    /**
     * Every change, sorted by key in {@link SnapshotOrder} (key hash, then key bytes): to merge with a
     * hash-ordered snapshot.
     */
    @SuppressWarnings("unchecked")
    Map.Entry<Key, Change>[] sorted() {
        Map.Entry<Key, Change>[] all = changes.entrySet().toArray(new Map.Entry[0]);
        Arrays.sort(all, (x, y) -> x.getKey().compareTo(y.getKey()));
        return all;
    }

    /** The changes not taken: keys that are new since the old snapshot. */
    Iterator<Map.Entry<Key, Change>> remaining() {
        return changes.entrySet().iterator();
    }

    private Change changeFor(DirectBuffer key, int koff, int klen) {
        Change c = changes.get(probe(key, koff, klen));
        if (c == null) {
            byte[] k = new byte[klen];
            key.getBytes(koff, k);
            c = new Change();
            Key stored = new Key(k, klen);
            stored.orderHash = SnapshotOrder.hash(k, 0, klen);
            changes.put(stored, c);
            estimatedBytes += klen + ENTRY_OVERHEAD;
        }
        return c;
    }

    private Key probe(DirectBuffer key, int koff, int klen) {
        if (probe.bytes.length < klen) {
            probe.bytes = new byte[Math.max(klen, probe.bytes.length * 2)];
        }
        key.getBytes(koff, probe.bytes, 0, klen);
        probe.length = klen;
        probe.hash = hash(probe.bytes, klen);
        return probe;
    }

    private static int hash(byte[] b, int len) {
        int h = 1;
        for (int i = 0; i < len; i++) {
            h = 31 * h + b[i];
        }
        return h;
    }

    /**
     * Key bytes with value equality; the probe instance is reused for look-ups. A stored key also carries its
     * {@link SnapshotOrder#hash}, the probe does not.
     */
    static final class Key {
        byte[] bytes;
        int length;
        int hash;
        long orderHash;

        Key(byte[] bytes, int length) {
            this.bytes = bytes;
            this.length = length;
            this.hash = hash(bytes, length);
        }

        /** Order in {@link SnapshotOrder}; both keys must be stored keys (with their order hash). */
        int compareTo(Key o) {
            return SnapshotOrder.compare(orderHash, bytes, length, o.orderHash, o.bytes, o.length);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.length == length
                    && Arrays.equals(bytes, 0, length, k.bytes, 0, k.length);
        }
    }
}
