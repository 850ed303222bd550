package io.qrrot.recovery.snapshot;

import org.agrona.DirectBuffer;

/**
 * Receives a snapshot's records as {@link SnapshotVisitor} does, each with the order hash of its key
 * ({@link SnapshotOrder#hash}) and, for an element, of the element, which the reader computes anyway to check
 * a hash-ordered file.
 */
@FunctionalInterface
public interface HashedRecordVisitor {
    /**
     * One key with its value. {@code key} and {@code value} are views into the reader's buffer, valid only
     * during this call: copy what you keep.
     *
     * @param keyHash      {@link SnapshotOrder#hash} of the key
     * @param type         the engine's type byte, opaque to the snapshot format
     * @param expiryMillis absolute expiry, epoch millis; 0 means none
     */
    void onRecord(long keyHash, byte type, DirectBuffer key, DirectBuffer value, long expiryMillis);

    /**
     * A key holding a collection: its elements follow through {@link #onElement} (at least one), until the
     * next key or the end. Called once per collection, however many blocks it spans. Does nothing unless
     * overridden.
     */
    default void onCollection(long keyHash, byte type, DirectBuffer key, long expiryMillis) {
    }

    /**
     * One element of the collection at {@code key}, with the collection's type and expiry repeated so that a
     * visitor of a run of blocks needs nothing from before it. The views are valid only during this call.
     *
     * @param elementHash {@link SnapshotOrder#hash} of the element bytes
     * @param payload     the element's payload (a hash field's value); empty for types without one
     * @throws UnsupportedOperationException unless overridden: a visitor that ignored elements would lose data
     */
    default void onElement(long keyHash, byte type, DirectBuffer key, long expiryMillis, long elementHash,
                           DirectBuffer element, DirectBuffer payload) {
        throw new UnsupportedOperationException(SnapshotVisitor.NO_COLLECTIONS);
    }
}
