package io.qrrot.wal;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.agrona.BufferUtil;

/**
 * Reads one segment file front to back and validates every record; says exactly what it found and where.
 * Durability marks are checked and skipped. It never judges
 * (torn tail or corruption is decided by {@link LogScan}, which knows whether this is the last segment),
 * but it can look past damage for what proves the damaged records were fsynced
 * ({@link #evidenceBeyond}). Not thread-safe.
 *
 * <p>Lengths are checked against the maximum payload and the file size before any buffer grows, so a
 * damaged length field cannot make it allocate.
 */
final class SegmentReader implements AutoCloseable {
    /** The outcome of {@link #next()}. */
    enum Step {
        /** A valid record: {@link #lsn()}, {@link #payloadIndex()}, {@link #payloadLength()}. */
        RECORD,
        /** A length of 0 at {@link #recordOffset()} (the end-of-data marker), or end of file exactly. */
        END,
        /** Something that is not a valid record at {@link #recordOffset()}: see {@link #problem()}. */
        PROBLEM
    }

    /** What is wrong with the bytes at {@link #recordOffset()}. */
    enum Problem {
        /** The record (header or body) runs past the end of the file. */
        INCOMPLETE,
        /** The length field is below the record header or above the maximum payload. */
        BAD_LENGTH,
        /** The stored CRC does not match the bytes. */
        CRC_MISMATCH,
        /** The CRC matches but the LSN is not the next one. */
        LSN_MISMATCH
    }

