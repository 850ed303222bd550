package io.qrrot.recovery.snapshot;

import org.agrona.DirectBuffer;

/** Receives a snapshot's records in file order, each from a block whose CRC has already been checked. */
@FunctionalInterface
public interface SnapshotVisitor {
    /** What a visitor that takes no collections says when it meets one. */
    String NO_COLLECTIONS = "this snapshot visitor does not take collections, and the snapshot holds one";

    /**
     * One key with its value. {@code key} and {@code value} are views into the reader's buffer, valid only
     * during this call: copy what you keep.
     *
     * @param type         the engine's type byte, opaque to the snapshot format
     * @param expiryMillis absolute expiry, epoch millis; 0 means none
     */
    void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiryMillis);

    /**
     * A key holding a collection: its elements follow through {@link #onElement} (at least one), until the
     * next key or the end. Called once per collection. Does nothing unless overridden.
     */
    default void onCollection(byte type, DirectBuffer key, long expiryMillis) {
    }

    /**
     * One element of the collection at {@code key} (type and expiry repeated). The views are valid only
     * during this call.
     *
     * @param payload the element's payload (a hash field's value); empty for types without one
     * @throws UnsupportedOperationException unless overridden: a visitor that ignored elements would lose data
     */
    default void onElement(byte type, DirectBuffer key, long expiryMillis, DirectBuffer element,
                           DirectBuffer payload) {
        throw new UnsupportedOperationException(NO_COLLECTIONS);
    }
}
