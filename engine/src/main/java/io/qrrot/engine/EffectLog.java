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

    /**
     * The record this log accepted as {@code lsn} could not be applied to the store (the operating system
     * refused memory), possibly after some of its ops were: memory no longer matches the log, and only a
     * restart, which rebuilds memory from the log, makes them agree again. Called while the engine still
     * holds the locks of every shard the record touches, so no command has seen that state yet.
     *
     * <p>A log that keeps its records must stop accepting them from now on (fail-stop, as after a failed
     * write), so that no later write builds on the half-applied state, and return the error that every
     * later append will throw. The default, for a log that keeps nothing, only returns the error.
     *
     * @param reason one line, fit for a client, without a code word
     * @return the error the command replies with, code word first
     */
    default EffectLogException cannotApply(long lsn, String reason, RuntimeException cause) {
        return new EffectLogException("ERR " + reason, cause);
    }

    /**
     * Throws the error {@link #append} would throw now when this log no longer accepts records (a failed write
     * or fsync); does nothing otherwise. EXEC asks before it applies anything, because it applies each queued
     * command's ops before it logs the transaction. A log that can start refusing must implement it.
     *
     * @throws EffectLogException as {@link #append} would
     */
    default void check() {
    }

    /**
     * The largest record {@link #append} accepts. EXEC applies each command's ops before it logs the whole
     * record, so it checks the size as it goes instead of being refused at the end.
     */
    default int maxRecordBytes() {
        return Integer.MAX_VALUE;
    }

    /** An effect log that records nothing: for a purely in-memory engine and for replay. */
    EffectLog NONE = (effect, offset, length) -> 0L;
}
