package io.qrrot.recovery;

import io.qrrot.engine.Clock;
import io.qrrot.engine.EffectCodec;
import io.qrrot.recovery.snapshot.HashedRecordVisitor;
import io.qrrot.recovery.snapshot.SnapshotCorruptException;
import io.qrrot.recovery.snapshot.SnapshotDirectory;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotOrder;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.wal.Wal;
import io.qrrot.wal.WalReader;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the WAL into a new snapshot without touching the live store: seal the current WAL segment, fold the
 * sealed records since the last snapshot into one after-image per key ({@link DeltaFold}), merge the last
 * snapshot with that fold into a new one at the sealed LSN, install it atomically, then delete what it
 * superseded. Memory is bounded by the keys the WAL delta touches, not by the data set.
 *
 * <p>The new snapshot is hash-ordered ({@link SnapshotOrder}): the fold's keys are sorted that way and merged
 * with the last snapshot, itself read in that order. Only a last snapshot in file order (from before the
 * order existed) is folded the old way, each of its records looked up in the fold, into a file-order one.
 *
 * <p>The fold's memory is bounded by a budget: when the changes read from the WAL pass it, the pass stops at
 * that record and writes a snapshot at its LSN; the next pass folds on from there. A large backlog thus
 * takes several passes, but memory never grows with it.
 *
 * <p>Retention keeps one fallback: the previous snapshot and the WAL from its base LSN on, so if the newest
 * snapshot turns out unreadable, recovery (and the next compaction) start from the previous one.
 *
 * <p>Thread-safe: compactions are serialised; the background thread and SAVE share {@link #compact}.
 */
final class Compactor {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

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
    private volatile long lastFinishedAt;
    private volatile long compactions;

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

    /**
     * Writes a snapshot holding every record appended so far. Returns the newest snapshot unchanged when the
     * WAL holds nothing after it.
     */
    synchronized SnapshotInfo compact() throws IOException {
        long started = System.nanoTime();
        try {
            long sealed = wal.roll();
            if (current != null && sealed <= baseLsn()) {
                lastStatus = "ok";
                return current;
            }
            do {
                install(foldPass(sealed));
            } while (baseLsn() < sealed);
            compactions++;
            lastStatus = "ok";
            lastFinishedAt = clock.millis();
            return current;
        } catch (IOException | RuntimeException | Error e) {
            // An Error too (an OutOfMemoryError in the fold): INFO must not go on saying "ok".
            lastStatus = "err: " + (e instanceof Error ? e.toString() : e.getMessage());
            throw e;
        } finally {
            lastMillis = (System.nanoTime() - started) / 1_000_000;
        }
    }

    /** One pass: folds from the newest snapshot towards {@code sealed}, as far as the memory budget allows. */
    private SnapshotInfo foldPass(long sealed) throws IOException {
        try {
            return fold(current, baseLsn(), sealed);
        } catch (SnapshotCorruptException e) {
            // The newest snapshot went bad on disk since it was written: rebuild from the one before it,
            // whose WAL is kept for exactly this.
            LOG.error("{}; compacting from the previous snapshot instead", e.getMessage());
            snapshots.quarantine(pathOf(current));
            current = previous;
            previous = null;
            return fold(current, baseLsn(), sealed);
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
        LOG.info("snapshot {} written: {} keys, {} bytes, base LSN {}", written.file(), written.recordCount(),
                written.fileSize(), written.baseLsn());
    }

    /**
     * Folds WAL records {@code (base, upTo]} over {@code from} (null: no snapshot) into a new snapshot, where
     * {@code upTo} is {@code sealed} or the record at which the fold passed the memory budget.
     */
    private SnapshotInfo fold(SnapshotInfo from, long base, long sealed) throws IOException {
        DeltaFold delta = new DeltaFold();
        long upTo = base;
        if (sealed > base) {
            try (WalReader reader = wal.reader(base + 1, sealed)) {
                while (reader.next()) {
                    DirectBuffer p = reader.payload();
                    EffectCodec.decode(p, 0, p.capacity(), delta);
                    upTo = reader.lsn();
                    if (delta.estimatedBytes() >= memoryBudget) {
                        break;
                    }
                }
            }
        }
        if (upTo == base && sealed > base) {
            // Never install a snapshot that makes no progress: the loop in compact() would not end.
            throw new IOException("the WAL holds no record after LSN " + base + " although LSNs up to " + sealed
                    + " were sealed; run `qrrot wal check " + wal.dir() + "`");
        }
        long now = clock.millis();
        SnapshotReader old = from != null && !delta.cleared() ? SnapshotReader.open(storage, pathOf(from)) : null;
        try {
            // Hash order whenever the old snapshot is (or there is none): a merge of two hash-ordered streams.
            // An old snapshot in file order (written before the flag existed) is folded as before, unordered.
            boolean ordered = old == null || old.hashOrdered();
            SnapshotWriter writer = snapshots.begin(upTo, now, ordered);
            try {
                if (ordered) {
                    merge(old, delta, writer, now);
                } else {
                    foldUnordered(old, delta, writer, now);
                }
                return writer.finish();
            } finally {
                writer.close();
            }
        } finally {
            if (old != null) {
                old.close();
            }
        }
    }

    /** Writes the merge of a hash-ordered old snapshot (or none) with the delta sorted the same way. */
    private static void merge(SnapshotReader old, DeltaFold delta, SnapshotWriter writer, long now)
            throws IOException {
        Merge m = new Merge(delta.sorted(), writer, now);
        if (old != null) {
            try {
                old.readHashed(m);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        m.addChangesBefore(0, null, 0);
    }

    /**
     * The merge step per record of the old snapshot: first every delta key that sorts before it (new keys),
     * then the record itself as the delta leaves it.
     */
    private static final class Merge implements HashedRecordVisitor {
        private final Map.Entry<DeltaFold.Key, DeltaFold.Change>[] changes;
        private final SnapshotWriter writer;
        private final long now;
        private final UnsafeBuffer keyView = new UnsafeBuffer(new byte[0]);
        private final UnsafeBuffer valueView = new UnsafeBuffer(new byte[0]);
        private int next;

        Merge(Map.Entry<DeltaFold.Key, DeltaFold.Change>[] changes, SnapshotWriter writer, long now) {
            this.changes = changes;
            this.writer = writer;
            this.now = now;
        }

        @Override
        public void onRecord(long keyHash, byte type, DirectBuffer key, DirectBuffer value, long expiry) {
            int klen = key.capacity();
            try {
                DeltaFold.Change c = addChangesBefore(keyHash, key, klen);
                if (c == null) {
                    if (expiry == 0 || expiry > now) {
                        writer.add(type, key, 0, klen, value, 0, value.capacity(), expiry);
                    }
                } else if (c.kind == DeltaFold.Kind.PUT) {
                    add(writer, key, c, now, valueView);
                } else if (c.kind == DeltaFold.Kind.EXPIRE_ONLY && (c.expiry == 0 || c.expiry > now)) {
                    writer.add(type, key, 0, klen, value, 0, value.capacity(), c.expiry);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Adds the new keys (PUTs) of the delta that sort before the given key (all that are left when
         * {@code key} is null) and returns the delta's change for the key itself, or null when it has none.
         */
        DeltaFold.Change addChangesBefore(long keyHash, DirectBuffer key, int klen) throws IOException {
            while (next < changes.length) {
                DeltaFold.Key k = changes[next].getKey();
                int c = key == null ? -1 : SnapshotOrder.compare(k.orderHash, k.bytes, k.length, keyHash, key, 0, klen);
                if (c > 0) {
                    return null;
                }
                DeltaFold.Change change = changes[next++].getValue();
                if (c == 0) {
                    return change;
                }
                if (change.kind == DeltaFold.Kind.PUT) {
                    keyView.wrap(k.bytes, 0, k.length);
                    add(writer, keyView, change, now, valueView);
                }
            }
            return null;
        }
    }

    /** The fold of an old snapshot in file order: look each record up in the delta, then add the new keys. */
    private static void foldUnordered(SnapshotReader old, DeltaFold delta, SnapshotWriter writer, long now)
            throws IOException {
        UnsafeBuffer valueView = new UnsafeBuffer(new byte[0]);
        try {
            old.read((type, key, value, expiry) -> {
                DeltaFold.Change c = delta.take(key, 0, key.capacity());
                try {
                    if (c == null) {
                        if (expiry == 0 || expiry > now) {
                            writer.add(type, key, 0, key.capacity(), value, 0, value.capacity(), expiry);
                        }
                    } else if (c.kind == DeltaFold.Kind.PUT) {
                        add(writer, key, c, now, valueView);
                    } else if (c.kind == DeltaFold.Kind.EXPIRE_ONLY && (c.expiry == 0 || c.expiry > now)) {
                        writer.add(type, key, 0, key.capacity(), value, 0, value.capacity(), c.expiry);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        UnsafeBuffer keyView = new UnsafeBuffer(new byte[0]);
        for (Iterator<Map.Entry<DeltaFold.Key, DeltaFold.Change>> it = delta.remaining(); it.hasNext(); ) {
            Map.Entry<DeltaFold.Key, DeltaFold.Change> e = it.next();
            if (e.getValue().kind == DeltaFold.Kind.PUT) {
                keyView.wrap(e.getKey().bytes, 0, e.getKey().length);
                add(writer, keyView, e.getValue(), now, valueView);
            }
        }
    }

    private static void add(SnapshotWriter writer, DirectBuffer key, DeltaFold.Change c, long now,
                            UnsafeBuffer valueView) throws IOException {
        if (c.expiry != 0 && c.expiry <= now) {
            return; // already expired: leaving it out is what a reader would see anyway
        }
        valueView.wrap(c.value);
        writer.add(c.type, key, 0, key.capacity(), valueView, 0, c.value.length, c.expiry);
    }

    /** The path of a snapshot by its info (the info keeps the path as given). */
    static Path pathOf(SnapshotInfo info) {
        return Path.of(info.file());
    }
}
