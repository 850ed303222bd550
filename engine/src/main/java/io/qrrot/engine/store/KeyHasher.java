package io.qrrot.engine.store;

import net.openhft.hashing.LongHashFunction;
import org.agrona.DirectBuffer;
import org.agrona.BufferUtil;

/**
 * Turns key bytes into the 64-bit hash that indexes them. Implementations must be allocation-free,
 * thread-safe and deterministic, and both methods must agree for the same bytes. Two different keys may
 * share a hash: the store compares key bytes, so a weak hasher is slow, never wrong (tests inject one to
 * force collisions).
 */
public interface KeyHasher {
    long hash(DirectBuffer key, int offset, int length);

    long hash(byte[] key, int offset, int length);

    /** xxHash3 (64-bit) from zero-allocation-hashing: the default. */
    KeyHasher XX3 = new KeyHasher() {
        private final LongHashFunction fn = LongHashFunction.xx3();

        @Override
        public long hash(DirectBuffer key, int offset, int length) {
            byte[] array = key.byteArray();
            if (array != null) {
                // A heap-backed buffer's addressOffset is relative to the array object.
                int start = (int) (key.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + offset;
                return fn.hashBytes(array, start, length);
            }
            key.boundsCheck(offset, length);
            return fn.hashMemory(key.addressOffset() + offset, length);
        }

        @Override
        public long hash(byte[] key, int offset, int length) {
            return fn.hashBytes(key, offset, length);
        }

        @Override
        public String toString() {
            return "xx3";
        }
    };
}
