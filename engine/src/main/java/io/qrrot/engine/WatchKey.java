package io.qrrot.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Key bytes as a hash-map key. A registered key owns a copy of its bytes; a probe is re-pointed at the bytes
 * being looked up, so a lookup allocates nothing. The hash is the keyspace's 64-bit key hash folded.
 */
final class WatchKey {
    private final UnsafeBuffer bytes = new UnsafeBuffer(0, 0);
    private int offset;
    private int length;
    private int hash;
    private long keyHash;

    static WatchKey copyOf(DirectBuffer key, int off, int len, long keyHash) {
        byte[] copy = new byte[len];
        key.getBytes(off, copy);
        WatchKey k = new WatchKey();
        k.bytes.wrap(copy);
        k.offset = 0;
        k.length = len;
        k.hash = fold(keyHash);
        k.keyHash = keyHash;
        return k;
    }

    /** Points this probe at {@code key[off, off+len)}. */
    WatchKey probe(DirectBuffer key, int off, int len, long keyHash) {
        bytes.wrap(key, 0, key.capacity());
        offset = off;
        length = len;
        hash = fold(keyHash);
        this.keyHash = keyHash;
        return this;
    }

    DirectBuffer buffer() {
        return bytes;
    }

    int offset() {
        return offset;
    }

    int length() {
        return length;
    }

    /** The keyspace hash of the key. */
    long keyHash() {
        return keyHash;
    }

    private static int fold(long h) {
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof WatchKey)) {
            return false;
        }
        WatchKey k = (WatchKey) o;
        if (k.hash != hash || k.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes.getByte(offset + i) != k.bytes.getByte(k.offset + i)) {
                return false;
            }
        }
        return true;
    }
}
