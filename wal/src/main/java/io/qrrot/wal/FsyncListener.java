package io.qrrot.wal;

/**
 * Told of every fsync of the log as it ends, with its duration: a latency monitor registers one
 * ({@link Wal#setFsyncListener}). Runs on the syncing thread (the WAL's writer, or a caller syncing itself):
 * it must be quick, never block and never throw.
 */
@FunctionalInterface
public interface FsyncListener {
    /** One fsync of the log took {@code nanos}. */
    void fsynced(long nanos);
}
