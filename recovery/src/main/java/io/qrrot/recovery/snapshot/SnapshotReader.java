package io.qrrot.recovery.snapshot;

import static io.qrrot.recovery.snapshot.SnapshotFormat.BASE_LSN_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.CREATED_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FLAGS_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FLAG_HASH_ORDERED;
import static io.qrrot.recovery.snapshot.SnapshotFormat.HEADER_CRC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.KNOWN_FLAGS;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAGIC;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAGIC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MIN_BLOCK_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MIN_FILE_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MIN_RECORD_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.OLDEST_VERSION;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RESERVED_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.TRAILER_MAGIC;
import static io.qrrot.recovery.snapshot.SnapshotFormat.VERSION;
import static io.qrrot.recovery.snapshot.SnapshotFormat.VERSION_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a snapshot file (see {@link SnapshotFormat}), checking everything before it is trusted.
 *
 * <p>{@link #open} checks the header (magic, version, CRC, base LSN against the file name) and the footer
 * (trailer magic, CRC, its offset against the file size), so a truncated file or one with bytes appended
 * fails at once. {@link #read} then streams the blocks, checks each block's CRC before any of its records
 * reach the visitor, and after the last block checks the footer's counts and digest. Format versions 1 and 2
 * are read; a collection (version 2) reaches the visitor as {@code onCollection} and then one
 * {@code onElement} per element, never whole.
 *
 * <p>Records of earlier blocks have been delivered by the time a later block fails its check: a caller that
 * loads records as they come must discard what it loaded when {@link #read} throws (or call
 * {@link #verify} first and pay a second pass).
 *
 * <pre>{@code
 * try (SnapshotReader r = SnapshotReader.open(storage, file)) {
 *     long lsn = r.info().baseLsn();
 *     r.read((type, key, value, expiry) -> store.put(type, key, value, expiry));
 * } catch (SnapshotCorruptException e) {
 *     // drop what was loaded, fall back to the previous snapshot; e.getMessage() says where and why
 * }
 * }</pre>
 *
 * <p>A file flagged hash-ordered ({@link #hashOrdered()}) is also checked to be in {@link SnapshotOrder}, and
 * can be read by several threads at once with {@link #readParallel}, each taking a run of blocks.
 *
 * <p>With read-ahead (the default) a second thread reads and CRC-checks blocks while the caller's thread
 * runs the visitor; the visitor is only ever called on the caller's thread. Not thread-safe otherwise: one
 * thread opens, reads once and closes.
 */
public final class SnapshotReader implements AutoCloseable {
    /**
     * On: {@code SnapshotBench} (10M records, 309 MB) showed read-ahead taking the file read and CRC, about
     * 0.1 s of CPU, off the caller's thread (verify 0.29 → 0.19 s of caller CPU, apply 0.81 → 0.71 s). With
     * a second core free that is the saving in wall time; on a saturated machine wall times were a wash.
     */
    public static final boolean DEFAULT_READ_AHEAD = true;
    static final int DEFAULT_BATCH_CAPACITY = 1 << 20;

    private final Path path;
    private final StorageFile file;
    private final ByteBuffer header;
    private final SnapshotInfo info;
    private final int footerDigest;
    private final SnapshotFormat.Footer layout;
    private final boolean hashOrdered;
    private final boolean readAhead;
    private final int batchCapacity;
    private boolean used;

    private SnapshotReader(Path path, StorageFile file, ByteBuffer header, SnapshotInfo info, int footerDigest,
                           SnapshotFormat.Footer layout, boolean hashOrdered, boolean readAhead, int batchCapacity) {
        this.layout = layout;
        this.path = path;
        this.file = file;
        this.header = header;
        this.info = info;
        this.footerDigest = footerDigest;
        this.hashOrdered = hashOrdered;
        this.readAhead = readAhead;
        this.batchCapacity = batchCapacity;
    }

    /** Opens and checks the header and footer, with read-ahead as {@link #DEFAULT_READ_AHEAD}. */
    public static SnapshotReader open(Storage storage, Path file) throws IOException {
        return open(storage, file, DEFAULT_READ_AHEAD);
    }

    /**
     * Opens and checks the header and footer.
     *
     * @param readAhead read and CRC-check blocks on a second thread while this one runs the visitor
     * @throws SnapshotCorruptException if the header or footer fails a check
     */
    public static SnapshotReader open(Storage storage, Path file, boolean readAhead) throws IOException {
        return open(storage, file, readAhead, DEFAULT_BATCH_CAPACITY);
    }

    /** As {@link #open(Storage, Path, boolean)} with another read buffer size: tests use tiny ones. */
    static SnapshotReader open(Storage storage, Path path, boolean readAhead, int batchCapacity) throws IOException {
        StorageFile file = storage.open(path, Storage.OpenMode.READ);
        try {
            return check(path, file, readAhead, batchCapacity);
        } catch (IOException | RuntimeException e) {
            try {
                file.close();
            } catch (IOException ce) {
                e.addSuppressed(ce);
            }
            throw e;
        }
    }

    /** Reads the whole file and checks every CRC, framing, count and the digest; visits nothing. */
    public static SnapshotInfo verify(Storage storage, Path file) throws IOException {
        try (SnapshotReader r = open(storage, file)) {
            return r.read(IGNORE);
        }
    }

    /** Takes every record, collections included, and keeps nothing: what a verification reads with. */
    public static final SnapshotVisitor IGNORE = new SnapshotVisitor() {
        @Override
        public void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiry) {
        }

        @Override
        public void onElement(byte type, DirectBuffer key, long expiry, DirectBuffer element, DirectBuffer payload) {
        }
    };

    /** Checks the header and footer only (two small reads): what {@code qrrot snapshot status} shows. */
    public static SnapshotInfo status(Storage storage, Path file) throws IOException {
        try (SnapshotReader r = open(storage, file)) {
            return r.info();
        }
    }

    /** What the header and footer say; {@code verified} is false. */
    public SnapshotInfo info() {
        return info;
    }

    /** The file being read. */
    public Path path() {
        return path;
    }

    /** True when the header flags the records as hash-ordered ({@link SnapshotOrder}). */
    public boolean hashOrdered() {
        return hashOrdered;
    }

    /**
     * Visits every record in file order, each block's records only after its CRC matched, then checks the
     * footer's counts and digest; in a hash-ordered file, also that every key sorts after the one before.
     * Call once (this or another read method).
     *
     * @return the snapshot's info with {@code verified} true
     * @throws SnapshotCorruptException on the first check that fails (records of earlier blocks have been
     *                                  visited: discard them)
     */
    public SnapshotInfo read(SnapshotVisitor visitor) throws IOException {
        RecordDecoder decoder = decoder();
        return readSequential(decoder, b -> decoder.decode(b, visitor));
    }

    /**
     * As {@link #read(SnapshotVisitor)}, giving each record's key hash ({@link SnapshotOrder#hash}) too: for
     * merging a hash-ordered snapshot with other records in that order.
     */
    public SnapshotInfo readHashed(HashedRecordVisitor visitor) throws IOException {
        RecordDecoder decoder = decoder();
        return readSequential(decoder, b -> decoder.decode(b, visitor));
    }

    /** True when the file's format version has collections (2 on): records may be collections and elements. */
    public boolean collections() {
        return layout.collections();
    }

    private RecordDecoder decoder() {
        return new RecordDecoder(path, hashOrdered, layout.collections());
    }

    /**
     * Reads a hash-ordered file with up to {@code threads} threads (this one included), each taking a
     * contiguous run of blocks holding about the same number of records, so each thread sees a contiguous
     * range of key hashes. First all block headers are read (one small read per block) and the footer's
     * counts and digest checked; then each thread reads its blocks, checks each block's CRC before any of
     * its records reach the visitor, and checks the key order; at the end the order across the seams between
     * runs is checked.
     *
     * <p>{@code visitorForRun} is called once per run, on the thread that reads it, with the run's number and
     * the number of runs, and that thread closes the visitor when the run is done or failed. When a run fails the others stop at their next batch.
     * Call once (this or another read method).
     *
     * @param threads at most this many threads read at once (1 reads on this thread only)
     * @return the snapshot's info with {@code verified} true
     * @throws IllegalStateException    when the file is not flagged hash-ordered (use {@link #read})
     * @throws SnapshotCorruptException the failure of the first run (in file order) that failed; records of
     *                                  other blocks have been visited: discard them
     */
    public SnapshotInfo readParallel(int threads, RunVisitorFactory visitorForRun) throws IOException {
        if (!hashOrdered) {
            throw new IllegalStateException("snapshot " + path + " is not hash-ordered; read it in file order");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        markUsed();
        BlockIndex index = BlockIndex.scan(path, file, header.duplicate().position(0).limit(HEADER_LENGTH),
                dataEnd(), layout, info.recordCount(), info.blockCount(), footerDigest);
        if (index.blocks() == 0) {
            return info.asVerified();
        }
        int[] bounds = index.split(threads);
        int runs = bounds.length - 1;
        RunTask[] tasks = new RunTask[runs];
        AtomicBoolean failed = new AtomicBoolean();
        for (int r = 0; r < runs; r++) {
            tasks[r] = new RunTask(r, runs, new RangeSource(path, file, index, bounds[r], bounds[r + 1]),
                    visitorForRun, failed);
        }
        Thread[] threadsStarted = new Thread[runs];
        boolean allStarted = false;
        try {
            for (int r = 1; r < runs; r++) {
                Thread t = new Thread(tasks[r], "qrrot-snapshot-read-" + r);
                t.setDaemon(true);
                t.start();
                threadsStarted[r] = t;
            }
            allStarted = true;
            tasks[0].run();
        } finally {
            if (!allStarted) {
                failed.set(true); // a thread could not be started: the runs already going stop at their next batch
            }
            for (Thread t : threadsStarted) {
                if (t != null) {
                    ReadAhead.joinUninterruptibly(t);
                }
            }
        }
        for (RunTask t : tasks) {
            if (t.error != null) {
                throw ReadAhead.rethrow(t.error, "snapshot read failed");
            }
        }
        long visited = 0;
        long keys = 0;
        for (int r = 0; r < runs; r++) {
            visited += tasks[r].visited;
            keys += tasks[r].decoder.keys();
            if (r > 0) {
                SnapshotOrder.LastKey before = tasks[r - 1].decoder.last();
                SnapshotOrder.LastKey first = tasks[r].decoder.first();
                int c = before.compareTo(first);
                if (c >= 0) {
                    throw RecordDecoder.outOfOrder(path, tasks[r].decoder.firstOffset(), bounds[r], before,
                            first.hash(), c);
                }
            }
        }
        if (visited != info.recordCount()) {
            throw new IllegalStateException("visited " + visited + " records of " + info.recordCount());
        }
        BlockSource.checkKeys(path, dataEnd(), layout, keys, info.keyCount());
        return info.asVerified();
    }

    /** Where the blocks end and the footer starts. */
    private long dataEnd() {
        return info.fileSize() - layout.length;
    }

    /** Makes the visitor of one run of {@link #readParallel}; called on the run's thread. */
    @FunctionalInterface
    public interface RunVisitorFactory {
        /**
         * @param run  0 for the run at the start of the file, up to {@code runs - 1}
         * @param runs how many runs the file was split into (at most the threads asked for)
         */
        RunVisitor create(int run, int runs);
    }

    /** Receives the records of one run of blocks in {@link #readParallel}, on the thread that reads the run. */
    public interface RunVisitor extends HashedRecordVisitor, AutoCloseable {
        /** The run is over (read whole, or failed): called on the run's thread. */
        @Override
        void close();
    }

    /** One run of blocks, read, checked and visited on one thread. */
    private final class RunTask implements Runnable {
        private final int run;
        private final int runs;
        private final RangeSource source;
        private final RunVisitorFactory visitorForRun;
        private final AtomicBoolean failed;
        final RecordDecoder decoder = new RecordDecoder(path, true, layout.collections());
        long visited;
        Throwable error;

        RunTask(int run, int runs, RangeSource source, RunVisitorFactory visitorForRun, AtomicBoolean failed) {
            this.run = run;
            this.runs = runs;
            this.source = source;
            this.visitorForRun = visitorForRun;
            this.failed = failed;
        }

        @Override
        public void run() {
            BlockBatch b = new BlockBatch(batchCapacity);
            try (RunVisitor visitor = visitorForRun.create(run, runs)) {
                while (!source.done() && !failed.get()) {
                    source.fill(b);
                    visited += decoder.decode(b, visitor);
                }
            } catch (Throwable t) {
                error = t;
                failed.set(true);
            } finally {
                b.free();
            }
        }
    }

    private SnapshotInfo readSequential(RecordDecoder decoder, ReadAhead.BatchSink sink) throws IOException {
        markUsed();
        BlockSource source = new BlockSource(path, file, header.duplicate().position(0).limit(HEADER_LENGTH),
                dataEnd(), layout, info.recordCount(), info.blockCount(), footerDigest);
        long visited;
        if (readAhead) {
            visited = ReadAhead.run(source, sink, batchCapacity, "qrrot-snapshot-read-ahead");
        } else {
            visited = readInline(source, sink);
        }
        if (visited != info.recordCount()) {
            // The decoder checks each block's count, so this means a bug, not a corrupt file.
            throw new IllegalStateException("visited " + visited + " records of " + info.recordCount());
        }
        BlockSource.checkKeys(path, dataEnd(), layout, decoder.keys(), info.keyCount());
        return info.asVerified();
    }

    private void markUsed() {
        if (used) {
            throw new IllegalStateException("snapshot " + path + " was already read; open it again");
        }
        used = true;
    }

    private long readInline(BlockSource source, ReadAhead.BatchSink sink) throws IOException {
        BlockBatch[] batches = {new BlockBatch(batchCapacity), new BlockBatch(batchCapacity)};
        long visited = 0;
        try {
            for (int i = 0; ; i ^= 1) {
                BlockBatch b = batches[i];
                source.fill(b);
                visited += sink.accept(b);
                if (b.last) {
                    return visited;
                }
            }
        } finally {
            batches[0].free();
            batches[1].free();
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    private static SnapshotReader check(Path path, StorageFile file, boolean readAhead, int batchCapacity)
            throws IOException {
        long size = file.size();
        if (size < MIN_FILE_LENGTH) {
            throw new SnapshotCorruptException(path, 0, "file too short to be a snapshot (truncated?)",
                    "at least " + MIN_FILE_LENGTH + " bytes", size + " bytes");
        }
        ByteBuffer header = ByteBuffer.allocateDirect(HEADER_LENGTH);
        readFully(path, file, header, 0);
        UnsafeBuffer h = new UnsafeBuffer(header);
        int magic = h.getInt(MAGIC_OFFSET, LITTLE_ENDIAN);
        if (magic != MAGIC) {
            throw new SnapshotCorruptException(path, MAGIC_OFFSET, "not a QRRT snapshot: bad magic",
                    bytes(MAGIC) + " (QRRT)", bytes(magic));
        }
        byte version = h.getByte(VERSION_OFFSET);
        SnapshotFormat.Footer layout = SnapshotFormat.Footer.of(version);
        if (layout == null) {
            throw new SnapshotCorruptException(path, VERSION_OFFSET,
                    "unsupported snapshot format version (written by another qrrot release?)",
                    "version " + OLDEST_VERSION + " to " + VERSION, "version " + Byte.toUnsignedInt(version));
        }
        int storedCrc = h.getInt(HEADER_CRC_OFFSET, LITTLE_ENDIAN);
        int headerCrc = crc(header, 0, HEADER_CRC_OFFSET);
        if (storedCrc != headerCrc) {
            throw new SnapshotCorruptException(path, HEADER_CRC_OFFSET, "header CRC32C mismatch over bytes 0.."
                    + (HEADER_CRC_OFFSET - 1), BlockSource.hex(storedCrc) + " (stored)",
                    BlockSource.hex(headerCrc) + " (computed)");
        }
        byte flags = h.getByte(FLAGS_OFFSET);
        if ((flags & ~KNOWN_FLAGS) != 0 || h.getShort(RESERVED_OFFSET, LITTLE_ENDIAN) != 0) {
            throw new SnapshotCorruptException(path, FLAGS_OFFSET, "unsupported header flags",
                    "flags 0 or " + KNOWN_FLAGS + " (hash-ordered), reserved 0", "flags " + Byte.toUnsignedInt(flags)
                            + ", reserved " + Short.toUnsignedInt(h.getShort(RESERVED_OFFSET, LITTLE_ENDIAN)));
        }
        boolean hashOrdered = (flags & FLAG_HASH_ORDERED) != 0;
        long baseLsn = h.getLong(BASE_LSN_OFFSET, LITTLE_ENDIAN);
        long createdMillis = h.getLong(CREATED_OFFSET, LITTLE_ENDIAN);
        Path fileName = path.getFileName();
        long nameLsn = fileName == null ? -1 : SnapshotFormat.parseLsn(fileName.toString());
        if (nameLsn >= 0 && nameLsn != baseLsn) {
            throw new SnapshotCorruptException(path, BASE_LSN_OFFSET,
                    "base LSN in the header does not match the file name", "LSN " + nameLsn, "LSN " + baseLsn);
        }

        if (size < HEADER_LENGTH + layout.length) {
            throw new SnapshotCorruptException(path, 0, "file too short to be a version " + version
                    + " snapshot (truncated?)", "at least " + (HEADER_LENGTH + layout.length) + " bytes",
                    size + " bytes");
        }
        long footerAt = size - layout.length;
        ByteBuffer footerBytes = ByteBuffer.allocateDirect(layout.length);
        readFully(path, file, footerBytes, footerAt);
        UnsafeBuffer f = new UnsafeBuffer(footerBytes);
        int trailer = f.getInt(layout.trailerOffset, LITTLE_ENDIAN);
        if (trailer != TRAILER_MAGIC) {
            throw new SnapshotCorruptException(path, footerAt + layout.trailerOffset,
                    "bad trailer magic: the file is truncated, has bytes appended or was not finished",
                    bytes(TRAILER_MAGIC) + " (TRRQ)", bytes(trailer));
        }
        int storedFooterCrc = f.getInt(layout.crcOffset, LITTLE_ENDIAN);
        int footerCrc = crc(footerBytes, 0, layout.crcOffset);
        if (storedFooterCrc != footerCrc) {
            throw new SnapshotCorruptException(path, footerAt + layout.crcOffset, "footer CRC32C mismatch over bytes "
                    + footerAt + ".." + (footerAt + layout.crcOffset - 1),
                    BlockSource.hex(storedFooterCrc) + " (stored)", BlockSource.hex(footerCrc) + " (computed)");
        }
        long footerOffset = f.getLong(layout.offsetOffset, LITTLE_ENDIAN);
        if (footerOffset != footerAt) {
            throw new SnapshotCorruptException(path, footerAt + layout.offsetOffset,
                    "footer offset does not match the file size (bytes appended or cut?)",
                    "offset " + footerAt + " for a " + size + "-byte file", "offset " + footerOffset);
        }
        long dataLength = footerAt - HEADER_LENGTH;
        long blockCount = f.getLong(layout.blockCountOffset, LITTLE_ENDIAN);
        if (blockCount < 0 || blockCount > dataLength / MIN_BLOCK_LENGTH
                || (blockCount == 0) != (dataLength == 0)) {
            throw new SnapshotCorruptException(path, footerAt + layout.blockCountOffset,
                    "block count does not fit the data length", (dataLength == 0 ? "0" : "1.." + dataLength
                    / MIN_BLOCK_LENGTH) + " blocks in " + dataLength + " bytes", blockCount + " blocks");
        }
        long recordCount = f.getLong(layout.recordCountOffset, LITTLE_ENDIAN);
        long maxRecords = (dataLength - blockCount * BLOCK_HEADER_LENGTH) / MIN_RECORD_LENGTH;
        if (recordCount < blockCount || recordCount > maxRecords) {
            throw new SnapshotCorruptException(path, footerAt + layout.recordCountOffset,
                    "record count does not fit the data length",
                    blockCount + ".." + maxRecords + " records in " + blockCount + " blocks", recordCount + " records");
        }
        long keyCount = recordCount;
        if (layout.collections()) {
            // Every key is a Value or Collection record, and every block holds at least one key or goes on with a
            // collection: a key count is at least 0 and at most the record count.
            keyCount = f.getLong(layout.keyCountOffset, LITTLE_ENDIAN);
            if (keyCount < 0 || keyCount > recordCount || (keyCount == 0) != (recordCount == 0)) {
                throw new SnapshotCorruptException(path, footerAt + layout.keyCountOffset,
                        "key count does not fit the record count", (recordCount == 0 ? "0" : "1.." + recordCount)
                        + " keys in " + recordCount + " records", keyCount + " keys");
            }
        }
        int footerDigest = f.getInt(layout.digestOffset, LITTLE_ENDIAN);
        SnapshotInfo info = new SnapshotInfo(path.toString(), version, baseLsn, createdMillis, recordCount, keyCount,
                blockCount, size, false);
        return new SnapshotReader(path, file, header, info, footerDigest, layout, hashOrdered, readAhead,
                batchCapacity);
    }

    private static void readFully(Path path, StorageFile file, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n;
            try {
                n = file.read(dst, at);
            } catch (IOException e) {
                throw IoStep.failed("read of " + path + " at offset " + at, e);
            }
            if (n < 0) {
                throw new SnapshotCorruptException(path, at, "file ended early", (position + dst.limit()) + " bytes",
                        at + " bytes");
            }
            at += n;
        }
    }

    private static int crc(ByteBuffer bytes, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate().limit(to).position(from));
        return (int) crc.getValue();
    }

    /** An int as its four bytes in file order, e.g. {@code 51 52 52 54}. */
    private static String bytes(int v) {
        return String.format("%02x %02x %02x %02x", v & 0xFF, v >>> 8 & 0xFF, v >>> 16 & 0xFF, v >>> 24);
    }
}
