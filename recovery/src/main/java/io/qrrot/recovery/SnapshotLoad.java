package io.qrrot.recovery;

import io.qrrot.engine.BulkLoader;
import io.qrrot.engine.Engine;
import io.qrrot.engine.store.KeyHasher;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotVisitor;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads one snapshot into a new engine. A hash-ordered file is loaded by several threads, each taking a run
 * of blocks and so a range of shards ({@link SnapshotReader#readParallel}), with one {@link BulkLoader} per
 * thread: no global lock, one shard lock per shard, the index filled one shard at a time, front to back. The
 * threads also share the allocation of the indexes, sized for the file's key count (so the engine may be
 * built with no expected keys). Any other file is
 * loaded in file order on this thread (the reader's read-ahead thread reads and checks the blocks). A
 * collection arrives element by element and is loaded that way ({@link BulkLoader#loadElement}); the reader
 * gives all of a collection's elements to the thread that reads its key. Expired entries are loaded too (expiry
 * reclaims them, logging their deletion; see Engine.load). Logs
 * progress every two seconds.
 *
 * <p>Either way the engine ends up holding the same entries. On any failure the caller must discard the
 * engine: part of the file may have been loaded.
 */
final class SnapshotLoad {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotLoad.class);
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;
    /** Records a loader counts before it publishes them for the progress log. */
    private static final int PUBLISH_EVERY = 1 << 16;

    private final SnapshotReader reader;
    private final Engine engine;
    private final boolean reuseHash;
    private final AtomicLong loaded = new AtomicLong();
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime());

    private SnapshotLoad(SnapshotReader reader, Engine engine) {
        this.reader = reader;
        this.engine = engine;
        // The order hash is the default key hash: computed once, it serves both the order check and the index.
        this.reuseHash = engine.keyHasher() == KeyHasher.XX3;
    }

    /**
     * Loads every record of {@code reader}'s file into {@code engine}.
     *
     * @param threads threads to load a hash-ordered file with (this one included)
     * @return the snapshot's info, verified
     */
    static SnapshotInfo load(SnapshotReader reader, Engine engine, int threads) throws IOException {
        SnapshotLoad load = new SnapshotLoad(reader, engine);
        if (reader.hashOrdered()) {
            long keys = reader.info().keyCount();
            int shards = engine.shardCount();
            return reader.readParallel(threads, (run, runs) -> {
                // Each run allocates its share of the indexes, so that work is split between the threads too.
                engine.presizeShards((int) ((long) shards * run / runs), (int) ((long) shards * (run + 1) / runs), keys);
                return load.new RunLoader();
            });
        }
        try (RunLoader serial = load.new RunLoader()) {
            return reader.read(new SnapshotVisitor() {
                @Override
                public void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiryMillis) {
                    serial.onRecord(type, key, value, expiryMillis);
                }

                @Override
                public void onCollection(byte type, DirectBuffer key, long expiryMillis) {
                    serial.onCollection(key);
                }

                @Override
                public void onElement(byte type, DirectBuffer key, long expiryMillis, DirectBuffer element,
                                      DirectBuffer payload) {
                    serial.onElement(type, key, expiryMillis, element, payload);
                }
            });
        }
    }

    /**
     * The threads a restart loads a hash-ordered snapshot with: one per available core, or the system property
     * {@code qrrot.recovery.loadThreads} when set (for measuring).
     */
    static int defaultThreads() {
        return Math.max(1, Integer.getInteger("qrrot.recovery.loadThreads", Runtime.getRuntime().availableProcessors()));
    }

    private void published(long n) {
        long total = loaded.addAndGet(n);
        long now = System.nanoTime();
        long last = lastReport.get();
        if (now - last > PROGRESS_EVERY_NANOS && lastReport.compareAndSet(last, now)) {
            LOG.info("loading snapshot {}: {} of {} records", reader.path().getFileName(), total,
                    reader.info().recordCount());
        }
    }

    /** Loads the records one thread receives; closes its {@link BulkLoader} (releasing its shard lock) at the end. */
    private final class RunLoader implements SnapshotReader.RunVisitor {
        private final BulkLoader loader = engine.newBulkLoader();
        private int unpublished;

        /**
         * The engine's hash of the collection whose elements are arriving: computed once per collection (the
         * reader announces each one before its elements, and never starts a thread's run inside one).
         */
        private long collectionHash;

        @Override
        public void onRecord(long keyHash, byte type, DirectBuffer key, DirectBuffer value, long expiryMillis) {
            int klen = key.capacity();
            long hash = reuseHash ? keyHash : loader.hash(key, 0, klen);
            loader.load(hash, type, key, 0, klen, value, 0, value.capacity(), expiryMillis);
            counted();
        }

        @Override
        public void onCollection(long keyHash, byte type, DirectBuffer key, long expiryMillis) {
            collectionHash = reuseHash ? keyHash : loader.hash(key, 0, key.capacity());
        }

        @Override
        public void onElement(long keyHash, byte type, DirectBuffer key, long expiryMillis, long elementHash,
                              DirectBuffer element, DirectBuffer payload) {
            loader.loadElement(collectionHash, type, key, 0, key.capacity(), expiryMillis, element, 0,
                    element.capacity(), payload, 0, payload.capacity());
            counted();
        }

        void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiryMillis) {
            int klen = key.capacity();
            loader.load(loader.hash(key, 0, klen), type, key, 0, klen, value, 0, value.capacity(), expiryMillis);
            counted();
        }

        void onCollection(DirectBuffer key) {
            collectionHash = loader.hash(key, 0, key.capacity());
        }

        void onElement(byte type, DirectBuffer key, long expiryMillis, DirectBuffer element, DirectBuffer payload) {
            loader.loadElement(collectionHash, type, key, 0, key.capacity(), expiryMillis, element, 0,
                    element.capacity(), payload, 0, payload.capacity());
            counted();
        }

        private void counted() {
            if (++unpublished == PUBLISH_EVERY) {
                unpublished = 0;
                published(PUBLISH_EVERY);
            }
        }

        @Override
        public void close() {
            loader.close();
        }
    }
}
