package io.qrrot.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The on-disk format of WAL segments: the one place that knows offsets, sizes and names.
 *
 * <p>A WAL is a directory of segment files named by the LSN of their first record, 20 decimal digits:
 * {@code 00000000000000000001.wal}. Every integer is little-endian. A segment is a header followed by
 * records; all records start at a multiple of 8 bytes.
 *
 * <h2>Segment header (64 bytes)</h2>
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic "QRROTWAL" (8 ASCII bytes)             |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Format Version                         |  8
 *  +---------------------------------------------------------------+
 *  |                    Header Length (= 64)                       | 12
 *  +---------------------------------------------------------------+
 *  |                   First LSN (= the file name)                 | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Created At (milliseconds since the epoch)          | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     Preallocated Size in bytes (0: the file grows as written)  | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Mark Salt (random, version 2; 0 in version 1)       | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Reserved (12 bytes, zero)                    ...| 48
 *  +---------------------------------------------------------------+
 *  |                        Header CRC32C                          | 60
 *  +---------------------------------------------------------------+
 * </pre>
 * The header CRC32C covers header bytes 0 to 59. Preallocated Size is the file's length, zero-filled, when it
 * became a segment: a file shorter than that has lost its end (format version 1 stored the target segment
 * size there, whatever the file's length, so version 1 files are not judged by it). Mark Salt is a random
 * number drawn for the segment that its durability marks' CRCs start from (below).
 *
 * <h2>Record (16-byte header + payload + padding)</h2>
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |   Record Length: 16 + payload length, no padding (0 = end)    |  0
 *  +---------------------------------------------------------------+
 *  |                         Record CRC32C                         |  4
 *  +---------------------------------------------------------------+
 *  |                              LSN                              |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Payload (length bytes)                   ...  16
 *  +---------------------------------------------------------------+
 *  |          Padding: 0 to 7 zero bytes up to a multiple of 8    ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The record CRC32C covers the record length field, the LSN field and the payload, in that order (not the
 * CRC field itself and not the padding). A real record's length is at least 16, so an empty payload is
 * never mistaken for the end of data.
 *
 * <h2>Durability mark (a record with LSN 0, format version 2)</h2>
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                   Record Length (= 24)                        |  0
 *  +---------------------------------------------------------------+
 *  |                         Record CRC32C                         |  4
 *  +---------------------------------------------------------------+
 *  |                            LSN = 0                            |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Durable LSN: every record up to it was fsynced        | 16
 *  |                  before this mark was written                 |
 *  +---------------------------------------------------------------+
 * </pre>
 * The writer starts every batch it writes with a mark (24 bytes per batch, not per record), writes one right
 * after every fsync where the next batch will start (that batch's mark then overwrites it), and one at a
 * clean close. Marks take no LSN; readers skip them. They are what tells a torn tail from corruption: a power
 * cut can only damage what was written after the last fsync, so damage followed, anywhere later in the
 * segment, by a valid mark whose durable LSN reaches the damaged records is damage to fsynced records:
 * corruption, never a torn tail. A mark's CRC32C starts from the segment's Mark Salt (8 bytes, little-endian)
 * and then covers what a record's does, so bytes that a client stored in a value (a copy of a WAL file, say)
 * can never pass for a mark of this segment.
 *
 * <p>Why it looks like this: a record starts 8-byte aligned, so its length field never straddles a disk
 * sector and cannot tear; space after the last record is zero (segments are preallocated with zeros), so
 * a length of 0 marks the end of data; LSNs are consecutive from segment to segment, so a missing or
 * reordered record is detected even when every CRC matches.
 */
public final class WalFormat {
    /** "QRROTWAL" read as a little-endian long. */
    public static final long MAGIC = ByteBuffer.wrap("QRROTWAL".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .order(ByteOrder.LITTLE_ENDIAN).getLong();
    /** The version this build writes: 2 adds durability marks and the preallocated size. */
    public static final int VERSION = 2;
    /** The oldest version this build reads. */
    public static final int MIN_VERSION = 1;
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 8;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int VERSION_LENGTH = 4;
    public static final int HEADER_LENGTH_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    public static final int HEADER_LENGTH_LENGTH = 4;
    public static final int FIRST_LSN_OFFSET = HEADER_LENGTH_OFFSET + HEADER_LENGTH_LENGTH;
    public static final int FIRST_LSN_LENGTH = 8;
    public static final int CREATED_AT_OFFSET = FIRST_LSN_OFFSET + FIRST_LSN_LENGTH;
    public static final int CREATED_AT_LENGTH = 8;
    public static final int PREALLOCATED_SIZE_OFFSET = CREATED_AT_OFFSET + CREATED_AT_LENGTH;
    public static final int PREALLOCATED_SIZE_LENGTH = 8;
    public static final int MARK_SALT_OFFSET = PREALLOCATED_SIZE_OFFSET + PREALLOCATED_SIZE_LENGTH;
    public static final int MARK_SALT_LENGTH = 8;
    public static final int RESERVED_OFFSET = MARK_SALT_OFFSET + MARK_SALT_LENGTH;
    public static final int RESERVED_LENGTH = 12;
    public static final int HEADER_CRC_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    public static final int HEADER_CRC_LENGTH = 4;
    /** Bytes of the segment header; the first record starts here. */
    public static final int HEADER_LENGTH = HEADER_CRC_OFFSET + HEADER_CRC_LENGTH;

    public static final int LENGTH_OFFSET = 0;
    public static final int LENGTH_LENGTH = 4;
    public static final int CRC_OFFSET = LENGTH_OFFSET + LENGTH_LENGTH;
    public static final int CRC_LENGTH = 4;
    public static final int LSN_OFFSET = CRC_OFFSET + CRC_LENGTH;
    public static final int LSN_LENGTH = 8;
    public static final int PAYLOAD_OFFSET = LSN_OFFSET + LSN_LENGTH;
    /** Bytes of a record header (everything before the payload). */
    public static final int RECORD_HEADER_LENGTH = PAYLOAD_OFFSET;
    /** Records start at multiples of this. */
    public static final int ALIGNMENT = 8;
    /** The unit in which a disk may lose or zero data on a power cut; used to recognise a torn record. */
    public static final int SECTOR = 512;

    /** The LSN field of a durability mark; real records start at LSN 1. */
    public static final long MARK_LSN = 0;
    /** A mark's payload: the durable LSN. */
    public static final int MARK_PAYLOAD_LENGTH = 8;
    /** Bytes of a mark on disk (a multiple of {@link #ALIGNMENT}, so no padding). */
    public static final int MARK_LENGTH = RECORD_HEADER_LENGTH + MARK_PAYLOAD_LENGTH;

    /** The largest payload the format can express (the length is a signed 32-bit int, padding included). */
    public static final int MAX_FORMAT_PAYLOAD = Integer.MAX_VALUE - RECORD_HEADER_LENGTH - ALIGNMENT;

    public static final String SEGMENT_SUFFIX = ".wal";
    public static final String TEMP_SUFFIX = ".wal.tmp";
    public static final String BROKEN_SUFFIX = ".broken";
    private static final int NAME_DIGITS = 20;

    static {
        if (HEADER_LENGTH != 64 || HEADER_LENGTH % ALIGNMENT != 0) {
            throw new AssertionError("segment header must be 64 bytes");
        }
        if (MARK_LENGTH % ALIGNMENT != 0) {
            throw new AssertionError("a mark must need no padding");
        }
    }

    private WalFormat() {
    }

    /** Bytes a record with {@code payloadLength} bytes of payload takes on disk, padding included. */
    public static long paddedLength(long payloadLength) {
        return align(RECORD_HEADER_LENGTH + payloadLength);
    }

    /** Rounds up to a multiple of {@link #ALIGNMENT}. */
    public static long align(long n) {
        return (n + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** The file name of the segment whose first record has {@code firstLsn}. */
    public static String segmentName(long firstLsn) {
        String digits = Long.toString(firstLsn);
        return "0".repeat(NAME_DIGITS - digits.length()) + digits + SEGMENT_SUFFIX;
    }

    /** The first LSN encoded in a segment file name, or -1 if {@code name} is not a segment name. */
    public static long parseSegmentName(String name) {
        if (name.length() != NAME_DIGITS + SEGMENT_SUFFIX.length() || !name.endsWith(SEGMENT_SUFFIX)) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < NAME_DIGITS; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (v > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The first LSN of a segment path, or -1 if the file name is not a segment name. */
    public static long parseSegmentName(Path path) {
        Path name = path.getFileName();
        return name == null ? -1 : parseSegmentName(name.toString());
    }

    /**
     * Writes a complete segment header into {@code dst} at its position 0..63 (absolute puts);
     * {@code preallocatedSize} is the file's zero-filled length, or 0 for a file that grows as written;
     * {@code markSalt} seeds its marks' CRCs.
     */
    public static void encodeHeader(ByteBuffer dst, long firstLsn, long createdAtMillis, long preallocatedSize,
                                    long markSalt) {
        ByteBuffer b = dst.duplicate().order(BYTE_ORDER);
        for (int i = 0; i < HEADER_LENGTH; i++) {
            b.put(i, (byte) 0);
        }
        b.putLong(MAGIC_OFFSET, MAGIC);
        b.putInt(VERSION_OFFSET, VERSION);
        b.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        b.putLong(FIRST_LSN_OFFSET, firstLsn);
        b.putLong(CREATED_AT_OFFSET, createdAtMillis);
        b.putLong(PREALLOCATED_SIZE_OFFSET, preallocatedSize);
        b.putLong(MARK_SALT_OFFSET, markSalt);
        b.putInt(HEADER_CRC_OFFSET, headerCrc(b));
    }

    /** The CRC32C of header bytes 0..59 of {@code header} (absolute, from index 0). */
    public static int headerCrc(ByteBuffer header) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = header.duplicate();
        view.limit(HEADER_CRC_OFFSET).position(0);
        crc.update(view);
        return (int) crc.getValue();
    }

    /**
     * The record CRC32C of the record starting at {@code start} in {@code buf}: length field, LSN field and
     * payload. {@code view} is a reusable duplicate of {@code buf} (its position and limit are changed).
     */
    public static int recordCrc(CRC32C crc, ByteBuffer view, int start, int payloadLength) {
        crc.reset();
        return updateRecordCrc(crc, view, start, payloadLength);
    }

    /**
     * The CRC32C of a durability mark at {@code start} in {@code buf}: the segment's mark salt, then what a
     * record's CRC covers. {@code view} as for {@link #recordCrc}.
     */
    public static int markCrc(CRC32C crc, ByteBuffer view, int start, long markSalt) {
        crc.reset();
        for (int i = 0; i < MARK_SALT_LENGTH; i++) {
            crc.update((int) (markSalt >>> (8 * i)) & 0xff);
        }
        return updateRecordCrc(crc, view, start, MARK_PAYLOAD_LENGTH);
    }

    private static int updateRecordCrc(CRC32C crc, ByteBuffer view, int start, int payloadLength) {
        // The length field is read from the buffer, so it must be written before this is called.
        view.limit(start + LENGTH_OFFSET + LENGTH_LENGTH).position(start + LENGTH_OFFSET);
        crc.update(view);
        view.limit(start + PAYLOAD_OFFSET + payloadLength).position(start + LSN_OFFSET);
        crc.update(view);
        return (int) crc.getValue();
    }

    /**
     * Writes a durability mark at {@code at} of {@code dst}: every record up to {@code durableLsn} was
     * fsynced. {@code view} is a reusable duplicate of {@code dst}; {@code markSalt} is the salt of the segment
     * the mark goes into.
     */
    public static void encodeMark(CRC32C crc, ByteBuffer dst, ByteBuffer view, int at, long durableLsn,
                                  long markSalt) {
        dst.putInt(at + LENGTH_OFFSET, MARK_LENGTH);
        dst.putLong(at + LSN_OFFSET, MARK_LSN);
        dst.putLong(at + PAYLOAD_OFFSET, durableLsn);
        dst.putInt(at + CRC_OFFSET, markCrc(crc, view, at, markSalt));
    }

    /** Formats a CRC for messages: {@code 0x1a2b3c4d}. */
    public static String hex(int crc) {
        return String.format("0x%08x", crc);
    }
}
