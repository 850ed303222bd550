package io.qrrot.recovery;

import io.qrrot.engine.Clock;
import io.qrrot.engine.Engine;
import io.qrrot.engine.EngineConfig;
import io.qrrot.wal.FsyncPolicy;
import io.qrrot.wal.WalOptions;
import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;

/**
 * How a database is opened. Immutable; change one field with the {@code with…} methods.
 *
 * @param fsync              when a write is acknowledged (default {@code ALWAYS})
 * @param shards             keyspace shards, a power of two (default 64)
 * @param maxMemoryBytes     off-heap data limit; writes past it get an OOM error; 0 = none (default 0)
 * @param maxKeyBytes        largest key (default 1 MiB)
 * @param maxValueBytes      largest value (default 512 MiB, as Redis)
 * @param walSegmentBytes    WAL segment size before a roll (default 64 MiB)
 * @param compactWalBytes    compact when the WAL since the last snapshot passes this size (default 256 MiB)
 * @param compactAfterMillis ... or when the WAL holds records past the newest snapshot and that snapshot (with none,
 *                           the oldest WAL segment) is this old (default 1 hour)
 * @param clock              wall clock for TTLs
 * @param storage            the file I/O seam (tests inject faults through it)
 * @param compactMemoryBytes memory outside the heap a compaction sorts the WAL delta in; a larger delta
 *                           spills sorted runs to temp files, merged in the same pass (default 16 MiB)
 * @param walPreallocation   how the next WAL segment is prepared (default in the background; tests that
 *                           replay an exact I/O sequence use {@code NONE})
 * @param walSyncOnFlush     with {@code ALWAYS}, the thread that ends a batch of writes fsyncs it itself when
 *                           the log is idle, instead of handing it to the WAL's writer thread (default false;
 *                           see {@link WalOptions#syncOnFlush()})
 * @param storeMemoryLimitBytes a test seam: the store refuses memory past this (0 = no limit, the default)
 *                           as it does when the operating system refuses it, after the WAL has accepted the
 *                           effect (see {@link io.qrrot.engine.EngineConfig#storeMemoryLimitBytes()})
 */
public record QrrotOptions(FsyncPolicy fsync, int shards, long maxMemoryBytes, long maxKeyBytes,
                           long maxValueBytes, long walSegmentBytes, long compactWalBytes,
                           long compactAfterMillis, long compactMemoryBytes, Clock clock,
                           Storage storage, WalOptions.Preallocation walPreallocation,
                           boolean walSyncOnFlush, long storeMemoryLimitBytes) {

    public static final long MIB = 1L << 20;

    public static QrrotOptions defaults() {
        return new QrrotOptions(FsyncPolicy.ALWAYS, 64, 0, MIB, 512 * MIB, 64 * MIB, 256 * MIB,
                3_600_000L, 16 * MIB, Clock.SYSTEM, FileStorage.INSTANCE, WalOptions.Preallocation.BACKGROUND,
                false, 0);
    }

    /** An empty engine configured by these options, sized for {@code expectedKeys} (0: unknown). */
    public Engine newEngine(long expectedKeys) {
        return new Engine(EngineConfig.defaults()
                .withShards(shards)
                .withMaxMemoryBytes(maxMemoryBytes)
                .withLimits(maxKeyBytes, maxValueBytes)
                .withExpectedKeys(expectedKeys)
                .withStoreMemoryLimitBytes(storeMemoryLimitBytes), clock);
    }

    public QrrotOptions withFsync(FsyncPolicy v) {
        return new QrrotOptions(v, shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, walSegmentBytes,
                compactWalBytes, compactAfterMillis, compactMemoryBytes, clock, storage, walPreallocation,
                walSyncOnFlush, storeMemoryLimitBytes);
    }

    public QrrotOptions withShards(int v) {
        return new QrrotOptions(fsync, v, maxMemoryBytes, maxKeyBytes, maxValueBytes, walSegmentBytes,
                compactWalBytes, compactAfterMillis, compactMemoryBytes, clock, storage, walPreallocation,
                walSyncOnFlush, storeMemoryLimitBytes);
    }

    public QrrotOptions withMaxMemoryBytes(long v) {
        return new QrrotOptions(fsync, shards, v, maxKeyBytes, maxValueBytes, walSegmentBytes,
                compactWalBytes, compactAfterMillis, compactMemoryBytes, clock, storage, walPreallocation,
                walSyncOnFlush, storeMemoryLimitBytes);
    }

    public QrrotOptions withLimits(long maxKey, long maxValue) {
        return new QrrotOptions(fsync, shards, maxMemoryBytes, maxKey, maxValue, walSegmentBytes,
                compactWalBytes, compactAfterMillis, compactMemoryBytes, clock, storage, walPreallocation,
                walSyncOnFlush, storeMemoryLimitBytes);
    }

    public QrrotOptions withWal(long segmentBytes, long compactBytes, long compactAfter) {
        return new QrrotOptions(fsync, shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, segmentBytes,
                compactBytes, compactAfter, compactMemoryBytes, clock, storage, walPreallocation,
                walSyncOnFlush, storeMemoryLimitBytes);
    }

    public QrrotOptions withClock(Clock v) {
        return new QrrotOptions(fsync, shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, walSegmentBytes,
                compactWalBytes, compactAfterMillis, compactMemoryBytes, v, storage, walPreallocation,
                walSyncOnFlush, storeMemoryLimitBytes);
    }

    public QrrotOptions withStorage(Storage v) {
        return new QrrotOptions(fsync, shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, walSegmentBytes,
                compactWalBytes, compactAfterMillis, compactMemoryBytes, clock, v, walPreallocation,
                walSyncOnFlush, storeMemoryLimitBytes);
    }

    public QrrotOptions withWalPreallocation(WalOptions.Preallocation v) {
        return new QrrotOptions(fsync, shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, walSegmentBytes,
                compactWalBytes, compactAfterMillis, compactMemoryBytes, clock, storage, v,
                walSyncOnFlush, storeMemoryLimitBytes);
    }

    public QrrotOptions withCompactMemoryBytes(long v) {
        return new QrrotOptions(fsync, shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, walSegmentBytes,
                compactWalBytes, compactAfterMillis, v, clock, storage, walPreallocation, walSyncOnFlush,
                storeMemoryLimitBytes);
    }

    public QrrotOptions withWalSyncOnFlush(boolean v) {
        return new QrrotOptions(fsync, shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, walSegmentBytes,
                compactWalBytes, compactAfterMillis, compactMemoryBytes, clock, storage, walPreallocation, v,
                storeMemoryLimitBytes);
    }

    public QrrotOptions withStoreMemoryLimitBytes(long v) {
        return new QrrotOptions(fsync, shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, walSegmentBytes,
                compactWalBytes, compactAfterMillis, compactMemoryBytes, clock, storage, walPreallocation,
                walSyncOnFlush, v);
    }
}
