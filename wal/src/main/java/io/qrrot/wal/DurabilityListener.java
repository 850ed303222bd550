package io.qrrot.wal;

/**
 * Told once whether a record became durable (per the fsync policy) or the log failed first. Runs on the
 * caller of {@link Wal#whenDurable} when the answer is already known, otherwise on the thread that wrote
 * or fsynced the batch: an implementation must only hand off (enqueue, unpark, complete a future) and
 * never block.
 */
public interface DurabilityListener {
    /** The record is durable per the policy. */
    void onDurable();

    /** The log failed before the record became durable; {@code message} is fit for a client ({@code IOERR …}). */
    void onFailure(String message);
}
