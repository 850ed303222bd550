package io.qrrot.recovery;

import io.qrrot.engine.Engine;
import io.qrrot.engine.EngineStats;
import io.qrrot.wal.WalStats;

/**
 * What a database reports about itself for monitoring, as numbers (INFO has the same as text): the keyspace,
 * the engine's counters, the WAL, compaction and what recovery did when it opened. Counters only grow while the
 * database is open.
 *
 * @param engine     keys by type and memory
 * @param counters   keyspace hits and misses, expired keys
 * @param wal        the log: appends, bytes, fsync latency, group commit
 * @param compaction background snapshots
 * @param recovery   the open
 */
public record DatabaseStats(EngineStats engine, Engine.Counters counters, WalStats wal, Compaction compaction,
                            Recovery recovery) {

    /**
     * @param runs              snapshots written
     * @param failures          compactions that failed
     * @param running           one runs now
     * @param lastMillis        duration of the last one
     * @param lastFinishedAt    when the newest snapshot was written, epoch ms (0: none)
     * @param lastOk            the last one succeeded (or none ran yet)
     * @param bytesWritten      snapshot and spilled-run bytes written
     * @param spilledBytes      of which spilled runs of the external sort
     */
    public record Compaction(long runs, long failures, boolean running, long lastMillis, long lastFinishedAt,
                             boolean lastOk, long bytesWritten, long spilledBytes) {
    }

    /**
     * @param millis       how long the open took
     * @param snapshotKeys keys loaded from the snapshot
     * @param walRecords   WAL records replayed after it
     */
    public record Recovery(long millis, long snapshotKeys, long walRecords) {
    }
}
