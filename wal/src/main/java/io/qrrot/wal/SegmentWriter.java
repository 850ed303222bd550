package io.qrrot.wal;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.agrona.BufferUtil;

/**
 * Writes batches into the current segment, rolls to a new segment where a batch says so, and fsyncs.
 *
 * <p>Single writer: {@link #write} and {@link #close} are called by one thread at a time (the holder of
 * the log's I/O lock). {@link #force} may also be called by the background fsync thread; fsyncs and
 * rolls hold {@code syncLock}, so an fsync never meets a half-rolled or closed segment.
 */
final class SegmentWriter implements AutoCloseable {
    /** Size of the direct buffer oversized records are staged through. */
    private static final int STAGING_BYTES = 256 << 10;

    private final SegmentFiles files;
    private final SegmentSet segments;
    private final Preallocator preallocator;
    private final FsyncStats fsyncStats;
    private final WalOptions options;
    private final ReentrantLock syncLock = new ReentrantLock();
    /**
     * Oversized records are heap buffers; writing one directly would make the JDK allocate a temporary
     * direct buffer on the write path, which fails when direct memory is short. They are copied through this
     * buffer, allocated once with the log.
     */
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);
    private final ByteBuffer markBuf = ByteBuffer.allocateDirect(WalFormat.MARK_LENGTH).order(WalFormat.BYTE_ORDER);
    private final ByteBuffer markView = markBuf.duplicate();
    private final CRC32C markCrc = new CRC32C();

    private StorageFile current;
    private Path currentPath;
    /** The mark salt of the current segment. */
    private long currentSalt;
    /** What the mark of the batch being written states. */
    private long batchDurableLsn;
    private SegmentSet.Info currentInfo;
    private long writePos;
    /**
     * The last LSN of the newest sealed segment. It moves in the middle of {@link #write}, before the rest of
     * the batch is written, so it is only for the writing thread: {@link Wal} publishes its own copy for
     * {@link Wal#roll()} once the whole batch counts as written.
     */
    private long sealedLsn;

    private SegmentWriter(SegmentFiles files, SegmentSet segments, Preallocator preallocator, FsyncStats fsyncStats,
                          WalOptions options) {
        this.files = files;
        this.segments = segments;
        this.preallocator = preallocator;
        this.fsyncStats = fsyncStats;
        this.options = options;
    }

    /**
     * Continues the log a scan found (its last segment, after any repair) or, for an empty directory,
     * creates the first segment (preallocated unless preallocation is off).
     */
    static SegmentWriter open(SegmentFiles files, SegmentSet segments, Preallocator preallocator,
                              FsyncStats fsyncStats, WalOptions options, LogScan scan) throws IOException {
        SegmentWriter w = new SegmentWriter(files, segments, preallocator, fsyncStats, options);
        try {
            w.start(scan);
            return w;
        } catch (IOException | RuntimeException | Error e) {
            w.releaseBuffers();
            throw e;
        }
    }

    private void start(LogScan scan) throws IOException {
        if (scan.segments.isEmpty()) {
            long first = options.firstLsn();
            current = createSegment(first);
            currentPath = files.segmentPath(first);
            sealedLsn = first - 1;
            return;
        }
        for (LogScan.Segment s : scan.segments) {
            segments.add(new SegmentSet.Info(s.path, s.firstLsn, s.createdAtMillis, s.fileSize));
        }
        LogScan.Segment last = scan.segments.get(scan.segments.size() - 1);
        Path path = last.path;
        StorageFile f = StepException.run("open of " + path, () -> files.storage().open(path, Storage.OpenMode.WRITE));
        try {
            // What a killed process left in the page cache is made durable before anything is built on it.
            StepException.exec("fsync of " + path, f::force);
            currentInfo = segments.get(last.firstLsn);
            currentInfo.size = StepException.run("size of " + path, f::size);
        } catch (IOException e) {
            SegmentFiles.closeQuietly(f);
            throw e;
        }
        current = f;
        currentPath = path;
        currentSalt = last.markSalt;
        writePos = last.dataEnd;
        currentInfo.end = writePos;
        sealedLsn = last.firstLsn - 1;
        if (last.version < WalFormat.VERSION || last.fileSize < last.preallocatedSize) {
            startNewSegment(last);
        }
    }

    /**
     * The last segment must not be written on: it is in an older format, whose readers know no durability
     * marks, or it is shorter than it was preallocated (a segment sealed by a roll that never finished, or cut
     * by {@code wal check --fix}), so that any later torn write in it would read as a file cut short. It is
     * sealed as it is and the log goes on in a new segment, or, holding no record, it is replaced by one.
     */
    private void startNewSegment(LogScan.Segment last) throws StepException {
        if (last.records > 0) {
            rollTo(last.lastLsn + 1);
            return;
        }
        syncLock.lock();
        try {
            SegmentFiles.closeQuietly(current);
            current = null;
            try {
                // Installed under the same name: the rename replaces the old file in one step.
                current = createSegment(last.firstLsn);
            } catch (StepException e) {
                throw e;
            } catch (IOException e) {
                throw new StepException("replacing " + currentPath, e);
            }
        } finally {
            syncLock.unlock();
        }
    }

    /** Installs the segment for {@code firstLsn} (the preallocated file if ready) and makes it current. */
    private StorageFile createSegment(long firstLsn) throws IOException {
        Preallocator.Prepared p = currentInfo == null ? preallocator.prepareNow() : preallocator.take();
        long createdAt = options.wallClock().getAsLong();
        long segmentBytes = options.segmentBytes();
        long size = p != null ? Math.max(segmentBytes, WalFormat.HEADER_LENGTH) : WalFormat.HEADER_LENGTH;
        long salt = ThreadLocalRandom.current().nextLong();
        StorageFile f = p != null ? files.install(p.file(), p.path(), firstLsn, createdAt, size, salt)
                : files.create(firstLsn, createdAt, salt);
        currentSalt = salt;
        currentInfo = new SegmentSet.Info(files.segmentPath(firstLsn), firstLsn, createdAt, size);
        writePos = WalFormat.HEADER_LENGTH;
        currentInfo.end = writePos;
        segments.add(currentInfo);
        return f;
    }

    long sealedLsn() {
        return sealedLsn;
    }

    /** Offset of the next byte in the current segment. */
    long position() {
        return writePos;
    }

    /**
     * Writes a batch in order: its byte ranges, rolls and oversized records. Its durability mark is filled in
     * on the way, stating {@code durableLsn}, with the salt of the segment it lands in.
     */
    void write(Batch b, long durableLsn) throws StepException {
        batchDurableLsn = durableLsn;
        int cursor = 0;
        List<Batch.Mark> marks = b.marks;
        for (int i = 0, n = marks.size(); i < n; i++) {
            Batch.Mark m = marks.get(i);
            writeRange(b, cursor, m.at());
            cursor = m.at();
            if (m.rollToLsn() > 0) {
                rollTo(m.rollToLsn());
            } else {
                writeOversized(m.oversized());
            }
        }
        writeRange(b, cursor, b.limit);
        if (writePos > currentInfo.size) {
            currentInfo.size = writePos;
        }
        currentInfo.end = writePos;
    }

    private void writeRange(Batch b, int from, int to) throws StepException {
        if (to <= from) {
            return;
        }
        if (b.markAt >= from && b.markAt < to) {
            WalFormat.encodeMark(markCrc, b.buf, b.crcView, b.markAt, batchDurableLsn, currentSalt);
        }
        ByteBuffer v = b.writeView;
        v.clear();
        v.position(from).limit(to);
        try {
            current.write(v, writePos);
        } catch (IOException e) {
            throw new StepException("write of " + currentPath, e);
        }
        writePos += to - from;
    }

    private void writeOversized(ByteBuffer big) throws StepException {
        ByteBuffer v = big.duplicate();
        int total = big.capacity();
        for (int pos = 0; pos < total; pos += STAGING_BYTES) {
            v.clear();
            v.position(pos).limit(Math.min(total, pos + STAGING_BYTES));
            staging.clear();
            staging.put(v).flip();
            try {
                current.write(staging, writePos + pos);
            } catch (IOException e) {
                throw new StepException("write of " + currentPath, e);
            }
        }
        writePos += total;
    }

    /**
     * Writes a durability mark at the write position without moving it: the next batch starts over it with
     * its own mark. Written right after an fsync (and at a clean close), it is what shows later that the
     * batch before it reached the disk, so that damage found there is corruption and not a torn write: a
     * mark written after the fsync returned cannot be on disk unless the fsync was.
     */
    void writeMark(long durableLsn) throws StepException {
        if (current == null) {
            return;
        }
        WalFormat.encodeMark(markCrc, markBuf, markView, 0, durableLsn, currentSalt);
        markBuf.clear();
        try {
            current.write(markBuf, writePos);
        } catch (IOException e) {
            throw new StepException("write of " + currentPath, e);
        }
    }

    /** fsyncs the current segment (every earlier segment was fsynced when it was sealed). */
    void force() throws StepException {
        syncLock.lock();
        try {
            if (current == null) {
                throw new StepException("fsync of " + currentPath, new IOException("segment is closed"));
            }
            long t0 = System.nanoTime();
            try {
                current.force();
            } catch (IOException e) {
                throw new StepException("fsync of " + currentPath, e);
            }
            fsyncStats.record(System.nanoTime() - t0, currentPath);
        } finally {
            syncLock.unlock();
        }
    }

    /** Seals the current segment (cut to its data, fsynced) and starts the one for {@code firstLsn}. */
    private void rollTo(long firstLsn) throws StepException {
        syncLock.lock();
        try {
            long t0 = System.nanoTime();
            StorageFile old = current;
            current = null;
            try {
                files.seal(old, currentPath, writePos);
            } catch (StepException e) {
                SegmentFiles.closeQuietly(old);
                throw e;
            } catch (IOException e) {
                throw new StepException("sealing " + currentPath, e);
            }
            fsyncStats.record(System.nanoTime() - t0, currentPath);
            currentInfo.size = writePos;
            currentInfo.end = writePos;
            try {
                current = createSegment(firstLsn);
            } catch (StepException e) {
                throw e;
            } catch (IOException e) {
                throw new StepException("creating " + files.segmentPath(firstLsn), e);
            }
            currentPath = files.segmentPath(firstLsn);
            sealedLsn = firstLsn - 1;
        } finally {
            syncLock.unlock();
        }
        preallocator.request();
    }

    @Override
    public void close() throws IOException {
        syncLock.lock();
        try {
            if (current != null) {
                current.close();
                current = null;
            }
        } finally {
            syncLock.unlock();
            releaseBuffers();
        }
    }

    private void releaseBuffers() {
        BufferUtil.free(staging);
        BufferUtil.free(markBuf);
    }
}
