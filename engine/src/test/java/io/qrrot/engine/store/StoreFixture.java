package io.qrrot.engine.store;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** Byte-array conveniences over a {@link Keyspace} for tests: each call locks the key's shard. */
final class StoreFixture {
    final Keyspace keyspace;
    private final EntryView view = new EntryView();

    StoreFixture(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static UnsafeBuffer buf(byte[] b) {
        return new UnsafeBuffer(b);
    }

    long hash(byte[] key) {
        return keyspace.hash(key, 0, key.length);
    }

    Shard shard(byte[] key) {
        return keyspace.shardFor(hash(key));
    }

    boolean put(byte[] key, byte type, long expiry, byte[] value) {
        Shard s = shard(key);
        s.lock();
        try {
            return s.put(buf(key), 0, key.length, hash(key), type, expiry, buf(value), 0, value.length);
        } finally {
            s.unlock();
        }
    }

    boolean put(String key, String value) {
        return put(bytes(key), EntryType.STRING, 0, bytes(value));
    }

    boolean putLong(byte[] key, long expiry, long value) {
        Shard s = shard(key);
        s.lock();
        try {
            return s.putLong(buf(key), 0, key.length, hash(key), expiry, value);
        } finally {
            s.unlock();
        }
    }

    /** The entry as a record, or null when missing. */
    Entry get(byte[] key) {
        Shard s = shard(key);
        s.lock();
        try {
            if (!s.find(buf(key), 0, key.length, hash(key), view)) {
                return null;
            }
            return Entry.of(view);
        } finally {
            s.unlock();
        }
    }

    Entry get(String key) {
        return get(bytes(key));
    }

    boolean remove(byte[] key) {
        Shard s = shard(key);
        s.lock();
        try {
            return s.remove(buf(key), 0, key.length, hash(key));
        } finally {
            s.unlock();
        }
    }

    boolean setExpiry(byte[] key, long expiry) {
        Shard s = shard(key);
        s.lock();
        try {
            return s.setExpiry(buf(key), 0, key.length, hash(key), expiry);
        } finally {
            s.unlock();
        }
    }

    /** Replaces the value keeping {@code keep} bytes of the old one and writing {@code tail} after them. */
    void replaceValue(byte[] key, byte type, long expiry, int keep, byte[] tail) {
        Shard s = shard(key);
        s.lock();
        try {
            MutableDirectBuffer b = s.replaceValue(buf(key), 0, key.length, hash(key), type, expiry, keep + tail.length, keep);
            b.putBytes(keep, tail);
        } finally {
            s.unlock();
        }
    }

    StoreStats stats() {
        return keyspace.stats(new StoreStats());
    }

    /** An immutable copy of one entry. */
    record Entry(byte type, long expiry, byte[] key, byte[] value) {
        static Entry of(EntryView v) {
            byte[] k = new byte[v.keyLength()];
            v.key().getBytes(0, k);
            byte[] val = new byte[v.valueLength()];
            DirectBuffer vb = v.value();
            vb.getBytes(0, val);
            return new Entry(v.type(), v.expiry(), k, val);
        }

        String valueString() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }
}
