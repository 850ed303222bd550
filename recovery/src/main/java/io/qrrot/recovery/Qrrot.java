package io.qrrot.recovery;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec;
import io.qrrot.engine.ReplySink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The embeddable durable database: what a Java application opens, and what the server serves.
 *
 * <pre>{@code
 * try (Qrrot db = Qrrot.open(Path.of("data"), QrrotOptions.defaults())) {
 *     Qrrot.Session s = db.newSession();
 *     long lsn = s.execute(CommandArgs.of("SET", "k", "v"), reply);
 *     db.whenDurable(lsn, listener);   // release the reply only now
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of sessions may execute concurrently (the engine locks per shard); a single
 * session is used by one thread at a time.
 */
public interface Qrrot extends AutoCloseable {

    /**
     * Opens (creating if needed) the data directory: takes its lock file, recovers the newest valid snapshot
     * plus the WAL after it, and starts the WAL writer, the compactor and active expiry. A file, or another
     * data directory's {@code wal/} or {@code snapshots/}, is refused
     * ({@link DataDirectory.NotADataDirectoryException}).
     *
     * @throws IOException with an actionable message when the directory is locked by another process, or a
     *                     file is corrupt in a way that needs an operator (file, offset, repair command)
     */
    static Qrrot open(Path dir, QrrotOptions options) throws IOException {
        return DurableQrrot.open(dir, options);
    }

    /** A client's state: its transaction (MULTI queue) and WATCHed keys. One per connection. */
    Session newSession();

    /**
     * Calls {@code listener} once {@code lsn} is durable per the fsync policy, or with the error that made
     * the log fail. May run on the WAL's thread: the listener must only hand off, never block. An
     * {@code lsn} of 0 or one already durable completes at once on the calling thread.
     */
    void whenDurable(long lsn, DurabilityListener listener);

    /** Marks the end of a batch of commands (one network read): lets the WAL write them in one go. */
    void endOfBatch();

    /** The data commands the engine executes (the server adds its own connection and admin commands). */
    List<CommandSpec> commands();

    /**
     * INFO fields by section, in display order. Sections: {@code memory}, {@code persistence},
     * {@code stats}, {@code keyspace}.
     */
    Map<String, Map<String, String>> info();

    /** The same figures as {@link #info()} and more, as numbers, for metrics; null when there are none. */
    default DatabaseStats stats() {
        return null;
    }

    /** Writes a snapshot of everything acknowledged so far (folds the WAL), then returns what it wrote. */
    SnapshotResult saveSnapshot() throws IOException;

    /**
     * Gives up a snapshot being written (SAVE's or the background compaction's: its temp files are deleted,
     * and a waiting {@link #saveSnapshot} throws {@link io.qrrot.recovery.fold.FoldAbortedException}) and
     * refuses every later one until {@link #allowSnapshots}. The first step of a shutdown, which must not
     * wait for an optimisation: the WAL holds every write. Reads and writes go on working until
     * {@link #close}.
     */
    void abortSnapshots();

    /**
     * Lets snapshots be written again after {@link #abortSnapshots} (a server stopped, and the database goes
     * on serving something else); does nothing once the database is closed.
     */
    void allowSnapshots();

    /** The options in force (max memory reflects {@link #setMaxMemory}). */
    QrrotOptions options();

    /** Changes the max memory at run time (CONFIG SET maxmemory); 0 means no limit. */
    void setMaxMemory(long bytes);

    /**
     * Sets a collection encoding threshold by its Redis name (CONFIG SET {@code hash-max-listpack-entries} and
     * friends): when a small collection becomes a table.
     *
     * @return false when the name is not one the engine knows
     */
    boolean setEncodingLimit(String name, long value);

    /** The threshold {@link #setEncodingLimit} sets, or -1 for an unknown name. */
    long encodingLimit(String name);

    /** Tells {@code listener} how long each WAL fsync and compaction takes; null stops telling. */
    default void setLatencyListener(LatencyListener listener) {
    }

    /** Stops telling {@code listener} if it is still the one told (a newer one set meanwhile stays). */
    default void clearLatencyListener(LatencyListener listener) {
    }

    /**
     * Bytes the key takes in memory: its entry's block (size class included), its share of the index and, for
     * a collection, its element table, list nodes or score index; -1 when the key does not exist (or has
     * expired), or when the database cannot tell.
     */
    default long memoryUsage(byte[] key) {
        return -1;
    }

    /** This database's replicated group, or null for a database of its own. */
    default Cluster cluster() {
        return null;
    }

    /** Tells {@code listener} of keys that may have become ready for blocked pops; null stops telling. */
    void setKeyReadyListener(io.qrrot.engine.Engine.KeyReadyListener listener);

    /** Stops accepting commands, drains and syncs the WAL, stops the compactor, releases the lock. */
    @Override
    void close() throws IOException;

    /** A client's session. Not thread-safe. */
    interface Session extends AutoCloseable {
        /**
         * Executes one command, writing its reply to {@code out}. Never blocks on I/O.
         *
         * @return the LSN the reply depends on: pass it to {@link #whenDurable} before sending the reply;
         *         0 when the command logged nothing
         */
        long execute(CommandArgs args, ReplySink out);

        /**
         * Runs one memcached request ({@link io.qrrot.engine.Memcached}), its outcome to {@code out}. Never blocks on
         * I/O.
         *
         * @return the LSN the reply depends on, as for {@link #execute}
         */
        long executeMemcached(io.qrrot.engine.Memcached.Request request, io.qrrot.engine.Memcached.Sink out);

        /** True while a MULTI is open. */
        boolean inTransaction();

        /**
         * After {@link #execute} of a blocking pop that found nothing: how long the client is to wait, in ms
         * (0: for ever), with nothing replied yet; -1 when the command replied. Reads and clears.
         */
        long takeBlock();

        /** Drops the transaction and WATCHes. */
        @Override
        void close();
    }

    /**
     * Completion of a durability wait: the WAL's listener, handed to it as is (no wrapper per wait).
     * {@code onFailure}'s message is fit for the client, code word first ({@code IOERR …}).
     */
    interface DurabilityListener extends io.qrrot.wal.DurabilityListener {
    }

    /** What {@link #saveSnapshot} wrote. */
    record SnapshotResult(Path file, long baseLsn, long keys, long bytes, long millis) {
    }
}
