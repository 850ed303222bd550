package io.qrrot.recovery.snapshot;

import org.agrona.DirectBuffer;

/** Receives a snapshot's records in file order, each from a block whose CRC has already been checked. */
@FunctionalInterface
public interface SnapshotVisitor {
    /**
     * One record. {@code key} and {@code value} are views into the reader's buffer, valid only during this
     * call: copy what you keep.
     *
     * @param type         the engine's type byte, opaque to the snapshot format
     * @param expiryMillis absolute expiry, epoch millis; 0 means none
     */
    void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiryMillis);
}
