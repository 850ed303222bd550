package io.qrrot.recovery;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec;
import io.qrrot.engine.EffectLog;
import io.qrrot.engine.EffectLogException;
import io.qrrot.engine.Engine;
import io.qrrot.engine.ReplySink;
import io.qrrot.recovery.fold.FoldAbortedException;
import io.qrrot.recovery.snapshot.SnapshotDirectory;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.wal.Backlog;
import io.qrrot.wal.Wal;
import io.qrrot.wal.WalFailedException;
import io.qrrot.wal.WalStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable database: engine + WAL + compactor over one locked data directory.
 *
 * <p>Write path: the engine validates a command and computes its effect under the locks of the shards it
 * touches, hands the effect to {@link #effectLog} (the WAL's append: assigns the LSN, buffers, no I/O), then
 * applies it; the caller releases the reply once {@link #whenDurable} fires for that LSN. Per key the WAL
 * order is the apply order because both happen under the same shard lock.
 *
 * <p>Background threads: the WAL's writer (group commit), {@code qrrot-compactor} (folds the WAL into a
 * snapshot past a size or age threshold) and {@code qrrot-expirer} (active expiry, about ten times a
 * second, logging a deletion per expired key).
 */
public final class DurableQrrot implements Qrrot {
    private static final Logger LOG = LoggerFactory.getLogger(DurableQrrot.class);
    private static final long EXPIRE_PERIOD_MILLIS = 100;
    /** The longest pause between two tries of active expiry while it keeps failing. */
    private static final long EXPIRE_MAX_BACKOFF_MILLIS = 10_000;
    private static final int EXPIRE_BUDGET = 2000;
    private static final long COMPACT_CHECK_MILLIS = 200;
    /** Below this many recovered keys the index is a few MiB and {@link #settleHeap} is not worth a pause. */
    static final long SETTLE_HEAP_KEYS = 100_000;

    private final QrrotOptions options;
    private final DataDirectory dir;
    private final Engine engine;
    private final Wal wal;
    private final Compactor compactor;
    private final Recovery.Result recovery;
    private final EffectLog effectLog;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread compactorThread;
    private final Thread expirerThread;
    private final Object compactSignal = new Object();
    private volatile long maxMemory;
    /** {@code ok}, or {@code err: <what failed>} while active expiry keeps failing (INFO stats). */
    private volatile String expireStatus = "ok";
    /** The listener {@link #setLatencyListener} set last (guarded by this). */
    private LatencyListener latencyListener;

    private DurableQrrot(QrrotOptions options, DataDirectory dir, SnapshotDirectory snapshots, Recovery.Result r) {
        this.options = options;
        this.dir = dir;
        this.recovery = r;
        this.engine = r.engine();
        this.wal = r.wal();
        this.maxMemory = options.maxMemoryBytes();
        this.compactor = new Compactor(options.storage(), snapshots, wal, options.clock(),
                options.compactMemoryBytes(), r.current(), r.previous());
        this.effectLog = new EffectLog() {
            @Override
            public long append(DirectBuffer effect, int offset, int length) {
                return appendEffect(effect, offset, length);
            }

            @Override
            public EffectLogException cannotApply(long lsn, String reason, RuntimeException cause) {
                return stopWrites(reason, cause);
            }

            @Override
            public void check() {
                WalFailedException f = wal.failure();
                if (f != null) {
                    throw new EffectLogException(f.getMessage(), f);
                }
            }

            @Override
            public int maxRecordBytes() {
                return wal.options().maxPayloadBytes();
            }
        };
        this.compactorThread = new Thread(this::compactLoop, "qrrot-compactor");
        this.compactorThread.setDaemon(true);
        this.expirerThread = new Thread(this::expireLoop, "qrrot-expirer");
        this.expirerThread.setDaemon(true);
    }

    /**
     * Opens (creating if needed) a data directory; see {@link Qrrot}. As {@link #open(Path, QrrotOptions,
     * DataDirectory.Mode)} in {@link DataDirectory.Mode#CREATE_IN_ANY_DIRECTORY}.
     */
    public static DurableQrrot open(Path path, QrrotOptions options) throws IOException {
        return open(path, options, DataDirectory.Mode.CREATE_IN_ANY_DIRECTORY);
    }

    /**
     * Opens a data directory; see {@link Qrrot}.
     *
     * @param mode where a new data directory may be made; a file, or another data directory's {@code wal/} or
     *             {@code snapshots/}, is always refused
     * @throws DataDirectory.NotADataDirectoryException naming the path and what is wrong with it
     */
    public static DurableQrrot open(Path path, QrrotOptions options, DataDirectory.Mode mode) throws IOException {
        DataDirectory dir = DataDirectory.open(path, options.storage(), mode);
        try {
            SnapshotDirectory snapshots = SnapshotDirectory.open(options.storage(), dir.snapshotDir());
            Recovery.Result r = Recovery.run(dir, snapshots, options);
            settleHeap(r.keys());
            DurableQrrot db = new DurableQrrot(options, dir, snapshots, r);
            dir.watchLock(reason -> {
                LOG.error("{}: writes stop now", reason);
                db.stopWrites(reason, null);
            });
            db.compactorThread.start();
            db.expirerThread.start();
            return db;
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /**
     * After a large recovery, one full collection. It was added when the shard index lived on the heap, to
     * promote it once instead of copying it between survivor spaces; the index is off the heap now, and what
     * the collection still does is clear recovery's garbage (read buffers, decoded batches, replay objects)
     * and, with the launcher's {@code -XX:+UseAdaptiveSizePolicyWithSystemGC}, size the old generation once,
     * so the first compaction's young collections start from an empty young generation. The compaction RSS
     * figure in docs/benchmarks.md (+2.2 %) was measured with it; it costs 0.05–0.4 s at 10M keys.
     */
    private static void settleHeap(long recoveredKeys) {
        if (recoveredKeys >= SETTLE_HEAP_KEYS) {
            long t0 = System.nanoTime();
            System.gc();
            LOG.info("collected recovery's garbage after loading {} keys in {} ms", recoveredKeys,
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private long appendEffect(DirectBuffer effect, int offset, int length) {
        try {
            return wal.append(effect, offset, length);
        } catch (WalFailedException e) {
            throw new EffectLogException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new EffectLogException("ERR the command's effect is " + length
                    + " bytes, above the write-ahead log's record limit of " + wal.options().maxPayloadBytes()
                    + " bytes; split it into smaller commands", e);
        }
    }

    /**
     * Memory no longer matches the log (a logged effect could not be applied): writes stop for good, through
     * the WAL's own fail-stop, as after a failed fsync. Appends are refused with {@code IOERR <reason>; writes
     * are refused until restart}, replies still waiting get that error, INFO shows the reason as
     * {@code wal_last_status}, and reads keep working. A restart rebuilds memory from the log.
     */
    private EffectLogException stopWrites(String reason, Throwable cause) {
        WalFailedException f = wal.fail(reason, cause);
        return new EffectLogException(f.getMessage(), f);
    }

    @Override
    public boolean setEncodingLimit(String name, long value) {
        return engine.setEncodingLimit(name, value);
    }

    @Override
    public long encodingLimit(String name) {
        return engine.encodingLimit(name);
    }

    @Override
    public Session newSession() {
        return new DurableSession(engine.newSession());
    }

    @Override
    public void whenDurable(long lsn, DurabilityListener listener) {
        if (lsn <= 0) {
            listener.onDurable();
            return;
        }
        wal.whenDurable(lsn, listener);
    }

    @Override
    public void endOfBatch() {
        wal.flush();
    }

    @Override
    public List<CommandSpec> commands() {
        return engine.commands();
    }

    @Override
    public void setKeyReadyListener(io.qrrot.engine.Engine.KeyReadyListener listener) {
        engine.setKeyReadyListener(listener);
    }

    @Override
    public synchronized void setLatencyListener(LatencyListener listener) {
        latencyListener = listener;
        wal.setFsyncListener(listener == null ? null : listener::walFsync);
        compactor.listener(listener);
    }

    @Override
    public synchronized void clearLatencyListener(LatencyListener listener) {
        if (latencyListener == listener) {
            setLatencyListener(null);
        }
    }

    @Override
    public long memoryUsage(byte[] key) {
        return engine.memoryUsage(key);
    }

    /** The engine, for tools that need more than commands (tests, the embedded CLI's export). */
    public Engine engine() {
        return engine;
    }

    /** The WAL, for INFO and tests. */
    public Wal wal() {
        return wal;
    }

    /** What recovery did when this database was opened. */
    public String recoverySummary() {
        return recovery.summary();
    }

    @Override
    public Map<String, Map<String, String>> info() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        out.put("memory", EngineInfo.memory(engine));

        Map<String, String> persistence = new LinkedHashMap<>();
        persistence.put("loading", "0");
        persistence.put("data_dir", dir.root().toAbsolutePath().toString());
        persistence.put("recovery", recovery.summary());
        persistence.put("recovery_millis", Long.toString(recovery.millis()));
        WalStats w = wal.stats();
        persistence.putAll(w.toInfo());
        SnapshotInfo snap = compactor.current();
        persistence.put("wal_bytes_since_snapshot", Long.toString(backlog(snap).bytes()));
        persistence.put("last_snapshot", snap == null ? "" : Path.of(snap.file()).getFileName().toString());
        persistence.put("last_snapshot_lsn", Long.toString(snap == null ? 0 : snap.baseLsn()));
        persistence.put("last_snapshot_keys", Long.toString(snap == null ? 0 : snap.keyCount()));
        persistence.put("last_snapshot_bytes", Long.toString(snap == null ? 0 : snap.fileSize()));
        persistence.put("last_snapshot_status", compactor.lastStatus());
        persistence.put("last_snapshot_millis", Long.toString(compactor.lastMillis()));
        persistence.put("snapshots_written", Long.toString(compactor.compactions()));
        persistence.put("compaction_in_progress", compactor.running() ? "1" : "0");
        persistence.put("compaction_bytes_written", Long.toString(compactor.bytesWritten()));
        persistence.put("compaction_spilled_bytes", Long.toString(compactor.spilledBytes()));
        persistence.put("rdb_last_save_time", Long.toString(lastSaveEpochSeconds()));
        out.put("persistence", persistence);

        Map<String, String> stats = new LinkedHashMap<>();
        stats.put("active_expiry_status", expireStatus);
        out.put("stats", stats);

        out.put("keyspace", EngineInfo.keyspace(engine));
        return out;
    }

    @Override
    public DatabaseStats stats() {
        String status = compactor.lastStatus();
        return new DatabaseStats(engine.stats(), engine.counters(), wal.stats(),
                new DatabaseStats.Compaction(compactor.compactions(), compactor.failures(), compactor.running(),
                        compactor.lastMillis(), compactor.lastFinishedAt(), !status.startsWith("err"),
                        compactor.bytesWritten(), compactor.spilledBytes()),
                new DatabaseStats.Recovery(recovery.millis(), recovery.snapshotKeys(), recovery.walRecords()));
    }

    /** When the newest snapshot was written, epoch seconds (LASTSAVE); 0 when there is none. */
    public long lastSaveEpochSeconds() {
        return compactor.lastFinishedAt() / 1000;
    }

    @Override
    public SnapshotResult saveSnapshot() throws IOException {
        checkOpen();
        long t0 = System.nanoTime();
        SnapshotInfo info = compactor.compact();
        return new SnapshotResult(Path.of(info.file()), info.baseLsn(), info.keyCount(), info.fileSize(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public void abortSnapshots() {
        compactor.abort();
    }

    @Override
    public void allowSnapshots() {
        synchronized (closed) {
            if (!closed.get()) {
                compactor.allow();
            }
        }
    }

    @Override
    public QrrotOptions options() {
        return options.withMaxMemoryBytes(maxMemory);
    }

    @Override
    public void setMaxMemory(long bytes) {
        engine.setMaxMemory(bytes);
        maxMemory = bytes;
    }

    @Override
    public void close() throws IOException {
        synchronized (closed) { // so that allowSnapshots cannot undo the abort below
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            // The fold is an optimisation and the WAL holds everything: give it up rather than wait for it.
            abortSnapshots();
        }
        compactorThread.interrupt();
        expirerThread.interrupt();
        join(compactorThread);
        join(expirerThread);
        try {
            wal.close();
        } finally {
            try {
                engine.close();
            } finally {
                dir.close();
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the database is closed");
        }
    }

    /** What the WAL holds past the newest snapshot, from the segment files. */
    private Backlog backlog(SnapshotInfo snap) {
        return wal.backlogAfter(snap == null ? 0 : snap.baseLsn());
    }

    /**
     * True when the WAL past the newest snapshot passed the size threshold, or holds records and the newest
     * snapshot (with none, the oldest segment holding records) is older than the age threshold. Both read
     * from the files, so a restart neither forgets a backlog nor restarts the clock.
     */
    boolean compactionDue(long now) {
        SnapshotInfo snap = compactor.current();
        Backlog b = backlog(snap);
        if (b.bytes() <= 0) {
            return false;
        }
        if (b.bytes() >= options.compactWalBytes()) {
            return true;
        }
        long since = snap != null ? snap.createdMillis() : b.oldestMillis();
        return now - since >= options.compactAfterMillis();
    }

    private void compactLoop() {
        long failures = 0;
        while (!closed.get()) {
            try {
                Thread.sleep(failures == 0 ? COMPACT_CHECK_MILLIS : Math.min(60_000, 1000L << Math.min(6, failures)));
            } catch (InterruptedException e) {
                return;
            }
            if (closed.get() || !compactionDue(options.clock().millis())) {
                continue;
            }
            try {
                compactor.compact();
                failures = 0;
            } catch (FoldAbortedException e) {
                // a server stopping (or close): not a failure; the next check tries again if snapshots are allowed
            } catch (WalFailedException e) {
                return; // the log is failed: nothing more can be folded safely; INFO shows the WAL's status
            } catch (Throwable e) {
                // An Error too (an OutOfMemoryError in the fold): this loop is the last place that can report
                // it, and the next pass may well succeed. INFO's last_snapshot_status shows it meanwhile.
                if (closed.get()) {
                    return; // aborted by close, or failed because of it
                }
                failures++;
                if (e instanceof IOException) {
                    LOG.error("compaction failed ({} in a row): {}", failures, e.getMessage());
                } else {
                    LOG.error("compaction failed ({} in a row): {}", failures, e, e);
                }
            }
        }
    }

    private void expireLoop() {
        int failures = 0;
        while (!closed.get()) {
            try {
                Thread.sleep(failures == 0 ? EXPIRE_PERIOD_MILLIS
                        : Math.min(EXPIRE_MAX_BACKOFF_MILLIS, EXPIRE_PERIOD_MILLIS << Math.min(7, failures)));
            } catch (InterruptedException e) {
                return;
            }
            try {
                int deleted;
                do {
                    deleted = engine.activeExpireCycle(effectLog, EXPIRE_BUDGET);
                    if (deleted > 0) {
                        wal.flush();
                    }
                } while (deleted > EXPIRE_BUDGET / 4 && !closed.get());
                if (failures > 0) {
                    LOG.info("active expiry works again after {} failed cycles", failures);
                }
                failures = 0;
                expireStatus = "ok";
            } catch (EffectLogException e) {
                // The log refuses writes: expired keys stay invisible (lazy expiry) until a restart.
            } catch (Throwable e) {
                // An Error too (an OutOfMemoryError, say): were this thread to die, expired keys nobody reads
                // would stay in memory, and in DBSIZE, for good without a word. So: log, show it in INFO,
                // and try again with a growing pause.
                if (closed.get()) {
                    return;
                }
                failures++;
                expireStatus = "err: " + e;
                if (failures == 1) {
                    LOG.error("active expiry failed; expired keys stay in memory until it works again (reads never"
                            + " return them); retrying: {}", e.toString(), e);
                } else {
                    LOG.error("active expiry failed ({} in a row): {}", failures, e.toString());
                }
            }
        }
    }

    private final class DurableSession implements Session {
        private final io.qrrot.engine.Session session;

        DurableSession(io.qrrot.engine.Session session) {
            this.session = session;
        }

        @Override
        public long execute(CommandArgs args, ReplySink out) {
            if (closed.get()) {
                out.error("ERR the database is shutting down");
                return 0;
            }
            return engine.execute(session, args, out, effectLog);
        }

        @Override
        public long executeMemcached(io.qrrot.engine.Memcached.Request request, io.qrrot.engine.Memcached.Sink out) {
            if (closed.get()) {
                out.error("SERVER_ERROR the database is shutting down");
                return 0;
            }
            return engine.executeMemcached(session, request, out, effectLog);
        }

        @Override
        public boolean inTransaction() {
            return session.inTransaction();
        }

        @Override
        public long takeBlock() {
            return session.takeBlock();
        }

        @Override
        public void close() {
            session.close();
        }
    }
}
