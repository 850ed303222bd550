package io.qrrot.engine;

import org.agrona.DirectBuffer;

/**
 * Where the engine hands the encoded effect of a mutation before applying it to the store.
 *
 * <p>Called while the engine holds the locks of every shard the effect touches, so the order of records in
 * the log equals the order in which effects are applied, per key. The implementation must copy the bytes
 * (the buffer is reused) and must not block on I/O: it only assigns a log sequence number and buffers.
 */
@FunctionalInterface
public interface EffectLog {
    /**
     * Appends one effect record.
     *
     * @return the record's log sequence number (LSN), greater than every LSN returned before
     * @throws EffectLogException when the log no longer accepts records (a failed write or fsync, a full
     *                            disk); the engine must then leave the store unchanged and reply with the
     *                            exception's message
     */
    long append(DirectBuffer effect, int offset, int length);

    /** An effect log that records nothing: for a purely in-memory engine and for replay. */
    EffectLog NONE = (effect, offset, length) -> 0L;
}