    private static final int DEFAULT_CHUNK = 1 << 20;
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0).order(WalFormat.BYTE_ORDER);

    private final StorageFile file;
    private final Path path;
    private final int maxPayload;
    private final CRC32C crc = new CRC32C();

    private ByteBuffer buf;
    private ByteBuffer crcView;
    private long bufStart;
    private int bufLen;
    private long fileSize;

    private long offset = WalFormat.HEADER_LENGTH;
    private long expectedLsn;

    private long recordOffset;
    private long lsn;
    private int payloadLength;
    private int payloadIndex;

    private Problem problem;
    private String detail;
    private boolean zeroSector;

    private int version;
    private long preallocatedSize;
    private long markSalt;
    private long createdAtMillis;
    private int damagedMarks;

    SegmentReader(Storage storage, Path path, int maxPayload) throws IOException {
        this(storage.open(path, Storage.OpenMode.READ), path, maxPayload, DEFAULT_CHUNK);
    }

    SegmentReader(StorageFile file, Path path, int maxPayload, int chunkBytes) throws IOException {
        this.file = file;
        this.path = path;
        this.maxPayload = maxPayload;
        this.fileSize = file.size();
        // Small files get a small buffer; ensure() grows it for a record that does not fit.
        allocate((int) Math.max(4096, Math.min(chunkBytes, WalFormat.align(fileSize))));
    }

    private void allocate(int capacity) {
        release();
        buf = ByteBuffer.allocateDirect(capacity).order(WalFormat.BYTE_ORDER);
        crcView = buf.duplicate();
        bufLen = 0;
        bufStart = 0;
    }

    Path path() {
        return path;
    }

    long fileSize() {
        return fileSize;
    }

    /**
     * Reads and checks the header against the first LSN the file name promises.
     *
     * @return null if the header is valid, else what is wrong with it
     */
    String readHeader(long firstLsnFromName) throws IOException {
        int n = ensure(0, WalFormat.HEADER_LENGTH);
        if (n < WalFormat.HEADER_LENGTH) {
            return "segment header incomplete: the file has " + fileSize + " bytes, a header needs "
                    + WalFormat.HEADER_LENGTH;
        }
        int base = index(0);
        long magic = buf.getLong(base + WalFormat.MAGIC_OFFSET);
        if (magic != WalFormat.MAGIC) {
            return "bad segment header: magic expected 0x" + Long.toHexString(WalFormat.MAGIC) + ", actual 0x"
                    + Long.toHexString(magic);
        }
        ByteBuffer header = buf.duplicate().position(base).limit(base + WalFormat.HEADER_LENGTH).slice()
                .order(WalFormat.BYTE_ORDER);
        int stored = header.getInt(WalFormat.HEADER_CRC_OFFSET);
        int computed = WalFormat.headerCrc(header);
        if (stored != computed) {
            return "segment header CRC32C mismatch: expected " + WalFormat.hex(stored) + ", actual "
                    + WalFormat.hex(computed);
        }
        int version = header.getInt(WalFormat.VERSION_OFFSET);
        if (version < WalFormat.MIN_VERSION || version > WalFormat.VERSION) {
            return "unsupported segment format version " + version + " (this build reads versions "
                    + WalFormat.MIN_VERSION + " to " + WalFormat.VERSION + ")";
        }
        int headerLength = header.getInt(WalFormat.HEADER_LENGTH_OFFSET);
        if (headerLength != WalFormat.HEADER_LENGTH) {
            return "bad segment header: header length expected " + WalFormat.HEADER_LENGTH + ", actual "
                    + headerLength;
        }
        long firstLsn = header.getLong(WalFormat.FIRST_LSN_OFFSET);
        if (firstLsn != firstLsnFromName) {
            return "segment header says first LSN " + firstLsn + " but the file name says "
                    + firstLsnFromName;
        }
        expectedLsn = firstLsn;
        offset = WalFormat.HEADER_LENGTH;
        this.version = version;
        this.preallocatedSize = version >= 2 ? header.getLong(WalFormat.PREALLOCATED_SIZE_OFFSET) : 0;
        this.markSalt = version >= 2 ? header.getLong(WalFormat.MARK_SALT_OFFSET) : 0;
        this.createdAtMillis = header.getLong(WalFormat.CREATED_AT_OFFSET);
        return null;
    }

    /** When the segment was made, epoch millis, as its header says (after {@link #readHeader}). */
    long createdAtMillis() {
        return createdAtMillis;
    }

    /** The salt this segment's durability marks are checked with (after {@link #readHeader}). */
    long markSalt() {
        return markSalt;
    }

    /** The segment's format version (after {@link #readHeader}). */
    int version() {
        return version;
    }

    /**
     * The length the file had, zero-filled, when it became a segment (0 when it grows as written, and for
     * version 1 files, which do not record it); a shorter file has lost its end.
     */
    long preallocatedSize() {
        return preallocatedSize;
    }

    /** Starts reading records at {@code fileOffset}, expecting {@code lsn} first (no header check). */
    void seek(long fileOffset, long lsn) {
        this.offset = fileOffset;
        this.expectedLsn = lsn;
    }

    /** The next record (marks are checked and skipped), or where and why reading stops. */
    Step next() throws IOException {
        Step step;
        do {
            step = nextEntry();
        } while (step == null);
        return step;
    }

    /** The next record, end or problem; null for a valid mark (read past it). */
    private Step nextEntry() throws IOException {
        problem = null;
        detail = null;
        zeroSector = false;
        recordOffset = offset;
        if (offset + WalFormat.RECORD_HEADER_LENGTH > fileSize && !refreshSize(offset + WalFormat.RECORD_HEADER_LENGTH)) {
            if (offset >= fileSize) {
                return Step.END;
            }
            if (lastNonZeroEnd(offset) == offset) {
                return Step.END;
            }
            return problem(Problem.INCOMPLETE, "incomplete record header: " + (fileSize - offset)
                    + " bytes before the end of the file");
        }
        ensure(offset, WalFormat.RECORD_HEADER_LENGTH);
        int base = index(offset);
        int field = buf.getInt(base + WalFormat.LENGTH_OFFSET);
        if (field == 0) {
            return Step.END;
        }
        long declared = Integer.toUnsignedLong(field);
        if (declared < WalFormat.RECORD_HEADER_LENGTH || declared - WalFormat.RECORD_HEADER_LENGTH > maxPayload) {
            return problem(Problem.BAD_LENGTH, "record length " + declared + " is not between "
                    + WalFormat.RECORD_HEADER_LENGTH + " and " + (WalFormat.RECORD_HEADER_LENGTH + (long) maxPayload));
        }
        int length = (int) (declared - WalFormat.RECORD_HEADER_LENGTH);
        long recordLength = WalFormat.paddedLength(length);
        if (offset + recordLength > fileSize && !refreshSize(offset + recordLength)) {
            return problem(Problem.INCOMPLETE, "incomplete record: length " + declared + " needs "
                    + recordLength + " bytes but the file ends " + (fileSize - offset) + " bytes after it");
        }
        ensure(offset, (int) recordLength);
        base = index(offset);
        int stored = buf.getInt(base + WalFormat.CRC_OFFSET);
        long recordLsn = buf.getLong(base + WalFormat.LSN_OFFSET);
        boolean markShaped = version >= 2 && recordLsn == WalFormat.MARK_LSN && length == WalFormat.MARK_PAYLOAD_LENGTH;
        int computed = markShaped ? WalFormat.markCrc(crc, crcView, base, markSalt)
                : WalFormat.recordCrc(crc, crcView, base, length);
        if (stored != computed) {
            zeroSector = hasZeroSector(offset, base, WalFormat.RECORD_HEADER_LENGTH + length);
            if (markShaped && damagedMarkOnly(offset + recordLength, zeroSector)) {
                // A damaged durability mark: it held no record, and the log goes on with the record it must.
                damagedMarks++;
                offset += recordLength;
                return null;
            }
            return problem(Problem.CRC_MISMATCH, "CRC32C mismatch: expected " + WalFormat.hex(stored)
                    + ", actual " + WalFormat.hex(computed));
        }
        if (markShaped) {
            long durable = buf.getLong(base + WalFormat.PAYLOAD_OFFSET);
            if (durable >= expectedLsn) {
                return problem(Problem.LSN_MISMATCH, "durability mark says LSN " + durable
                        + " was fsynced, but the log before it ends at LSN " + (expectedLsn - 1));
            }
            offset += recordLength;
            return null;
        }
        if (recordLsn != expectedLsn) {
            return problem(Problem.LSN_MISMATCH, "LSN out of sequence: expected " + expectedLsn + ", actual "
                    + recordLsn);
        }
        lsn = recordLsn;
        payloadLength = length;
        payloadIndex = base + WalFormat.PAYLOAD_OFFSET;
        offset += recordLength;
        expectedLsn++;
        return Step.RECORD;
    }

    private Step problem(Problem p, String text) {
        problem = p;
        detail = text;
        return Step.PROBLEM;
    }

    private boolean refreshSize(long needed) throws IOException {
        long size = file.size();
        if (size == fileSize) {
            return false;
        }
        fileSize = size;
        return needed <= size;
    }

    /**
     * Whether the damaged mark-shaped bytes ending at {@code pos} held no record: a valid record with exactly
     * the LSN expected next follows them, or (for bytes that are not a zeroed sector, which a torn write would
     * leave of a small record) nothing but zeros does. May move the read buffer.
     */
    private boolean damagedMarkOnly(long pos, boolean zeroed) throws IOException {
        if (validRecordAt(pos, expectedLsn)) {
            return true;
        }
        return !zeroed && zerosFrom(pos);
    }

    private boolean validRecordAt(long pos, long lsn) throws IOException {
        if (ensure(pos, WalFormat.RECORD_HEADER_LENGTH) < WalFormat.RECORD_HEADER_LENGTH) {
            return false;
        }
        int base = index(pos);
        long declared = Integer.toUnsignedLong(buf.getInt(base + WalFormat.LENGTH_OFFSET));
        if (buf.getLong(base + WalFormat.LSN_OFFSET) != lsn || declared < WalFormat.RECORD_HEADER_LENGTH
                || declared - WalFormat.RECORD_HEADER_LENGTH > maxPayload) {
            return false;
        }
        int length = (int) (declared - WalFormat.RECORD_HEADER_LENGTH);
        long padded = WalFormat.paddedLength(length);
        if (pos + padded > fileSize || ensure(pos, (int) padded) < padded) {
            return false;
        }
        base = index(pos);
        return buf.getInt(base + WalFormat.CRC_OFFSET) == WalFormat.recordCrc(crc, crcView, base, length);
    }

    /** True if every byte from {@code pos} to the end of the file is zero; stops at the first that is not. */
    private boolean zerosFrom(long pos) throws IOException {
        while (pos < fileSize) {
            int n = ensure(pos, (int) Math.min(buf.capacity(), fileSize - pos));
            if (n <= 0) {
                return true;
            }
            int base = index(pos);
            for (int i = 0; i < n; i++) {
                if (buf.get(base + i) != 0) {
                    return false;
                }
            }
            pos += n;
        }
        return true;
    }

    /** Damaged durability marks read past so far (each held no record; the disk damaged them). */
    int damagedMarks() {
        return damagedMarks;
    }

    /** True if some 512-byte disk sector's share of the record is all zero: the mark of a torn write. */
    private boolean hasZeroSector(long fileOffset, int base, int length) {
        int i = 0;
        while (i < length) {
            long pos = fileOffset + i;
            int chunk = (int) Math.min(length - i, WalFormat.SECTOR - (pos % WalFormat.SECTOR));
            boolean zero = true;
            for (int j = 0; j < chunk && zero; j++) {
                zero = buf.get(base + i + j) == 0;
            }
            if (zero) {
                return true;
            }
            i += chunk;
        }
        return false;
    }

    /**
     * The end (exclusive) of the last non-zero byte at or after {@code from}, or {@code from} when
     * everything from there to the end of the file is zero.
     */
    long lastNonZeroEnd(long from) throws IOException {
        long end = from;
        long pos = from;
        while (pos < fileSize) {
            int n = ensure(pos, (int) Math.min(buf.capacity(), fileSize - pos));
            if (n <= 0) {
                break;
            }
            int base = index(pos);
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(base + i) != 0) {
                    end = pos + i + 1;
                    break;
                }
            }
            pos += n;
        }
        return end;
    }

    /** What {@link #evidenceBeyond} found past damage: a valid mark at {@code offset} stating {@code durableLsn}. */
    record Evidence(long offset, long durableLsn) {
    }

    /**
     * Looks past damage at {@code from}, up to {@code end} (the end of the last non-zero byte after it), for proof that records from {@code firstLost} on had been fsynced,
     * which makes the damage corruption rather than a torn write: a valid durability mark of this segment (its
     * CRC salted with the segment's salt, so no stored value can pass for one) at the writer's alignment,
     * whose durable LSN is at least {@code firstLost} and no more than the records that fit between the damage
     * and the mark. Version 1 files have no marks: nothing proves anything there, as that version judged.
     * Read-only as far as the reading position goes.
     *
     * @return the first such mark, or null
     */
    Evidence evidenceBeyond(long from, long end, long firstLost) throws IOException {
        if (version < 2) {
            return null;
        }
        // A mark's last bytes may be zeros (a small durable LSN): it only has to start before the last non-zero byte.
        for (long p = from + WalFormat.ALIGNMENT; p < end && p + WalFormat.MARK_LENGTH <= fileSize; p += WalFormat.ALIGNMENT) {
            if (ensure(p, WalFormat.MARK_LENGTH) < WalFormat.MARK_LENGTH) {
                break;
            }
            int base = index(p);
            if (buf.getInt(base + WalFormat.LENGTH_OFFSET) != WalFormat.MARK_LENGTH
                    || buf.getLong(base + WalFormat.LSN_OFFSET) != WalFormat.MARK_LSN) {
                continue;
            }
            long durable = buf.getLong(base + WalFormat.PAYLOAD_OFFSET);
            // Each record takes at least 16 bytes: no more of them fit between the damage and the mark.
            long mostBefore = firstLost - 1 + (p - from) / WalFormat.RECORD_HEADER_LENGTH;
            if (durable < firstLost || durable > mostBefore) {
                continue;
            }
            if (buf.getInt(base + WalFormat.CRC_OFFSET) == WalFormat.markCrc(crc, crcView, base, markSalt)) {
                return new Evidence(p, durable);
            }
        }
        return null;
    }

    /**
     * Makes {@code [pos, pos + n)} available in the buffer as far as the file has it.
     *
     * @return how many of the {@code n} bytes are available
     */
    private int ensure(long pos, int n) throws IOException {
        if (pos >= bufStart && pos + n <= bufStart + bufLen) {
            return n;
        }
        if (n > buf.capacity()) {
            // Only reached after the length was checked against the maximum payload and the file size.
            allocate((int) Math.min(Integer.MAX_VALUE - 8, Math.max(n, (long) buf.capacity() * 2)));
        }
        ByteBuffer dst = buf.duplicate();
        dst.clear();
        int want = (int) Math.min(buf.capacity(), Math.max(0, fileSize - pos));
        dst.limit(want);
        long at = pos;
        while (dst.hasRemaining()) {
            int r = file.read(dst, at);
            if (r < 0) {
                break;
            }
            at += r;
        }
        bufStart = pos;
        bufLen = dst.position();
        return Math.min(n, bufLen);
    }

    private int index(long pos) {
        return (int) (pos - bufStart);
    }

    /** Offset in the file of the record just returned, or where reading stopped. */
    long recordOffset() {
        return recordOffset;
    }

    /** Offset of the next record: after the last valid one. */
    long offset() {
        return offset;
    }

    /** The LSN the next record must have. */
    long expectedLsn() {
        return expectedLsn;
    }

    long lsn() {
        return lsn;
    }

    int payloadLength() {
        return payloadLength;
    }

    /** Index of the payload in {@link #buffer()}; valid until the next call. */
    int payloadIndex() {
        return payloadIndex;
    }

    ByteBuffer buffer() {
        return buf;
    }

    Problem problem() {
        return problem;
    }

    String detail() {
        return detail;
    }

    /** For {@link Problem#CRC_MISMATCH}: part of the record is a zeroed sector (a torn write). */
    boolean zeroSector() {
        return zeroSector;
    }

    /**
     * Closes the file and frees the read buffer at once rather than when a collection finds it: a compaction
     * opens a reader per segment, and buffers left to the garbage collector pile up outside the heap.
     */
    @Override
    public void close() throws IOException {
        try {
            file.close();
        } finally {
            release();
        }
    }

    private void release() {
        if (buf != null && buf.capacity() > 0) {
            BufferUtil.free(buf);
        }
        buf = EMPTY;
        crcView = EMPTY;
        bufStart = 0;
        bufLen = 0;
    }
}
