package io.qrrot.recovery;

import io.qrrot.engine.Engine;
import io.qrrot.recovery.snapshot.SnapshotCorruptException;
import io.qrrot.recovery.snapshot.SnapshotDirectory;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.wal.Wal;
import io.qrrot.wal.WalOptions;
import io.qrrot.wal.WalReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the store from disk: the newest snapshot that reads without error (a broken one is moved aside
 * as {@code .broken} and the previous one used), then every WAL record after its base LSN, in order. A torn
 * WAL tail is repaired and reported by the WAL itself, and so is damage to records the snapshot already holds
 * (the WAL is told the snapshot's base LSN); other corruption stops the open with the WAL's error (file,
 * offset, repair command).
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    /** What recovery built and found. */
    record Result(Engine engine, Wal wal, SnapshotInfo current, SnapshotInfo previous, long snapshotKeys,
                  long walRecords, long keys, long millis, List<String> problems) {

        String summary() {
            return "recovered " + keys + " keys from "
                    + (current == null ? "no snapshot" : "snapshot " + Path.of(current.file()).getFileName()
                    + " (" + snapshotKeys + " keys)") + " + " + walRecords + " WAL records in "
                    + String.format("%.2f", millis / 1000.0) + " s"
                    + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
        }
    }

    private Recovery() {
    }

    static Result run(DataDirectory dir, SnapshotDirectory snapshots, QrrotOptions options) throws IOException {
        long started = System.nanoTime();
        List<String> problems = new ArrayList<>();
        for (Path swept : snapshots.swept()) {
            problems.add("removed unfinished snapshot " + swept.getFileName());
        }

        Engine engine = null;
        SnapshotInfo current = null;
        SnapshotInfo previous = null;
        long snapshotKeys = 0;
        List<Path> candidates = snapshots.snapshots();
        for (int i = 0; i < candidates.size(); i++) {
            Path file = candidates.get(i);
            Engine candidate = null;
            try (SnapshotReader reader = SnapshotReader.open(options.storage(), file)) {
                // A hash-ordered file's loaders size the indexes themselves, in parallel.
                candidate = options.newEngine(reader.hashOrdered() ? 0 : reader.info().keyCount());
                Engine target = candidate;
                LOG.info("loading snapshot {} ({} keys in {} records, base LSN {}, {})", file,
                        reader.info().keyCount(), reader.info().recordCount(),
                        reader.info().baseLsn(), reader.hashOrdered() ? "hash-ordered: loading on "
                                + SnapshotLoad.defaultThreads() + " threads" : "file order: loading on one thread");
                long loadStarted = System.nanoTime();
                current = SnapshotLoad.load(reader, target, SnapshotLoad.defaultThreads());
                LOG.info("loaded snapshot {} in {} s", file.getFileName(),
                        String.format("%.2f", (System.nanoTime() - loadStarted) / 1e9));
                snapshotKeys = current.keyCount();
                engine = candidate;
                if (i + 1 < candidates.size()) {
                    try {
                        previous = SnapshotReader.status(options.storage(), candidates.get(i + 1));
                    } catch (IOException e) {
                        previous = null;
                    }
                }
                break;
            } catch (SnapshotCorruptException e) {
                if (candidate != null) {
                    candidate.close();
                }
                Path moved = snapshots.quarantine(file);
                String problem = "snapshot " + file.getFileName() + " is corrupt and was moved aside as "
                        + moved.getFileName() + " (" + e.getMessage() + ")";
                LOG.error(problem);
                problems.add(problem);
                current = null;
            } catch (IOException | RuntimeException e) {
                if (candidate != null) {
                    candidate.close();
                }
                throw e;
            }
        }
        if (engine == null) {
            engine = options.newEngine(0);
        }
        long base = current == null ? 0 : current.baseLsn();

        Wal wal;
        long replayed = 0;
        try {
            wal = Wal.open(dir.walDir(), WalOptions.defaults()
                    .withFsync(options.fsync())
                    .withSegmentBytes(options.walSegmentBytes())
                    .withMaxPayloadBytes(maxPayload(options))
                    .withFirstLsn(base + 1)
                    .withStorage(options.storage())
                    .withPreallocation(options.walPreallocation())
                    .withSyncOnFlush(options.walSyncOnFlush())
                    .withWallClock(options.clock()::millis), base);
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
        try {
            if (wal.superseded() != null) {
                problems.add(wal.superseded().message());
            }
            if (wal.tailRepair() != null) {
                problems.add(wal.tailRepair().message());
            }
            long last = wal.lastLsn();
            if (last > base) {
                if (wal.firstLsn() > base + 1) {
                    throw new IOException("the WAL in " + dir.walDir() + " starts at LSN " + wal.firstLsn()
                            + " but the newest readable snapshot covers only up to LSN " + base + ": records "
                            + (base + 1) + ".." + (wal.firstLsn() - 1) + " are missing. Restore a snapshot from"
                            + " a backup with `qrrot snapshot restore FILE --wal DIR` into a new directory.");
                }
                long lastReport = System.nanoTime();
                try (WalReader reader = wal.reader(base + 1)) {
                    while (reader.next()) {
                        DirectBuffer p = reader.payload();
                        engine.applyEffect(p, 0, p.capacity());
                        replayed++;
                        if ((replayed & 0xFFFF) == 0 && System.nanoTime() - lastReport > PROGRESS_EVERY_NANOS) {
                            lastReport = System.nanoTime();
                            LOG.info("replaying the WAL: LSN {} of {}", reader.lsn(), last);
                        }
                    }
                }
            } else if (last < base && last != 0 && wal.firstLsn() <= last) {
                throw new IOException("the WAL in " + dir.walDir() + " ends at LSN " + last + " but snapshot "
                        + current.file() + " covers up to LSN " + base + ": new records would reuse LSNs the"
                        + " snapshot already holds. Move the wal directory aside to start the log after the snapshot.");
            }
        } catch (IOException | RuntimeException e) {
            try {
                wal.close();
            } finally {
                engine.close();
            }
            throw e;
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        Result r = new Result(engine, wal, current, previous, snapshotKeys, replayed, engine.stats().keys(), millis,
                problems);
        LOG.info(r.summary());
        return r;
    }

    /** The largest effect record: the largest value plus its key and the record's own framing. */
    static int maxPayload(QrrotOptions o) {
        return (int) Math.min(Integer.MAX_VALUE - 64, o.maxValueBytes() + o.maxKeyBytes() + 4096);
    }
}
