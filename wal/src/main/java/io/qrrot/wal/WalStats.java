package io.qrrot.wal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A point-in-time view of a {@link Wal} for INFO and monitoring.
 *
 * @param fsync           the policy in force
 * @param bytesOnDisk     size of all segment files (the current one with its preallocated tail)
 * @param segments        number of segment files
 * @param firstLsn        first LSN of the oldest segment
 * @param lastLsn         last LSN handed out by append (0 if none yet)
 * @param writtenLsn      last LSN written to the operating system
 * @param durableLsn      last LSN reported durable per the policy ({@code always}: fsynced; else written)
 * @param syncedLsn       last LSN known fsynced
 * @param writes          batches written (one write call each, apart from rolls and oversized records)
 * @param fsyncCount      fsyncs of segment files
 * @param lastFsyncMicros duration of the last fsync
 * @param fsyncP50Micros  median fsync time, upper bound of its power-of-two histogram bucket
 * @param fsyncP99Micros  99th percentile fsync time, likewise
 * @param fsyncMaxMicros  slowest fsync
 * @param slowFsyncs      fsyncs slower than the warning threshold
 * @param fsyncHistogram  bucket i counts fsyncs of [2^i, 2^(i+1)) microseconds
 * @param lastStatus      {@code ok}, or the error that failed the log
 * @param fsyncThread     who fsyncs: {@code writer} (the log's writer thread) or, with {@code always} and
 *                        {@link WalOptions#syncOnFlush()}, {@code caller} (the thread that calls flush)
 * @param bytesWritten    bytes the batches wrote to segment files since the log was opened
 * @param batchHistogram  group commit: bucket i counts written batches of [2^i, 2^(i+1)) records
 * @param fsyncNanos      time all fsyncs took together
 * @param batchRecordsTotal records in written batches (the histogram's sum)
 */
public record WalStats(FsyncPolicy fsync, long bytesOnDisk, int segments, long firstLsn, long lastLsn,
                       long writtenLsn, long durableLsn, long syncedLsn, long writes, long fsyncCount,
                       long lastFsyncMicros, long fsyncP50Micros, long fsyncP99Micros, long fsyncMaxMicros,
                       long slowFsyncs, long[] fsyncHistogram, String lastStatus, String fsyncThread,
                       long bytesWritten, long[] batchHistogram, long fsyncNanos, long batchRecordsTotal) {
    /** Buckets of {@link #batchHistogram}. */
    public static final int BATCH_BUCKETS = 24;

    /** The fields as INFO lines ({@code wal_…} names, in display order). */
    public Map<String, String> toInfo() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("wal_fsync", fsync.name().toLowerCase(java.util.Locale.ROOT));
        m.put("wal_fsync_thread", fsyncThread);
        m.put("wal_bytes", Long.toString(bytesOnDisk));
        m.put("wal_segments", Integer.toString(segments));
        m.put("wal_first_lsn", Long.toString(firstLsn));
        m.put("wal_last_lsn", Long.toString(lastLsn));
        m.put("wal_written_lsn", Long.toString(writtenLsn));
        m.put("wal_durable_lsn", Long.toString(durableLsn));
        m.put("wal_synced_lsn", Long.toString(syncedLsn));
        m.put("wal_writes", Long.toString(writes));
        m.put("wal_fsyncs", Long.toString(fsyncCount));
        m.put("wal_last_fsync_us", Long.toString(lastFsyncMicros));
        m.put("wal_fsync_p50_us", Long.toString(fsyncP50Micros));
        m.put("wal_fsync_p99_us", Long.toString(fsyncP99Micros));
        m.put("wal_fsync_max_us", Long.toString(fsyncMaxMicros));
        m.put("wal_slow_fsyncs", Long.toString(slowFsyncs));
        m.put("wal_last_status", lastStatus);
        return m;
    }
}
