package io.qrrot.wal;

import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log: an append-only, segmented, CRC32C-framed log of opaque records numbered by
 * consecutive LSNs (format: {@link WalFormat}).
 *
 * <h2>Writing</h2>
 * {@link #append} copies a record into the active buffer and returns its LSN; it never does I/O (it is
 * called under the engine's shard locks) and only waits when both buffers are full. One thread at a time
 * writes everything buffered with one write call (group commit):
 * <ul>
 *   <li>{@code always}: the writer thread writes and fsyncs; every record in the batch becomes durable
 *   with that one fsync. {@link #flush()} only wakes the writer. With {@link WalOptions#syncOnFlush()} the
 *   thread that calls {@link #flush()} writes and fsyncs the batch itself when no write is in progress
 *   (listeners then run on that thread), and wakes the writer only when one is.</li>
 *   <li>{@code everysec}, {@code no}: the thread that calls {@link #flush()} (the end of a network read
 *   batch) writes the batch itself, so no thread hand-off is needed; a record is durable once written.
 *   The background thread fsyncs at least every second ({@code everysec}).</li>
 * </ul>
 * The background thread also writes whatever was not flushed within {@code flushDelayMillis}.
 * {@link #whenDurable} tells a listener when an LSN is durable per the policy, or that the log failed.
 *
 * <h2>Failure</h2>
 * A failed write or fsync is final: the log stops accepting records ({@link #append} throws
 * {@link WalFailedException}, {@code IOERR …}), fails every pending listener, and never reports
 * durability for anything not fsynced (or, for everysec/no, written) before the failure.
 *
 * <h2>Threads</h2>
 * Thread-safe. {@code append}, {@code flush}, {@code whenDurable} and {@code reader} may be called from
 * any thread; {@code roll}, {@code dropBelow}, {@code sync} and {@code close} block and belong on
 * background threads.
 */
public final class Wal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Wal.class);
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_COHORT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final WalOptions options;
    private final FsyncPolicy policy;
    private final boolean syncOnFlush;
    private final Storage storage;
    private final Path dir;
    private final SegmentFiles files;
    private final int maxPayload;
    private final long segmentBytes;
    private final int oversizedThreshold;
    private final long oversizedBacklog;
    private final TailRepair tailRepair;
    private final SupersededSegments superseded;

    // Append side, guarded by appendLock.
    private final ReentrantLock appendLock = new ReentrantLock();
    private final Condition spaceFreed = appendLock.newCondition();
    private final CRC32C appendCrc = new CRC32C();
    private Batch active;
    private long nextLsn;
    /** Where the next record lands in its segment. */
    private long appendSegmentPos;
    private boolean closing;
    /** Bumped for every record or roll added; the writer compares it with {@link #takenSeq}. */
    private volatile long appendSeq;
    private volatile long takenSeq;

    // Write side, guarded by ioLock (with always: the writer thread, or a flush() caller with syncOnFlush).
    private final ReentrantLock ioLock = new ReentrantLock();
    private final SegmentWriter segmentWriter;
    /** When a durability mark last failed to be written, for a rate-limited warning (nanoTime, 0 never). */
    private long markFailureLogged;
    private Batch spare;
    private volatile long batches;
    /** Bytes written to segment files by batches (records and their marks), for monitoring. */
    private volatile long bytesWritten;
    /** Records in written batches (the sum that {@link #batchRecords} counts by size). */
    private volatile long batchRecordsTotal;
    /** Records per written batch (group commit): bucket i counts batches of [2^i, 2^(i+1)) records. */
    private final java.util.concurrent.atomic.AtomicLongArray batchRecords =
            new java.util.concurrent.atomic.AtomicLongArray(WalStats.BATCH_BUCKETS);
    private volatile boolean flushRequested;

    private volatile long writtenLsn;
    private volatile long syncedLsn;
    /**
     * The last LSN of the newest sealed segment, as {@link #roll()} answers it. The segment writer's own
     * sealed LSN moves in the middle of a batch, before the batch's records count as written; this one is
     * published only after {@link #writtenLsn} and {@link #syncedLsn} cover it, so that a caller of roll()
     * can read up to its answer at once ({@link #reader(long, long)} refuses LSNs not yet written).
     */
    private volatile long sealedLsn;
    private volatile WalFailedException failure;
    private volatile String status = "ok";

    private final Waiters waiters = new Waiters();
    private final FsyncStats fsyncStats;
    private final Object rollMonitor = new Object();
    private final Object syncedMonitor = new Object();

    private final SegmentSet segments;
    private final Preallocator preallocator;
    private final Thread writer;
    private volatile boolean writerParked;
    private volatile boolean stopping;

    private Wal(WalOptions options, Path dir, LogScan scan, TailRepair tailRepair, SupersededSegments superseded)
            throws IOException {
        this.options = options;
        this.policy = options.fsync();
        this.syncOnFlush = options.syncOnFlush();
        this.storage = options.storage();
        this.dir = dir;
        this.files = new SegmentFiles(storage, dir);
        this.maxPayload = options.maxPayloadBytes();
        this.segmentBytes = options.segmentBytes();
        this.oversizedThreshold = options.bufferBytes() / 2;
        this.oversizedBacklog = 8L * options.bufferBytes();
        this.tailRepair = tailRepair;
        this.superseded = superseded;
        this.fsyncStats = new FsyncStats(options.slowFsyncMillis());
        this.active = new Batch(options.bufferBytes());
        this.spare = new Batch(options.bufferBytes());
        this.preallocator = new Preallocator(files, segmentBytes, options.preallocation(),
                "qrrot-wal-prealloc " + dir.getFileName());
        this.segments = new SegmentSet(files);
        try {
            this.segmentWriter = SegmentWriter.open(files, segments, preallocator, fsyncStats, options, scan);
        } catch (IOException e) {
            preallocator.close();
            throw e;
        }
        nextLsn = scan.segments.isEmpty() ? options.firstLsn() : scan.nextLsn();
        appendSegmentPos = segmentWriter.position();
        writtenLsn = nextLsn - 1;
        syncedLsn = nextLsn - 1;
        // Every record up to it is written: the scan found it on disk, or a roll at open just sealed it.
        sealedLsn = segmentWriter.sealedLsn();
        preallocator.request();
        writer = new Thread(this::runWriter, "qrrot-wal-writer " + dir.getFileName());
        writer.setDaemon(true);
        writer.start();
    }

    /** {@link #open(Path, WalOptions, long)} for a log whose every record is needed (no snapshot). */
    public static Wal open(Path dir, WalOptions options) throws IOException {
        return open(dir, options, 0);
    }

    /**
     * Opens (or creates) the log in {@code dir}: validates every segment, repairs a torn tail (the damaged
     * bytes of the last segment are copied to {@code *.broken} and zeroed; see {@link #tailRepair()}), sets
     * aside damage that a snapshot already covers (see {@link #superseded()}), and starts the writer.
     *
     * @param coveredThroughLsn the last LSN a snapshot holds (0: none): damage confined to records up to it
     *                          loses nothing and does not stop the open
     * @throws WalCorruptionException when the log is damaged where no snapshot covers it and not as a torn
     *                                write: the message names the file, the offset and the repair command
     */
    public static Wal open(Path dir, WalOptions options, long coveredThroughLsn) throws IOException {
        Storage storage = options.storage();
        StepException.exec("creating directory " + dir, () -> storage.createDirectories(dir));
        LogScan scan = LogScan.scan(storage, dir, options.maxPayloadBytes(), coveredThroughLsn);
        SegmentFiles files = new SegmentFiles(storage, dir);
        if (!scan.tempFiles.isEmpty()) {
            for (Path tmp : scan.tempFiles) {
                files.delete(tmp);
            }
            files.syncDirectory();
        }
        if (scan.status == LogScan.Status.CORRUPT) {
            throw scan.corruption();
        }
        for (LogScan.Segment s : scan.segments) {
            if (s.damagedMarks > 0) {
                LOG.warn("WAL segment {} has {} damaged durability mark(s); they hold no record and every record"
                        + " around them is intact, but the disk changed bytes it had written", s.path, s.damagedMarks);
            }
        }
        SupersededSegments superseded = setAsideSuperseded(files, scan, coveredThroughLsn);
        TailRepair repair = null;
        if (scan.status == LogScan.Status.TORN_TAIL) {
            repair = repairTornTail(files, scan);
            LOG.warn(repair.message());
        }
        return new Wal(options, dir, scan, repair, superseded);
    }

    /**
     * Zeroes a torn tail after copying it aside. The copy is not required: on a full disk (the usual reason a
     * log stopped mid-write) the repair must still let the database start.
     */
    static TailRepair repairTornTail(SegmentFiles files, LogScan scan) throws IOException {
        LogScan.Damage d = scan.damage;
        SegmentFiles.TailCopy copy = files.setAsideTail(d.path, d.offset, d.offset + d.droppedBytes, false);
        LogScan.Segment last = scan.segments.get(scan.segments.size() - 1);
        return new TailRepair(d.path, d.offset, d.droppedBytes, last.lastLsn, copy.path(), copy.failure(), d.detail);
    }

    /** Renames damaged superseded segments to {@code *.broken} and deletes the intact ones; null if none. */
    static SupersededSegments setAsideSuperseded(SegmentFiles files, LogScan scan, long coveredThroughLsn)
            throws IOException {
        if (scan.superseded.isEmpty()) {
            return null;
        }
        List<String> damaged = new ArrayList<>();
        List<Path> deleted = new ArrayList<>();
        for (LogScan.Superseded s : scan.superseded) {
            if (s.damage() != null) {
                Path moved = files.moveToBroken(s.path());
                damaged.add(s.describe() + "; moved aside as " + moved.getFileName());
            } else {
                files.delete(s.path());
                deleted.add(s.path());
            }
        }
        files.syncDirectory();
        SupersededSegments report = new SupersededSegments(coveredThroughLsn, damaged, deleted,
                scan.firstKeptLsn(coveredThroughLsn));
        LOG.warn(report.message());
        return report;
    }

    /** Opens {@code dir} with the default options. */
    public static Wal open(Path dir) throws IOException {
        return open(dir, WalOptions.defaults());
    }

    // ------------------------------------------------------------------------------------------- append

    /**
     * Appends one record: copies {@code length} bytes of {@code src} from {@code offset} and assigns the
     * next LSN. Never does I/O; waits only when the buffers are full (back-pressure).
     *
     * @return the record's LSN, one more than the previous record's
     * @throws WalFailedException       when the log failed or is closed
     * @throws IllegalArgumentException when the payload is above the maximum
     */
    public long append(DirectBuffer src, int offset, int length) {
        return append(src, null, null, offset, length);
    }

    /** Appends {@code payload} (copied). */
    public long append(byte[] payload) {
        return append(null, payload, null, 0, payload.length);
    }

    /** Appends {@code length} bytes of {@code payload} from {@code offset} (copied). */
    public long append(byte[] payload, int offset, int length) {
        return append(null, payload, null, offset, length);
    }

    /** Appends the remaining bytes of {@code payload} (copied; the buffer's position is not moved). */
    public long append(ByteBuffer payload) {
        return append(null, null, payload, payload.position(), payload.remaining());
    }

    private long append(DirectBuffer direct, byte[] array, ByteBuffer nio, int offset, int length) {
        if (length < 0 || length > maxPayload) {
            throw new IllegalArgumentException("record of " + length + " bytes is above the WAL's maximum"
                    + " payload of " + maxPayload + " bytes");
        }
        int recordLength = (int) WalFormat.paddedLength(length);
        boolean oversized = recordLength > oversizedThreshold;
        // Allocated before anything changes, so running out of memory here leaves the log as it was.
        ByteBuffer big = oversized ? ByteBuffer.allocate(recordLength).order(WalFormat.BYTE_ORDER) : null;
        final ReentrantLock lock = appendLock;
        lock.lock();
        try {
            checkAccepting();
            while (oversized
                    ? (active.oversizedBytes > 0 && active.oversizedBytes + recordLength > oversizedBacklog)
                      || active.remaining() < active.bytesFor(0)
                    : active.remaining() < active.bytesFor(recordLength)) {
                awaitSpace();
            }
            long lsn = nextLsn;
            Batch b = active;
            int inSegment = b.bytesFor(recordLength);
            if (appendSegmentPos + inSegment > segmentBytes && appendSegmentPos > WalFormat.HEADER_LENGTH) {
                b.marks.add(new Batch.Mark(b.limit, lsn, null));
                appendSegmentPos = WalFormat.HEADER_LENGTH;
            }
            if (b.markAt < 0) {
                b.markAt = b.limit;
                b.limit += WalFormat.MARK_LENGTH;
                appendSegmentPos += WalFormat.MARK_LENGTH;
            }
            if (oversized) {
                encode(big, big.duplicate(), 0, direct, array, nio, offset, length, lsn);
                b.marks.add(new Batch.Mark(b.limit, 0, big));
                b.oversizedBytes += recordLength;
            } else {
                encode(b.buf, b.crcView, b.limit, direct, array, nio, offset, length, lsn);
                b.limit += recordLength;
            }
            b.lastLsn = lsn;
            nextLsn = lsn + 1;
            appendSegmentPos += recordLength;
            appendSeq = appendSeq + 1;
            if (b.limit > oversizedThreshold || b.oversizedBytes > 0) {
                requestWrite();
            }
            return lsn;
        } finally {
            lock.unlock();
        }
    }

    private void encode(ByteBuffer dst, ByteBuffer crcView, int at, DirectBuffer direct, byte[] array,
                        ByteBuffer nio, int offset, int length, long lsn) {
        dst.putInt(at + WalFormat.LENGTH_OFFSET, WalFormat.RECORD_HEADER_LENGTH + length);
        dst.putLong(at + WalFormat.LSN_OFFSET, lsn);
        int payloadAt = at + WalFormat.PAYLOAD_OFFSET;
        if (direct != null) {
            direct.getBytes(offset, dst, payloadAt, length);
        } else if (array != null) {
            dst.put(payloadAt, array, offset, length);
        } else {
            dst.put(payloadAt, nio, offset, length);
        }
        int end = at + (int) WalFormat.paddedLength(length);
        for (int i = payloadAt + length; i < end; i++) {
            dst.put(i, (byte) 0);
        }
        dst.putInt(at + WalFormat.CRC_OFFSET, WalFormat.recordCrc(appendCrc, crcView, at, length));
    }

    private void checkAccepting() {
        WalFailedException f = failure;
        if (f != null) {
            throw new WalFailedException(f.getMessage(), f);
        }
        if (closing) {
            throw new WalFailedException("IOERR write-ahead log is closed");
        }
    }

    /** Called with appendLock held: both buffers are full, wait for the writer to take one. */
    private void awaitSpace() {
        requestWrite();
        try {
            spaceFreed.awaitNanos(WAIT_SLICE_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WalFailedException("IOERR interrupted while waiting for WAL buffer space");
        }
        checkAccepting();
    }

    /** The writer thread writes whatever is pending when it wakes. */
    private void requestWrite() {
        wakeWriter();
    }

    private void wakeWriter() {
        if (writerParked) {
            writerParked = false;
            LockSupport.unpark(writer);
        }
    }

    private boolean hasPending() {
        return appendSeq != takenSeq;
    }

    // -------------------------------------------------------------------------------------------- flush

    /**
     * Marks the end of a batch of appends (a network read): gets everything buffered written. With
     * {@code always} this wakes the writer thread, or with {@link WalOptions#syncOnFlush()} writes and fsyncs
     * the batch on the calling thread (waiting for the disk) unless the writer is busy with an earlier batch;
     * with {@code everysec}/{@code no} the calling thread writes the batch itself (a write to the page cache,
     * no fsync) unless another thread is writing, which then writes it too.
     */
    public void flush() {
        if (policy == FsyncPolicy.ALWAYS) {
            if (!hasPending()) {
                return;
            }
            // A busy writer takes this batch as soon as its fsync returns; waiting for the lock would
            // only stall the caller behind that fsync.
            if (syncOnFlush && ioLock.tryLock()) {
                try {
                    writeOnce(true);
                } finally {
                    ioLock.unlock();
                }
            } else {
                wakeWriter();
            }
            return;
        }
        flushRequested = true;
        if (ioLock.tryLock()) {
            try {
                flushRequested = false;
                writeOnce(false);
            } finally {
                unlockIo();
            }
        }
    }

    /**
     * Releases ioLock; then, for everysec/no, writes what a {@link #flush()} asked for while the lock was
     * held (that caller did not wait), unless someone else holds the lock again and will do it.
     */
    private void unlockIo() {
        ioLock.unlock();
        if (policy == FsyncPolicy.ALWAYS) {
            return;
        }
        while (flushRequested && hasPending() && failure == null && ioLock.tryLock()) {
            try {
                flushRequested = false;
                writeOnce(false);
            } finally {
                ioLock.unlock();
            }
        }
    }

    /** With ioLock held: swaps the active batch out, writes it, fsyncs if asked, publishes, completes. */
    private boolean writeOnce(boolean force) {
        Batch b;
        appendLock.lock();
        try {
            if (active.isEmpty()) {
                takenSeq = appendSeq;
                return false;
            }
            b = active;
            active = spare;
            spare = null;
            takenSeq = appendSeq;
            spaceFreed.signalAll();
        } finally {
            appendLock.unlock();
        }
        long last = b.lastLsn;
        long written = b.limit + b.oversizedBytes;
        long sealedBefore = segmentWriter.sealedLsn();
        try {
            segmentWriter.write(b, syncedLsn);
            if (force && last > 0) {
                segmentWriter.force();
                markDurable(last);
            }
        } catch (StepException e) {
            fail(e);
            return true;
        } catch (Throwable t) {
            // Out of memory, say: the batch's LSNs are handed out but not written, so nothing after them may
            // be written or reported durable (a later batch would land where this one belongs).
            fail(new StepException("writing a batch to " + dir, t));
            return true;
        } finally {
            b.clear();
            spare = b;
        }
        batches = batches + 1;
        bytesWritten = bytesWritten + written;
        if (last > 0) {
            long records = last - writtenLsn;
            if (records > 0) {
                batchRecordsTotal = batchRecordsTotal + records;
                batchRecords.incrementAndGet(Math.min(WalStats.BATCH_BUCKETS - 1,
                        63 - Long.numberOfLeadingZeros(records)));
            }
            writtenLsn = last;
            if (force) {
                advanceSynced(last);
            }
        }
        long sealed = segmentWriter.sealedLsn();
        if (sealed != sealedBefore) {
            // A roll fsynced the sealed segment: everything up to it is durable.
            advanceSynced(sealed);
            // Only now, with the whole batch counted as written: roll() returns as soon as it sees this, and
            // its caller reads up to it right away.
            sealedLsn = sealed;
            synchronized (rollMonitor) {
                rollMonitor.notifyAll();
            }
        }
        if (last > 0 || sealed != sealedBefore) {
            waiters.complete(durableLsn());
        }
        return true;
    }

    // --------------------------------------------------------------------------------------- durability

    /** The last LSN durable per the policy: fsynced for {@code always}, written for the others. */
    public long durableLsn() {
        return policy == FsyncPolicy.ALWAYS ? syncedLsn : writtenLsn;
    }

    /**
     * Tells {@code listener} once {@code lsn} is durable per the policy, or that the log failed first.
     * Runs the listener at once on this thread if the answer is known (an LSN of 0 counts as durable);
     * otherwise later on the thread that wrote or fsynced it: the listener must only hand off. Does not
     * by itself get the record written: call {@link #flush()} at the end of the batch.
     */
    public void whenDurable(long lsn, DurabilityListener listener) {
        if (lsn <= durableLsn()) {
            listener.onDurable();
            return;
        }
        WalFailedException f = failure;
        if (f != null) {
            listener.onFailure(f.getMessage());
            return;
        }
        waiters.add(lsn, listener);
        // The writer may have published between the checks above and the add: settle it here.
        f = failure;
        if (f != null) {
            waiters.failAll(f.getMessage());
        } else if (lsn <= durableLsn()) {
            waiters.complete(durableLsn());
        }
    }

    /**
     * A future completed with {@code lsn} once it is durable, or exceptionally with the
     * {@link WalFailedException} that failed the log. Convenience (it allocates); same rules as
     * {@link #whenDurable}.
     */
    public CompletableFuture<Long> durable(long lsn) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        whenDurable(lsn, new DurabilityListener() {
            @Override
            public void onDurable() {
                f.complete(lsn);
            }

            @Override
            public void onFailure(String message) {
                WalFailedException cause = failure;
                f.completeExceptionally(cause != null ? new WalFailedException(message, cause)
                        : new WalFailedException(message));
            }
        });
        return f;
    }

    /**
     * Writes and fsyncs everything appended so far, whatever the policy, and waits for it (for a shutdown,
     * a snapshot, a test).
     *
     * @throws WalFailedException when the log failed
     */
    public void sync() {
        long target;
        appendLock.lock();
        try {
            target = nextLsn - 1;
        } finally {
            appendLock.unlock();
        }
        if (policy == FsyncPolicy.ALWAYS) {
            wakeWriter();
            waitFor(target);
            return;
        }
        ioLock.lock();
        try {
            while (failure == null && hasPending()) {
                writeOnce(false);
            }
        } finally {
            unlockIo();
        }
        syncNow();
        checkFailed();
    }

    private void waitFor(long target) {
        try {
            durable(target).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WalFailedException("IOERR interrupted while waiting for the WAL");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof WalFailedException w) {
                throw w;
            }
            throw new WalFailedException("IOERR " + e.getCause(), e.getCause());
        }
    }

    private void checkFailed() {
        WalFailedException f = failure;
        if (f != null) {
            throw new WalFailedException(f.getMessage(), f);
        }
    }

    /** fsyncs the current segment if something written is not yet synced (everysec, sync, close). */
    private void syncNow() {
        if (failure != null) {
            return;
        }
        // Safe without the I/O lock: records up to `target` are in the current segment or in sealed
        // (already fsynced) ones, and force() and rolls exclude each other.
        long target = writtenLsn;
        if (target <= syncedLsn) {
            return;
        }
        try {
            segmentWriter.force();
        } catch (StepException e) {
            fail(e);
            return;
        } catch (Throwable t) {
            fail(new StepException("fsync of the current segment in " + dir, t));
            return;
        }
        ioLock.lock();
        try {
            markDurable(target);
        } finally {
            ioLock.unlock();
        }
        advanceSynced(target);
    }

    /**
     * With ioLock held, right after an fsync that made {@code lsn} durable: writes a durability mark where the
     * next batch will start (no fsync), which later tells damage to these records from a torn write. It is
     * only evidence, never needed to read the log, so failing to write it (a full disk) does not fail the log:
     * the records stay as durable as the fsync made them, and later damage to them may read as a torn tail.
     */
    private void markDurable(long lsn) {
        try {
            segmentWriter.writeMark(lsn);
        } catch (StepException e) {
            long now = System.nanoTime();
            if (markFailureLogged == 0 || now - markFailureLogged > TimeUnit.MINUTES.toNanos(1)) {
                markFailureLogged = now;
                LOG.warn("could not write a durability mark after an fsync ({}); the log goes on, but damage to the"
                        + " records before it could later read as a torn write (warned at most once a minute)",
                        e.getMessage());
            }
        }
    }

    /** syncedLsn only grows; it is advanced by the writing thread and by the background fsync. */
    private void advanceSynced(long lsn) {
        synchronized (syncedMonitor) {
            if (lsn > syncedLsn) {
                syncedLsn = lsn;
            }
        }
    }

    private void fail(StepException e) {
        failWith("IOERR write-ahead log failed: " + e.getMessage() + "; writes are refused until restart",
                e.getMessage(), e, "write-ahead log failed");
    }

    /**
     * Fails the log as a failed write or fsync does, for a reason outside it: a caller whose own state no
     * longer matches the log (a record it appended that it then could not apply) must stop writes until a
     * restart rebuilds that state from the log. From now on {@link #append} and {@link #roll} throw
     * {@link WalFailedException} with {@code IOERR <reason>; writes are refused until restart}, waiting
     * listeners get that message, nothing more is written, and {@link WalStats#lastStatus()} is
     * {@code reason}. Does nothing if the log has already failed: the first failure stays.
     *
     * @param reason one line, fit for a client, without a code word
     * @param cause  what went wrong, for the log; may be null
     * @return the failure in force: this one, or the one that came first
     */
    public WalFailedException fail(String reason, Throwable cause) {
        failWith("IOERR " + reason + "; writes are refused until restart", reason, cause, "writes stopped");
        return failure;
    }

    private void failWith(String message, String newStatus, Throwable cause, String what) {
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = new WalFailedException(message, cause);
            status = newStatus;
        }
        LOG.error(what + ", refusing writes until restart: {}", newStatus, cause);
        appendLock.lock();
        try {
            active.clear();
            takenSeq = appendSeq;
            spaceFreed.signalAll();
        } finally {
            appendLock.unlock();
        }
        waiters.failAll(message);
        synchronized (rollMonitor) {
            rollMonitor.notifyAll();
        }
    }

    // ------------------------------------------------------------------------------------- writer thread

    private void runWriter() {
        try {
            writerLoop();
        } catch (Throwable t) {
            // Whatever stops this thread stops the log with it: nothing may wait for a writer that is gone.
            fail(new StepException("the WAL writer thread of " + dir, t));
        }
    }

    private void writerLoop() {
        long nextSync = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.syncIntervalMillis());
        long flushDelay = TimeUnit.MILLISECONDS.toNanos(options.flushDelayMillis());
        long cohort = 0;
        long lastForceNanos = 0;
        while (true) {
            boolean worked = false;
            if (failure == null && hasPending()) {
                if (policy == FsyncPolicy.ALWAYS) {
                    awaitCohort(cohort, lastForceNanos);
                    long writtenBefore = writtenLsn;
                    long t0 = System.nanoTime();
                    ioLock.lock();
                    try {
                        worked = writeOnce(true);
                    } finally {
                        ioLock.unlock();
                    }
                    lastForceNanos = System.nanoTime() - t0;
                    cohort = writtenLsn - writtenBefore;
                } else {
                    ioLock.lock();
                    try {
                        flushRequested = false;
                        worked = writeOnce(false);
                    } finally {
                        unlockIo();
                    }
                }
            }
            long now = System.nanoTime();
            if (policy == FsyncPolicy.EVERYSEC && now - nextSync >= 0) {
                syncNow();
                nextSync = now + TimeUnit.MILLISECONDS.toNanos(options.syncIntervalMillis());
            }
            if (stopping && (!hasPending() || failure != null)) {
                return;
            }
            if (!worked) {
                long timeout = flushDelay;
                if (policy == FsyncPolicy.EVERYSEC) {
                    timeout = Math.max(1, Math.min(timeout, nextSync - now));
                }
                writerParked = true;
                if (!hasPending() && !stopping) {
                    LockSupport.parkNanos(this, timeout);
                }
                writerParked = false;
            }
        }
    }

    /**
     * Group commit as a single-threaded server gets it for free: the writers released by the last fsync
     * usually send their next record within a round trip, so before the next fsync wait until about as many
     * records as the last batch held are buffered — for at most half the last fsync's time (and 1 ms), so a
     * cohort that does not come back costs little. With one writer the cohort is 1: no wait at all.
     */
    private void awaitCohort(long cohort, long lastForceNanos) {
        if (cohort <= 1) {
            return;
        }
        long deadline = System.nanoTime() + Math.min(lastForceNanos / 2, MAX_COHORT_WAIT_NANOS);
        while (appendSeq - takenSeq < cohort && failure == null && !stopping) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(this, Math.min(left, 50_000));
        }
    }

    // ----------------------------------------------------------------------------------------- retention

    /**
     * Seals the current segment, so that every record appended so far is in a sealed segment (written
     * and fsynced), and starts a new one; does nothing if the current segment holds no record. Blocks
     * until done: until the batch that sealed it is written to the end and published, not merely until the
     * segment writer has sealed (it does that in the middle of a batch).
     *
     * @return the last LSN in sealed segments (0 if none): everything up to it can be read and folded at
     * once, {@code reader(base + 1, sealed)}
     * @throws WalFailedException when the log failed
     */
    public long roll() {
        long target;
        appendLock.lock();
        try {
            checkAccepting();
            if (appendSegmentPos > WalFormat.HEADER_LENGTH) {
                active.marks.add(new Batch.Mark(active.limit, nextLsn, null));
                appendSegmentPos = WalFormat.HEADER_LENGTH;
                appendSeq = appendSeq + 1;
            }
            target = nextLsn - 1;
        } finally {
            appendLock.unlock();
        }
        while (sealedLsn < target) {
            checkFailed();
            if (policy == FsyncPolicy.ALWAYS) {
                wakeWriter();
            } else {
                ioLock.lock();
                try {
                    writeOnce(false);
                } finally {
                    unlockIo();
                }
            }
            synchronized (rollMonitor) {
                if (sealedLsn < target && failure == null) {
                    try {
                        rollMonitor.wait(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new WalFailedException("IOERR interrupted while rolling the WAL");
                    }
                }
            }
        }
        checkFailed();
        return target;
    }

    /**
     * Deletes whole segments whose records are all below {@code lsn} (oldest first, fsyncing the directory
     * after each), never the segment being written and never one an open reader still needs: those go in
     * a later call.
     *
     * @return the number of segments deleted
     */
    public int dropBelow(long lsn) throws IOException {
        return segments.dropBelow(lsn);
    }

    // ------------------------------------------------------------------------------------------- reading

    /** Reads from {@code fromLsn} up to the last record written when this is called. */
    public WalReader reader(long fromLsn) {
        return reader(fromLsn, writtenLsn);
    }

    /**
     * Reads records {@code fromLsn..toLsn} (both inclusive; {@code toLsn} at most the written LSN, as what
     * {@link #roll()} returned always is). While the reader is open, {@link #dropBelow} keeps the segments it
     * still needs.
     *
     * @throws IllegalArgumentException when {@code fromLsn} is below the oldest record still kept
     */
    public WalReader reader(long fromLsn, long toLsn) {
        long written = writtenLsn;
        if (toLsn > written) {
            throw new IllegalArgumentException("cannot read to LSN " + toLsn + ": only LSNs up to " + written
                    + " are written");
        }
        WalReader[] self = new WalReader[1];
        WalReader r = new WalReader(storage, dir, maxPayload, segments, fromLsn, toLsn, true,
                () -> segments.unregister(self[0]));
        self[0] = r;
        segments.register(r, fromLsn, toLsn);
        return r;
    }

    // ------------------------------------------------------------------------------------------- queries

    /** The last LSN handed out by {@link #append} (one below the first LSN when none yet). */
    public long lastLsn() {
        appendLock.lock();
        try {
            return nextLsn - 1;
        } finally {
            appendLock.unlock();
        }
    }

    /** The last LSN written to the operating system. */
    public long writtenLsn() {
        return writtenLsn;
    }

    /**
     * What the segment files hold after {@code lsn} (a snapshot's base LSN): bytes of records written, and
     * when the first segment holding them was made. Compaction's size and age triggers, read from the files
     * so that a restart does not reset them.
     */
    public Backlog backlogAfter(long lsn) {
        return segments.backlogAfter(lsn, writtenLsn);
    }

    /** The first LSN of the oldest segment. */
    public long firstLsn() {
        return segments.firstLsn();
    }

    public Path dir() {
        return dir;
    }

    public WalOptions options() {
        return options;
    }

    /** What opening did about a torn tail, or null if the log ended cleanly. */
    public TailRepair tailRepair() {
        return tailRepair;
    }

    /** What opening set aside because a snapshot already covers it, or null if nothing. */
    public SupersededSegments superseded() {
        return superseded;
    }

    /** The error that failed the log, or null. */
    public WalFailedException failure() {
        return failure;
    }

    private long[] batchHistogram() {
        long[] h = new long[WalStats.BATCH_BUCKETS];
        for (int i = 0; i < h.length; i++) {
            h[i] = batchRecords.get(i);
        }
        return h;
    }

    /** Tells {@code listener} the duration of every fsync of the log from now on; null stops telling. */
    public void setFsyncListener(FsyncListener listener) {
        fsyncStats.listener(listener);
    }

    public WalStats stats() {
        long bytes = segments.bytes();
        int count = segments.count();
        long first = segments.firstLsn();
        long[] h = fsyncStats.histogram();
        long last;
        appendLock.lock();
        try {
            last = nextLsn - 1;
        } finally {
            appendLock.unlock();
        }
        return new WalStats(policy, bytes, count, first, last, writtenLsn, durableLsn(), syncedLsn, batches,
                fsyncStats.count(), fsyncStats.lastMicros(), FsyncStats.percentileMicros(h, 0.50),
                FsyncStats.percentileMicros(h, 0.99), fsyncStats.maxMicros(), fsyncStats.slowCount(), h,
                status, policy == FsyncPolicy.ALWAYS && syncOnFlush ? "caller" : "writer", bytesWritten, batchHistogram(),
                fsyncStats.totalNanos(), batchRecordsTotal);
    }

    // ------------------------------------------------------------------------------------------- closing

    /**
     * Stops accepting records, writes and fsyncs everything appended (whatever the policy), stops the
     * threads and closes the files. Listeners still waiting are told their outcome.
     */
    @Override
    public void close() throws IOException {
        appendLock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
        } finally {
            appendLock.unlock();
        }
        stopping = true;
        LockSupport.unpark(writer);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ioLock.lock();
        try {
            while (failure == null && hasPending()) {
                writeOnce(false);
            }
            syncNow();
            if (failure == null) {
                markDurable(syncedLsn);
                try {
                    segmentWriter.force();
                } catch (StepException e) {
                    // Everything else is fsynced already; without the mark, damage to the last batch would only
                    // read as a torn tail later.
                    LOG.warn("could not fsync the closing durability mark: {}", e.getMessage());
                }
            }
        } finally {
            ioLock.unlock();
        }
        waiters.complete(durableLsn());
        preallocator.close();
        segmentWriter.close();
        WalFailedException f = failure;
        waiters.failAll(f == null ? "IOERR write-ahead log is closed" : f.getMessage());
    }
}
