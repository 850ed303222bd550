package io.qrrot.wal;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a {@link Wal} is opened. Immutable; change a field with its {@code with…} method.
 *
 * @param fsync              when a record counts as durable (default {@link FsyncPolicy#ALWAYS})
 * @param segmentBytes       a segment is sealed when the next record would pass this size (default 64 MiB);
 *                           a record larger than this gets a segment of its own
 * @param maxPayloadBytes    largest payload accepted and read back (default 514 MiB: a 512 MiB value, its
 *                           key and room for the effect's encoding)
 * @param bufferBytes        size of each of the two append buffers (default 1 MiB); a record above half of
 *                           it is copied into a buffer of its own; appends wait when a buffer is full
 * @param syncIntervalMillis {@link FsyncPolicy#EVERYSEC}: the longest time between two fsyncs (default 1000)
 * @param flushDelayMillis   buffered records are written at the latest this long after they were appended
 *                           even if nobody calls {@link Wal#flush()} (default 5)
 * @param preallocation      how the next segment is zero-filled ahead of use (default background)
 * @param slowFsyncMillis    an fsync slower than this is logged as a warning, rate-limited (default 1000)
 * @param firstLsn           the LSN of the first record when the directory holds no segment (default 1)
 * @param storage            the file I/O seam (default the real file system)
 * @param wallClock          milliseconds since the epoch, for the segment header's creation time
 * @param syncOnFlush        {@link FsyncPolicy#ALWAYS}: {@link Wal#flush()} writes and fsyncs the batch on
 *                           the calling thread when no write is in progress, instead of waking the writer
 *                           thread (default false). No thread hand-off per batch, at the price of the caller
 *                           waiting for the fsync: right for a server with no core to spare for the writer
 */
public record WalOptions(FsyncPolicy fsync, long segmentBytes, int maxPayloadBytes, int bufferBytes,
                         long syncIntervalMillis, long flushDelayMillis, Preallocation preallocation,
                         long slowFsyncMillis, long firstLsn, Storage storage, LongSupplier wallClock,
                         boolean syncOnFlush) {

    public static final long MIB = 1L << 20;

    /** How segments are prepared. */
    public enum Preallocation {
        /** A background thread zero-fills and fsyncs the next segment while the current one fills. */
        BACKGROUND,
        /** The thread that rolls zero-fills the next segment right after the roll (deterministic: tests). */
        INLINE,
        /** Segments grow as records are written. */
        NONE
    }

    public WalOptions {
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(preallocation, "preallocation");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(wallClock, "wallClock");
        if (segmentBytes < WalFormat.HEADER_LENGTH + WalFormat.RECORD_HEADER_LENGTH) {
            throw new IllegalArgumentException("segmentBytes must be at least "
                    + (WalFormat.HEADER_LENGTH + WalFormat.RECORD_HEADER_LENGTH) + ", not " + segmentBytes);
        }
        if (maxPayloadBytes < 1 || maxPayloadBytes > WalFormat.MAX_FORMAT_PAYLOAD) {
            throw new IllegalArgumentException("maxPayloadBytes must be 1.." + WalFormat.MAX_FORMAT_PAYLOAD
                    + ", not " + maxPayloadBytes);
        }
        if (bufferBytes < 4096) {
            throw new IllegalArgumentException("bufferBytes must be at least 4096, not " + bufferBytes);
        }
        if (syncIntervalMillis < 1 || flushDelayMillis < 1 || slowFsyncMillis < 1) {
            throw new IllegalArgumentException("intervals must be at least 1 ms");
        }
        if (firstLsn < 1) {
            throw new IllegalArgumentException("firstLsn must be at least 1, not " + firstLsn);
        }
    }

    public static WalOptions defaults() {
        return new WalOptions(FsyncPolicy.ALWAYS, 64 * MIB, (int) (514 * MIB), (int) MIB, 1000, 5,
                Preallocation.BACKGROUND, 1000, 1, FileStorage.INSTANCE, System::currentTimeMillis, false);
    }

    public WalOptions withFsync(FsyncPolicy v) {
        return new WalOptions(v, segmentBytes, maxPayloadBytes, bufferBytes, syncIntervalMillis, flushDelayMillis,
                preallocation, slowFsyncMillis, firstLsn, storage, wallClock, syncOnFlush);
    }

    public WalOptions withSegmentBytes(long v) {
        return new WalOptions(fsync, v, maxPayloadBytes, bufferBytes, syncIntervalMillis, flushDelayMillis,
                preallocation, slowFsyncMillis, firstLsn, storage, wallClock, syncOnFlush);
    }

    public WalOptions withMaxPayloadBytes(int v) {
        return new WalOptions(fsync, segmentBytes, v, bufferBytes, syncIntervalMillis, flushDelayMillis,
                preallocation, slowFsyncMillis, firstLsn, storage, wallClock, syncOnFlush);
    }

    public WalOptions withBufferBytes(int v) {
        return new WalOptions(fsync, segmentBytes, maxPayloadBytes, v, syncIntervalMillis, flushDelayMillis,
                preallocation, slowFsyncMillis, firstLsn, storage, wallClock, syncOnFlush);
    }

    public WalOptions withSyncIntervalMillis(long v) {
        return new WalOptions(fsync, segmentBytes, maxPayloadBytes, bufferBytes, v, flushDelayMillis,
                preallocation, slowFsyncMillis, firstLsn, storage, wallClock, syncOnFlush);
    }

    public WalOptions withFlushDelayMillis(long v) {
        return new WalOptions(fsync, segmentBytes, maxPayloadBytes, bufferBytes, syncIntervalMillis, v,
                preallocation, slowFsyncMillis, firstLsn, storage, wallClock, syncOnFlush);
    }

    public WalOptions withPreallocation(Preallocation v) {
        return new WalOptions(fsync, segmentBytes, maxPayloadBytes, bufferBytes, syncIntervalMillis, flushDelayMillis,
                v, slowFsyncMillis, firstLsn, storage, wallClock, syncOnFlush);
    }

    public WalOptions withSlowFsyncMillis(long v) {
        return new WalOptions(fsync, segmentBytes, maxPayloadBytes, bufferBytes, syncIntervalMillis, flushDelayMillis,
                preallocation, v, firstLsn, storage, wallClock, syncOnFlush);
    }

    public WalOptions withFirstLsn(long v) {
        return new WalOptions(fsync, segmentBytes, maxPayloadBytes, bufferBytes, syncIntervalMillis, flushDelayMillis,
                preallocation, slowFsyncMillis, v, storage, wallClock, syncOnFlush);
    }

    public WalOptions withStorage(Storage v) {
        return new WalOptions(fsync, segmentBytes, maxPayloadBytes, bufferBytes, syncIntervalMillis, flushDelayMillis,
                preallocation, slowFsyncMillis, firstLsn, v, wallClock, syncOnFlush);
    }

    public WalOptions withWallClock(LongSupplier v) {
        return new WalOptions(fsync, segmentBytes, maxPayloadBytes, bufferBytes, syncIntervalMillis, flushDelayMillis,
                preallocation, slowFsyncMillis, firstLsn, storage, v, syncOnFlush);
    }

    public WalOptions withSyncOnFlush(boolean v) {
        return new WalOptions(fsync, segmentBytes, maxPayloadBytes, bufferBytes, syncIntervalMillis, flushDelayMillis,
                preallocation, slowFsyncMillis, firstLsn, storage, wallClock, v);
    }
}
