package io.qrrot.recovery.snapshot;

/**
 * The QRRT snapshot file, format version 1: a header, a run of CRC-checked blocks of records, and a footer.
 * All fixed-width integers are little-endian; record lengths and expiry are unsigned LEB128 varints.
 *
 * <pre>
 * File: Header | Block* | Footer       (blocks fill [HEADER_LENGTH, file size - FOOTER_LENGTH) exactly)
 *
 * Header, at offset 0 (28 bytes):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Magic 'Q' 'R' 'R' 'T'                        |  0
 *  +---------------+---------------+-------------------------------+
 *  |    Version    |     Flags     |        Reserved (= 0)         |  4
 *  +---------------+---------------+-------------------------------+
 *  |                 Base LSN: every WAL record with LSN <= it      |  8
 *  |                 is inside this snapshot                       |
 *  +---------------------------------------------------------------+
 *  |                 Created, epoch millis                          | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Header CRC32C                                 | 24
 *  +---------------------------------------------------------------+
 *
 * Block (12-byte block header + payload; the payload is records back to back):
 *  +---------------------------------------------------------------+
 *  |                 Block CRC32C                                  |  0
 *  +---------------------------------------------------------------+
 *  |                 Payload length (bytes, >= 4)                  |  4
 *  +---------------------------------------------------------------+
 *  |                 Record count (>= 1)                           |  8
 *  +---------------------------------------------------------------+
 *  |                 Records ...                                  ... 12
 *  +---------------------------------------------------------------+
 *
 * Record (inside a payload, unaligned):
 *  +---------------+-----------------------------------------------+
 *  |     Type      |  Key length, varint (<= MAX_KEY_LENGTH)      ...
 *  +---------------+-----------------------------------------------+
 *  |  Value length, varint (<= MAX_VALUE_LENGTH)                  ...
 *  +---------------------------------------------------------------+
 *  |  Expiry, epoch millis, 0 = none, varint (up to 9 bytes)      ...
 *  +---------------------------------------------------------------+
 *  |  Key bytes ...                                               ...
 *  +---------------------------------------------------------------+
 *  |  Value bytes ...                                             ...
 *  +---------------------------------------------------------------+
 *
 * Footer, at file size - FOOTER_LENGTH (36 bytes):
 *  +---------------------------------------------------------------+
 *  |                 Record count (all blocks)                     |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Block count                                   |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Footer offset (= file size - FOOTER_LENGTH)   | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Digest CRC32C                                 | 24
 *  +---------------------------------------------------------------+
 *  |                 Footer CRC32C                                 | 28
 *  +---------------------------------------------------------------+
 *  |                 Trailer magic 'T' 'R' 'R' 'Q'                 | 32
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Flags: bit 0 ({@link #FLAG_HASH_ORDERED}) says the records are in key-hash order as defined by
 * {@link SnapshotOrder} (ascending xxHash3-64 of the key, unsigned; equal hashes by key bytes; no key twice);
 * the other bits are 0. A reader checks the order of a file so flagged and may then load it in parallel, each
 * thread taking a run of blocks; a file without the flag is read in file order. Readers that predate the flag
 * refuse a flagged file as having unsupported header flags.
 *
 * <p>The header CRC32C covers header bytes [0, 24). A block CRC32C covers the block from its payload-length
 * field to the end of its payload, so a corrupted length or count fails it too. The digest CRC32C covers the
 * 28 header bytes followed by every block's CRC (4 bytes, little-endian) in file order: it binds header and
 * blocks together and catches a dropped, duplicated or reordered block whose own CRC still matches. The
 * footer CRC32C covers footer bytes [0, 28). The trailer magic is checked on its own, so a truncated file or
 * one with bytes appended fails before anything in it is trusted.
 *
 * <p>A block holds records up to {@link #BLOCK_TARGET_PAYLOAD} bytes; a record larger than that makes a
 * block of its own, so a block payload is at most {@link #MAX_BLOCK_PAYLOAD}. Readers check every length
 * against these limits and against the bytes left before the footer before allocating or reading anything.
 */
