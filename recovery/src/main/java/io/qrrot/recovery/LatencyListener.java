package io.qrrot.recovery;

/**
 * Told how long the database's slow-prone background work took, each time it ends: the WAL's fsyncs and
 * compactions (SAVE and BGSAVE included). A server's latency monitor registers one with
 * {@link Qrrot#setLatencyListener}. Called on the thread that did the work (the WAL's writer or a syncing
 * caller, the compactor, the thread of SAVE): quick, never blocking, never throwing.
 */
public interface LatencyListener {
    /** One fsync of the write-ahead log took {@code nanos}. */
    void walFsync(long nanos);

    /** One compaction (a snapshot folded from the WAL) took {@code nanos}, whether it succeeded or not. */
    void compaction(long nanos);
}
