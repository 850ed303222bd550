package io.qrrot.engine.store;

import org.agrona.DirectBuffer;

/**
 * A deliberately weak hasher for tests: only {@code distinct} different hashes exist, so keys collide
 * constantly. The few hashes are spread over the 64 bits so they land in different shards.
 */
final class CollidingHasher implements KeyHasher {
    private final int distinct;

    CollidingHasher(int distinct) {
        this.distinct = distinct;
    }

    private long spread(long h) {
        long bucket = Long.remainderUnsigned(h, distinct);
        return (bucket + 1) * 0x9E3779B97F4A7C15L;
    }

    @Override
    public long hash(DirectBuffer key, int offset, int length) {
        return spread(KeyHasher.XX3.hash(key, offset, length));
    }

    @Override
    public long hash(byte[] key, int offset, int length) {
        return spread(KeyHasher.XX3.hash(key, offset, length));
    }

    @Override
    public String toString() {
        return "colliding(" + distinct + ")";
    }
}