public final class SnapshotFormat {
    /** The first four bytes of every snapshot: 'Q' 'R' 'R' 'T' read as a little-endian int. */
    public static final int MAGIC = 'Q' | 'R' << 8 | 'R' << 16 | 'T' << 24;
    /** The last four bytes of every snapshot: 'T' 'R' 'R' 'Q' read as a little-endian int. */
    public static final int TRAILER_MAGIC = 'T' | 'R' << 8 | 'R' << 16 | 'Q' << 24;
    /** The only format version this build writes and reads. */
    public static final byte VERSION = 1;

    /** Header flag: the records are in {@link SnapshotOrder} (ascending key hash, no duplicates). */
    public static final byte FLAG_HASH_ORDERED = 1;
    /** Every flag this build knows; a header with any other bit set is refused. */
    public static final byte KNOWN_FLAGS = FLAG_HASH_ORDERED;

    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 4;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int VERSION_LENGTH = 1;
    public static final int FLAGS_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    public static final int FLAGS_LENGTH = 1;
    public static final int RESERVED_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
    public static final int RESERVED_LENGTH = 2;
    public static final int BASE_LSN_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    public static final int BASE_LSN_LENGTH = 8;
    public static final int CREATED_OFFSET = BASE_LSN_OFFSET + BASE_LSN_LENGTH;
    public static final int CREATED_LENGTH = 8;
    public static final int HEADER_CRC_OFFSET = CREATED_OFFSET + CREATED_LENGTH;
    public static final int HEADER_CRC_LENGTH = 4;
    public static final int HEADER_LENGTH = HEADER_CRC_OFFSET + HEADER_CRC_LENGTH;

    public static final int BLOCK_CRC_OFFSET = 0;
    public static final int BLOCK_CRC_LENGTH = 4;
    public static final int BLOCK_PAYLOAD_LENGTH_OFFSET = BLOCK_CRC_OFFSET + BLOCK_CRC_LENGTH;
    public static final int BLOCK_PAYLOAD_LENGTH_LENGTH = 4;
    public static final int BLOCK_RECORD_COUNT_OFFSET = BLOCK_PAYLOAD_LENGTH_OFFSET + BLOCK_PAYLOAD_LENGTH_LENGTH;
    public static final int BLOCK_RECORD_COUNT_LENGTH = 4;
    public static final int BLOCK_HEADER_LENGTH = BLOCK_RECORD_COUNT_OFFSET + BLOCK_RECORD_COUNT_LENGTH;

    public static final int RECORD_TYPE_OFFSET = 0;
    public static final int RECORD_TYPE_LENGTH = 1;
    /** The varints start after the type byte: key length, value length, expiry. */
    public static final int RECORD_VARINTS_OFFSET = RECORD_TYPE_OFFSET + RECORD_TYPE_LENGTH;

    public static final int FOOTER_RECORD_COUNT_OFFSET = 0;
    public static final int FOOTER_RECORD_COUNT_LENGTH = 8;
    public static final int FOOTER_BLOCK_COUNT_OFFSET = FOOTER_RECORD_COUNT_OFFSET + FOOTER_RECORD_COUNT_LENGTH;
    public static final int FOOTER_BLOCK_COUNT_LENGTH = 8;
    public static final int FOOTER_OFFSET_OFFSET = FOOTER_BLOCK_COUNT_OFFSET + FOOTER_BLOCK_COUNT_LENGTH;
    public static final int FOOTER_OFFSET_LENGTH = 8;
    public static final int FOOTER_DIGEST_OFFSET = FOOTER_OFFSET_OFFSET + FOOTER_OFFSET_LENGTH;
    public static final int FOOTER_DIGEST_LENGTH = 4;
    public static final int FOOTER_CRC_OFFSET = FOOTER_DIGEST_OFFSET + FOOTER_DIGEST_LENGTH;
    public static final int FOOTER_CRC_LENGTH = 4;
    public static final int TRAILER_MAGIC_OFFSET = FOOTER_CRC_OFFSET + FOOTER_CRC_LENGTH;
    public static final int TRAILER_MAGIC_LENGTH = 4;
    public static final int FOOTER_LENGTH = TRAILER_MAGIC_OFFSET + TRAILER_MAGIC_LENGTH;

