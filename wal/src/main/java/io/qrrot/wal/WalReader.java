package io.qrrot.wal;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A cursor over the log in LSN order, from a given LSN. Every record's CRC and LSN are checked as it is
 * read; damage throws {@link WalCorruptionException}. The payload is a view into the read buffer (no
 * copy), valid until the next call to {@link #next()}. Not thread-safe; close it when done (an open reader
 * keeps {@link Wal#dropBelow} from deleting the segments it still needs).
 *
 * <pre>{@code
 * try (WalReader r = wal.reader(snapshotLsn + 1)) {
 *     while (r.next()) {
 *         apply(r.lsn(), r.payload());
 *     }
 * }
 * }</pre>
 */
public final class WalReader implements AutoCloseable {
    /** Where segments are: the live log's list, or a directory listing. */
    interface SegmentIndex {
        /** The segment holding {@code lsn}: the one with the greatest first LSN not above it. */
        Map.Entry<Long, Path> floor(long lsn);

        /** The segment after the one starting at {@code firstLsn}. */
        Map.Entry<Long, Path> higher(long firstLsn);
    }

    private final Storage storage;
    private final Path dir;
    private final int maxPayload;
    private final SegmentIndex index;
    private final long toLsn;
    private final boolean bounded;
    private final Runnable onClose;
    private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);

    private SegmentReader segment;
    private long segmentFirstLsn;
    /** The LSN the next call returns; volatile because {@link Wal#dropBelow} reads it. */
    private volatile long nextLsn;
    private long lsn;
    private long offset;
    private boolean closed;

    WalReader(Storage storage, Path dir, int maxPayload, SegmentIndex index, long fromLsn, long toLsn,
              boolean bounded, Runnable onClose) {
        this.storage = storage;
        this.dir = dir;
        this.maxPayload = maxPayload;
        this.index = index;
        this.nextLsn = fromLsn;
        this.toLsn = toLsn;
        this.bounded = bounded;
        this.onClose = onClose;
    }

    /**
     * Reads a log directory without opening it for writing (no repair): from {@code fromLsn} to the end.
     * A torn tail throws like corruption; open the log with {@link Wal#open} to repair it.
     */
    public static WalReader open(Path dir, long fromLsn) throws IOException {
        return open(FileStorage.INSTANCE, dir, fromLsn, WalOptions.defaults().maxPayloadBytes());
    }

    /** Like {@link #open(Path, long)} through {@code storage}, accepting payloads up to {@code maxPayload}. */
    public static WalReader open(Storage storage, Path dir, long fromLsn, int maxPayload) throws IOException {
        TreeMap<Long, Path> map = new TreeMap<>();
        for (Path p : LogScan.listSegments(storage, dir, null)) {
            map.put(WalFormat.parseSegmentName(p), p);
        }
        SegmentIndex idx = new SegmentIndex() {
            @Override
            public Map.Entry<Long, Path> floor(long l) {
                return map.floorEntry(l);
            }

            @Override
            public Map.Entry<Long, Path> higher(long firstLsn) {
                return map.higherEntry(firstLsn);
            }
        };
        return new WalReader(storage, dir, maxPayload, idx, fromLsn, Long.MAX_VALUE, false, null);
    }

    /** The LSN the next record will have; after the last record, one past it. */
    long position() {
        return nextLsn;
    }

    /**
     * Moves to the next record.
     *
     * @return false at the end (the reader's upper bound, or the end of the log)
     * @throws WalCorruptionException when a record is damaged or missing
     */
    public boolean next() throws IOException {
        if (closed || nextLsn > toLsn) {
            return false;
        }
        while (true) {
            if (segment == null && !openSegmentFor(nextLsn)) {
                return false;
            }
            SegmentReader.Step step = segment.next();
            if (step == SegmentReader.Step.RECORD) {
                if (segment.lsn() < nextLsn) {
                    continue; // skipping to the first LSN asked for
                }
                lsn = segment.lsn();
                offset = segment.recordOffset();
                payload.wrap(segment.buffer(), segment.payloadIndex(), segment.payloadLength());
                nextLsn = lsn + 1;
                return true;
            }
            if (step == SegmentReader.Step.PROBLEM) {
                throw new WalCorruptionException(dir, segment.path(), segment.recordOffset(), segment.detail(),
                        nextLsn);
            }
            // End of this segment: the next one must start exactly at the next LSN.
            long endOffset = segment.recordOffset();
            Path endPath = segment.path();
            if (segment.lastNonZeroEnd(endOffset) != endOffset) {
                throw new WalCorruptionException(dir, endPath, endOffset,
                        "record length 0 (end of data) followed by bytes that are not zero", nextLsn);
            }
            Map.Entry<Long, Path> after = index.higher(segmentFirstLsn);
            closeSegment();
            if (after == null) {
                if (bounded) {
                    throw new WalCorruptionException(dir, endPath, endOffset, "the log ends at LSN "
                            + (nextLsn - 1) + " but LSN " + nextLsn + " was written", nextLsn);
                }
                return false;
            }
            if (after.getKey() != nextLsn) {
                throw new WalCorruptionException(dir, after.getValue(), 0, "segment starts at LSN "
                        + after.getKey() + " but the previous segment ends at LSN " + (nextLsn - 1), nextLsn);
            }
        }
    }

    private boolean openSegmentFor(long wanted) throws IOException {
        Map.Entry<Long, Path> e = index.floor(wanted);
        if (e == null) {
            Map.Entry<Long, Path> first = index.higher(Long.MIN_VALUE);
            if (first == null && !bounded) {
                return false;
            }
            throw new IllegalArgumentException("LSN " + wanted + " is not in the log: "
                    + (first == null ? "the log is empty" : "its oldest record is LSN " + first.getKey()));
        }
        SegmentReader r = new SegmentReader(storage, e.getValue(), maxPayload);
        String problem;
        try {
            problem = r.readHeader(e.getKey());
        } catch (IOException ex) {
            r.close();
            throw ex;
        }
        if (problem != null) {
            r.close();
            throw new WalCorruptionException(dir, e.getValue(), 0, problem, wanted);
        }
        segment = r;
        segmentFirstLsn = e.getKey();
        return true;
    }

    private void closeSegment() throws IOException {
        if (segment != null) {
            SegmentReader s = segment;
            segment = null;
            payload.wrap(0, 0); // the segment frees its buffer: never leave a view of freed memory
            s.close();
        }
    }

    /** LSN of the current record. */
    public long lsn() {
        return lsn;
    }

    /** The current record's payload: a view valid until the next call to {@link #next()}. */
    public DirectBuffer payload() {
        return payload;
    }

    /** A copy of the current record's payload. */
    public byte[] payloadBytes() {
        byte[] out = new byte[payload.capacity()];
        payload.getBytes(0, out);
        return out;
    }

    /** The segment file of the current record. */
    public Path segment() {
        return segment == null ? null : segment.path();
    }

    /** Offset of the current record in its segment file. */
    public long offset() {
        return offset;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            closeSegment();
        } finally {
            if (onClose != null) {
                onClose.run();
            }
        }
    }
}
