package io.qrrot.recovery.snapshot;

import org.agrona.DirectBuffer;

/**
 * Receives a snapshot's records as {@link SnapshotVisitor} does, each with the order hash of its key
 * ({@link SnapshotOrder#hash}), which the reader computes anyway to check a hash-ordered file.
 */
@FunctionalInterface
public interface HashedRecordVisitor {
    /**
     * One record. {@code key} and {@code value} are views into the reader's buffer, valid only during this
     * call: copy what you keep.
     *
     * @param keyHash      {@link SnapshotOrder#hash} of the key
     * @param type         the engine's type byte, opaque to the snapshot format
     * @param expiryMillis absolute expiry, epoch millis; 0 means none
     */
    void onRecord(long keyHash, byte type, DirectBuffer key, DirectBuffer value, long expiryMillis);
}