    /** Smallest valid file: a header and a footer with no blocks between them (an empty snapshot). */
    public static final int MIN_FILE_LENGTH = HEADER_LENGTH + FOOTER_LENGTH;

    /** Largest key (1 MiB), whatever the database's configured limit. */
    public static final int MAX_KEY_LENGTH = 1 << 20;
    /** Largest value (512 MiB), whatever the database's configured limit. */
    public static final int MAX_VALUE_LENGTH = 512 << 20;
    /** Largest varint: a non-negative 63-bit expiry takes at most 9 bytes; lengths take at most 5. */
    public static final int MAX_VARLONG_LENGTH = 9;
    public static final int MAX_VARINT_LENGTH = 5;
    /** Smallest record: a type byte and three one-byte varints (empty key, empty value, no expiry). */
    public static final int MIN_RECORD_LENGTH = RECORD_TYPE_LENGTH + 3;
    /** Largest record header: type, two int varints and the expiry varint. */
    public static final int MAX_RECORD_HEADER_LENGTH = RECORD_TYPE_LENGTH + 2 * MAX_VARINT_LENGTH + MAX_VARLONG_LENGTH;
    /** Records are packed into a block until the next one would take its payload past this. */
    public static final int BLOCK_TARGET_PAYLOAD = 64 << 10;
    /** Largest block payload: one record with the largest key and value. */
    public static final int MAX_BLOCK_PAYLOAD = MAX_RECORD_HEADER_LENGTH + MAX_KEY_LENGTH + MAX_VALUE_LENGTH;
    /** Smallest block: a block header and one smallest record. */
    public static final int MIN_BLOCK_LENGTH = BLOCK_HEADER_LENGTH + MIN_RECORD_LENGTH;

    public static final String FILE_PREFIX = "snapshot-";
    public static final String FILE_SUFFIX = ".qrrt";
    public static final String TEMP_SUFFIX = ".tmp";
    /** Where a snapshot that failed verification is moved aside, so it is neither loaded nor swept. */
    public static final String BROKEN_SUFFIX = ".broken";
    /** Digits of the zero-padded LSN in a file name, so names sort like LSNs. */
    public static final int LSN_DIGITS = 20;

    private SnapshotFormat() {
    }

    /** {@code snapshot-<20-digit lsn>.qrrt}. */
    public static String fileName(long baseLsn) {
        if (baseLsn < 0) {
            throw new IllegalArgumentException("base LSN must be >= 0, got " + baseLsn);
        }
        String digits = Long.toString(baseLsn);
        StringBuilder sb = new StringBuilder(FILE_PREFIX.length() + LSN_DIGITS + FILE_SUFFIX.length());
        sb.append(FILE_PREFIX);
        for (int i = digits.length(); i < LSN_DIGITS; i++) {
            sb.append('0');
        }
        return sb.append(digits).append(FILE_SUFFIX).toString();
    }

    /** {@code snapshot-<20-digit lsn>.qrrt.tmp}: where a snapshot is written before it is installed. */
    public static String tempFileName(long baseLsn) {
        return fileName(baseLsn) + TEMP_SUFFIX;
    }

    /**
     * The base LSN in a snapshot file name, or -1 if {@code name} is not exactly
     * {@code snapshot-<20 digits>.qrrt} with a value that fits a non-negative long.
     */
    public static long parseLsn(String name) {
        int expected = FILE_PREFIX.length() + LSN_DIGITS + FILE_SUFFIX.length();
        if (name.length() != expected || !name.startsWith(FILE_PREFIX) || !name.endsWith(FILE_SUFFIX)) {
            return -1;
        }
        long lsn = 0;
        for (int i = FILE_PREFIX.length(), end = i + LSN_DIGITS; i < end; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (lsn > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            lsn = lsn * 10 + (c - '0');
        }
        return lsn;
    }

    /** Bytes an unsigned LEB128 varint of {@code value} takes (1..9 for a non-negative value). */
    public static int varintLength(long value) {
        // 7 payload bits per byte; value 0 still takes one byte.
        int bits = 64 - Long.numberOfLeadingZeros(value | 1);
        return (bits + 6) / 7;
    }
}
