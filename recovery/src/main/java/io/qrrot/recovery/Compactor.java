package io.qrrot.recovery;

import io.qrrot.engine.Clock;
import io.qrrot.engine.EffectCodec;
import io.qrrot.recovery.fold.ChangeCursor;
import io.qrrot.recovery.fold.DeltaSort;
import io.qrrot.recovery.fold.FoldAbortedException;
import io.qrrot.recovery.snapshot.SnapshotCorruptException;
import io.qrrot.recovery.snapshot.SnapshotDirectory;
import io.qrrot.recovery.snapshot.SnapshotFormat;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotOrder;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotVisitor;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.wal.Wal;
import io.qrrot.wal.WalReader;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the WAL into a new snapshot without touching the live store: seal the current WAL segment, sort the
 * sealed records since the last snapshot by key with an external merge sort ({@link DeltaSort}), merge the
 * last snapshot with them into a new one at the sealed LSN, install it atomically, then delete what it
 * superseded.
 *
 * <p>One pass per compaction, whatever the size of the delta: the WAL delta is read once, the last snapshot
 * read once and the new snapshot written once. The sort's memory is bounded by a budget; a delta larger than
 * it spills sorted runs to temporary files next to the snapshots, merged in the same pass. The new snapshot
 * is hash-ordered ({@link SnapshotOrder}): the delta's keys (and a collection's element changes, by element)
 * are sorted that way and merged with the last snapshot, itself read in that order, a collection element by
 * element ({@link SnapshotMerge}), so neither a large collection nor many changes to it are ever held whole. A
 * last snapshot in file order (from before the order existed) is fed into the sort as the oldest changes, so
 * its successor is hash-ordered too; one in format version 1 is read as it is, and its successor is version 2.
 *
 * <p>Retention keeps one fallback: the previous snapshot and the WAL from its base LSN on, so if the newest
 * snapshot turns out unreadable, recovery (and the next compaction) start from the previous one.
 *
 * <p>{@link #abort} gives up a running fold at its next check (every few thousand records) and refuses new
 * ones: shutdown does not wait for an optimisation, the WAL holds everything. The temp files are deleted.
 *
 * <p>Thread-safe: compactions are serialised; the background thread and SAVE share {@link #compact}.
 */
final class Compactor {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);
    /** The fold checks for {@link #abort} once per this many records (plus one). */
    static final int ABORT_CHECK_MASK = 4095;

    private final Storage storage;
    private final SnapshotDirectory snapshots;
    private final Wal wal;
    private final Clock clock;
    private final long memoryBudget;

    /**
     * The newest installed snapshot (null before the first) and the one before it. {@code current} is written
     * under the monitor by compact() and read without it, so INFO never waits for a running compaction.
     */
    private volatile SnapshotInfo current;
    private SnapshotInfo previous;
    private volatile String lastStatus = "ok";
    private volatile long lastMillis;
    private volatile LatencyListener listener;
    private volatile long lastFinishedAt;
    private volatile long compactions;
    /** Compactions that failed (an abort is not a failure). */
    private volatile long failures;
    private volatile boolean aborting;
    private volatile boolean running;
    /** Bytes written by compactions since open: snapshots and spilled runs. */
    private volatile long bytesWritten;
    private volatile long spilledBytes;

    Compactor(Storage storage, SnapshotDirectory snapshots, Wal wal, Clock clock, long memoryBudget,
              SnapshotInfo current, SnapshotInfo previous) {
        this.memoryBudget = memoryBudget;
        this.storage = storage;
        this.snapshots = snapshots;
        this.wal = wal;
        this.clock = clock;
        this.current = current;
        this.previous = previous;
        this.lastFinishedAt = current == null ? 0 : current.createdMillis();
    }

    /** The base LSN of the newest snapshot, 0 when there is none. */
    long baseLsn() {
        SnapshotInfo c = current;
        return c == null ? 0 : c.baseLsn();
    }

    SnapshotInfo current() {
        return current;
    }

    String lastStatus() {
        return lastStatus;
    }

    long lastMillis() {
        return lastMillis;
    }

    long lastFinishedAt() {
        return lastFinishedAt;
    }

    long compactions() {
        return compactions;
    }

    long failures() {
        return failures;
    }

    /** True while a compaction runs (INFO's {@code compaction_in_progress}). */
    boolean running() {
        return running;
    }

    /** Bytes compactions wrote since open (snapshots and spilled runs). */
    long bytesWritten() {
        return bytesWritten;
    }

    /** Of {@link #bytesWritten}, the spilled runs of the external sort. */
    long spilledBytes() {
        return spilledBytes;
    }

    /**
     * Gives up a running compaction at its next check and refuses every later one until {@link #allow}
     * (shutdown): its caller gets a {@link FoldAbortedException}. Returns at once; {@link #compact}'s monitor
     * shows when it is over.
     */
    void abort() {
        aborting = true;
    }

    /** Undoes {@link #abort}: compactions may run again. */
    void allow() {
        aborting = false;
    }

    /**
     * Writes a snapshot holding every record appended so far. Returns the newest snapshot unchanged when the
     * WAL holds nothing after it.
     *
     * @throws FoldAbortedException after {@link #abort}
     */
    synchronized SnapshotInfo compact() throws IOException {
        long started = System.nanoTime();
        running = true;
        try {
            checkAbort();
            // Read before sealing: every record after the sealed LSN was made at this time or later.
            long sealedAt = clock.millis();
            long sealed = wal.roll();
            if (current != null && sealed <= baseLsn()) {
                lastStatus = "ok";
                return current;
            }
            install(foldOnce(sealed, sealedAt));
            compactions++;
            lastStatus = "ok";
            lastFinishedAt = clock.millis();
            return current;
        } catch (FoldAbortedException e) {
            lastStatus = "aborted: " + e.getMessage();
            throw e;
        } catch (IOException | RuntimeException | Error e) {
            // An Error too (an OutOfMemoryError in the fold): INFO must not go on saying "ok".
            lastStatus = "err: " + (e instanceof Error ? e.toString() : e.getMessage());
            failures++;
            throw e;
        } finally {
            running = false;
            long took = System.nanoTime() - started;
            lastMillis = took / 1_000_000;
            LatencyListener l = listener;
            if (l != null) {
                l.compaction(took);
            }
        }
    }

    /** Tells {@code l} how long each compaction took; null stops telling. */
    void listener(LatencyListener l) {
        listener = l;
    }

    /** Folds from the newest snapshot to {@code sealed}; from the one before it if the newest went bad. */
    private SnapshotInfo foldOnce(long sealed, long sealedAt) throws IOException {
        try {
            return fold(current, baseLsn(), sealed, sealedAt);
        } catch (SnapshotCorruptException e) {
            // The newest snapshot went bad on disk since it was written: rebuild from the one before it,
            // whose WAL is kept for exactly this.
            LOG.error("{}; compacting from the previous snapshot instead", e.getMessage());
            snapshots.quarantine(pathOf(current));
            current = previous;
            previous = null;
            return fold(current, baseLsn(), sealed, sealedAt);
        }
    }

    private void install(SnapshotInfo written) throws IOException {
        if (wal.failure() != null) {
            // The log stopped (a failed disk, a lost lock): another process may own this directory now, so
            // nothing is deleted; the snapshot just written holds only records the log already had.
            throw new IOException("not deleting superseded files: the write-ahead log has failed ("
                    + wal.failure().getMessage() + ")");
        }
        previous = current;
        current = written;
        long keepFrom = previous == null ? written.baseLsn() : previous.baseLsn();
        snapshots.deleteSuperseded(true);
        wal.dropBelow(keepFrom + 1);
        LOG.info("snapshot {} written: {} keys, {} bytes, base LSN {}", written.file(), written.keyCount(),
                written.fileSize(), written.baseLsn());
    }

    /**
     * Folds WAL records {@code (base, sealed]} over {@code from} (null: no snapshot) into a new snapshot at
     * {@code sealed}, in one pass: the WAL delta is read once into an external sort ({@link DeltaSort}), the
     * old snapshot read once and merged with the sorted delta, the new snapshot written once.
     */
    private SnapshotInfo fold(SnapshotInfo from, long base, long sealed, long sealedAt) throws IOException {
        String runPrefix = SnapshotFormat.fileName(sealed) + ".run";
        long expected = wal.backlogAfter(base).bytes();
        try (DeltaSort delta = new DeltaSort(storage, snapshots.dir(), runPrefix, memoryBudget, expected,
                this::checkAbort)) {
            SnapshotReader old = from == null ? null : SnapshotReader.open(storage, pathOf(from));
            try {
                if (old != null && !old.hashOrdered()) {
                    // A snapshot from before hash order: its records become the oldest changes of the sort,
                    // so the result is hash-ordered like any other.
                    feed(old, delta);
                    old.close();
                    old = null;
                }
                long t0 = System.nanoTime();
                long records = readDelta(base, sealed, delta);
                if (records == 0 && sealed > base) {
                    throw new IOException("the WAL holds no record after LSN " + base + " although LSNs up to "
                            + sealed + " were sealed; run `qrrot wal check " + wal.dir() + "`");
                }
                if (delta.cleared() && old != null) {
                    old.close(); // a FLUSHALL in the delta: nothing before it counts
                    old = null;
                }
                ChangeCursor changes = delta.finish();
                long t1 = System.nanoTime();
                // Keys expired before the seal are left out: at every record after it they were already expired
                // (a key is expired when now > expiry), so no later record can touch them. One expiring later
                // is kept, whatever the clock says now: a record after the seal may still have seen it alive.
                long expiredBefore = sealedAt - 1;
                try (SnapshotWriter writer = snapshots.begin(sealed, clock.millis(), true)) {
                    merge(old, changes, writer, expiredBefore, this::checkAbort);
                    checkAbort();
                    SnapshotInfo written = writer.finish();
                    bytesWritten += written.fileSize() + delta.spilledBytes();
                    spilledBytes += delta.spilledBytes();
                    LOG.info("folded {} WAL records: read and sorted in {} ms ({} bytes spilled in {} runs), merged"
                                    + " with the previous snapshot in {} ms", records, (t1 - t0) / 1_000_000,
                            delta.spilledBytes(), delta.runsWritten(), (System.nanoTime() - t1) / 1_000_000);
                    return written;
                }
            } finally {
                if (old != null) {
                    old.close();
                }
            }
        }
    }

    /** Reads WAL records {@code (base, sealed]} into the sort; returns how many. */
    private long readDelta(long base, long sealed, DeltaSort delta) throws IOException {
        long records = 0;
        if (sealed <= base) {
            return 0;
        }
        try (WalReader reader = wal.reader(base + 1, sealed)) {
            while (reader.next()) {
                DirectBuffer p = reader.payload();
                EffectCodec.decode(p, 0, p.capacity(), delta);
                if ((++records & ABORT_CHECK_MASK) == 0) {
                    checkAbort();
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return records;
    }

    /**
     * Adds the records of a snapshot in file order to the sort: a key as a PUT, a collection as an EXPIRE (when
     * it has an expiry) and a put per element, the changes that would make it.
     */
    private static void feed(SnapshotReader old, DeltaSort delta) throws IOException {
        try {
            old.read(new SnapshotVisitor() {
                @Override
                public void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiry) {
                    delta.put(type, key, 0, key.capacity(), value, 0, value.capacity(), expiry);
                }

                @Override
                public void onCollection(byte type, DirectBuffer key, long expiry) {
                    if (expiry != 0) {
                        delta.expire(key, 0, key.capacity(), expiry);
                    }
                }

                @Override
                public void onElement(byte type, DirectBuffer key, long expiry, DirectBuffer element,
                                      DirectBuffer payload) {
                    delta.elementPut(type, key, 0, key.capacity(), element, 0, element.capacity(), payload, 0,
                            payload.capacity());
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Throws once {@link #abort} was called. */
    private void checkAbort() throws FoldAbortedException {
        if (aborting) {
            throw new FoldAbortedException("the snapshot was abandoned: the database is shutting down");
        }
    }

    /** Writes the merge of a hash-ordered old snapshot (or none) with the sorted delta ({@link SnapshotMerge}). */
    private static void merge(SnapshotReader old, ChangeCursor changes, SnapshotWriter writer, long now,
                              DeltaSort.Abort abort) throws IOException {
        SnapshotMerge m = new SnapshotMerge(changes, writer, now, abort);
        if (old != null) {
            try {
                old.readHashed(m);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        m.finish();
    }

    /** The path of a snapshot by its info (the info keeps the path as given). */
    static Path pathOf(SnapshotInfo info) {
        return Path.of(info.file());
    }
}
