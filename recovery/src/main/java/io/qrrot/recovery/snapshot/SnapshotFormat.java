package io.qrrot.recovery.snapshot;

/**
 * The QRRT snapshot file, format version 2: a header, a run of CRC-checked blocks of records, and a footer.
 * All fixed-width integers are little-endian; record lengths and expiry are unsigned LEB128 varints. This build
 * writes version 2 and reads versions 1 and 2 (version 1 has no collections and a shorter footer, below).
 *
 * <pre>
 * File: Header | Block* | Footer       (blocks fill [HEADER_LENGTH, file size - footer length) exactly)
 *
 * Header, at offset 0 (28 bytes):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Magic 'Q' 'R' 'R' 'T'                        |  0
 *  +---------------+---------------+-------------------------------+
 *  |  Version = 2  |     Flags     |        Reserved (= 0)         |  4
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
 *  |                 Record count (>= 1, records of every kind)    |  8
 *  +---------------------------------------------------------------+
 *  |                 Records ...                                  ... 12
 *  +---------------------------------------------------------------+
 *
 * Records (inside a payload, unaligned); the first byte says which kind:
 *
 *  Value: a key and its whole value; first byte 0x00..0x7F, the value's type (the only record of version 1)
 *  +---------------+-----------------------------------------------+
 *  |     Type      |  Key length, varint (<= MAX_KEY_LENGTH)      ...
 *  +---------------+-----------------------------------------------+
 *  |  Value length, varint (<= MAX_VALUE_LENGTH)                  ...
 *  +---------------------------------------------------------------+
 *  |  Expiry, epoch millis, 0 = none, varint (up to 9 bytes)      ...
 *  +---------------------------------------------------------------+
 *  |  Key bytes ...                   |  Value bytes ...          ...
 *  +---------------------------------------------------------------+
 *
 *  Collection (0x81): a key holding a collection; its elements follow, at least one in this block
 *  Continuation (0x82): the first record of a block that goes on with the collection of the block before it
 *  +---------------+---------------+-------------------------------+
 *  |  0x81 / 0x82  |     Type      |  Key length, varint          ...
 *  +---------------+---------------+-------------------------------+
 *  |  Expiry, epoch millis, 0 = none, varint                      ...
 *  +---------------------------------------------------------------+
 *  |  Key bytes ...                                               ...
 *  +---------------------------------------------------------------+
 *
 *  Element (0x80): one element of the collection named by the nearest Collection or Continuation before it
 *  +---------------+-----------------------------------------------+
 *  |     0x80      |  Element length, varint                      ...
 *  +---------------+-----------------------------------------------+
 *  |  Payload length, varint (0 for types without a payload)      ...
 *  +---------------------------------------------------------------+
 *  |  Element bytes ...               |  Payload bytes ...        ...
 *  +---------------------------------------------------------------+
 *
 * Footer, at file size - FOOTER_LENGTH (44 bytes):
 *  +---------------------------------------------------------------+
 *  |                 Record count: records of every kind, the sum  |  0
 *  |                 of the blocks' record counts                  |
 *  +---------------------------------------------------------------+
 *  |                 Key count: Value and Collection records       |  8
 *  |                 (a Continuation repeats a key, an Element none)|
 *  +---------------------------------------------------------------+
 *  |                 Block count                                   | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Footer offset (= file size - FOOTER_LENGTH)   | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Digest CRC32C                                 | 32
 *  +---------------------------------------------------------------+
 *  |                 Footer CRC32C                                 | 36
 *  +---------------------------------------------------------------+
 *  |                 Trailer magic 'T' 'R' 'R' 'Q'                 | 40
 *  +---------------------------------------------------------------+
 *
 * Version 1 (read only): the same header (version 1) and blocks, Value records only (any first byte is a
 * type), and a 36-byte footer without the key count: record count (= keys), block count, footer offset,
 * digest, footer CRC32C over its bytes [0, 28), trailer magic.
 * </pre>
 *
 * <p><b>Collections</b> are streamed element by element, never held whole by the writer or a reader: a
 * Collection record (type, key, expiry) and then its Elements, in a block or across many. A block that goes on
 * with a collection starts with a Continuation repeating the key, type and expiry, so every block decodes on
 * its own, and a reader given a run of blocks (a thread of a parallel load) knows whose elements it holds. A
 * Collection or Continuation is followed by at least one Element in its own block, so a collection is never
 * empty (the store never keeps an empty collection; a fold whose changes remove every element drops the key).
 * Elements of one collection appear once each; their payload is the type's (a hash field's value; empty for
 * a set member). A type byte of a Value record is opaque to the format (the engine's {@code EntryType}); the
 * writer refuses a collection type there. A key longer than a block makes every block of its collection hold one element.
 *
 * <p>Flags: bit 0 ({@link #FLAG_HASH_ORDERED}) says the keys are in key-hash order as defined by
 * {@link SnapshotOrder} (ascending xxHash3-64 of the key, unsigned; equal hashes by key bytes; no key twice)
 * and every collection's elements in the same order of the element bytes; the other bits are 0. A reader
 * checks the order of a file so flagged and may then load it in parallel, each thread taking a run of
 * blocks that never starts with a Continuation (so one thread gets all of a collection); a file without the
 * flag is read in file order. Readers that predate the flag refuse a flagged file as having unsupported
 * header flags.
 *
 * <p>The header CRC32C covers header bytes [0, 24). A block CRC32C covers the block from its payload-length
 * field to the end of its payload, so a corrupted length or count fails it too. The digest CRC32C covers the
 * 28 header bytes followed by every block's CRC (4 bytes, little-endian) in file order: it binds header and
 * blocks together and catches a dropped, duplicated or reordered block whose own CRC still matches. The
 * footer CRC32C covers the footer's bytes before it ([0, 36) in version 2). The trailer magic is checked on its
 * own, so a truncated file or one with bytes appended fails before anything in it is trusted.
 *
 * <p>A block holds records up to {@link #BLOCK_TARGET_PAYLOAD} bytes; a record larger than that makes a
 * block of its own (an Element with the Collection or Continuation before it), so a block payload is at most
 * {@link #MAX_BLOCK_PAYLOAD}. Readers check every length against these limits and against the bytes left
 * before the footer before allocating or reading anything.
 */
public final class SnapshotFormat {
    /** The first four bytes of every snapshot: 'Q' 'R' 'R' 'T' read as a little-endian int. */
    public static final int MAGIC = 'Q' | 'R' << 8 | 'R' << 16 | 'T' << 24;
    /** The last four bytes of every snapshot: 'T' 'R' 'R' 'Q' read as a little-endian int. */
    public static final int TRAILER_MAGIC = 'T' | 'R' << 8 | 'R' << 16 | 'Q' << 24;
    /** The format version this build writes. */
    public static final byte VERSION = 2;
    /** The oldest format version this build reads: 1, without collections. */
    public static final byte OLDEST_VERSION = 1;

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
    /** The varints of a Value record start after the type byte: key length, value length, expiry. */
    public static final int RECORD_VARINTS_OFFSET = RECORD_TYPE_OFFSET + RECORD_TYPE_LENGTH;

    /** First byte of an Element record. A first byte with this bit clear starts a Value record. */
    public static final byte RECORD_ELEMENT = (byte) 0x80;
    /** First byte of a Collection record: a key holding a collection, its elements after it. */
    public static final byte RECORD_COLLECTION = (byte) 0x81;
    /** First byte of a Continuation record: the collection of the block before goes on in this block. */
    public static final byte RECORD_CONTINUATION = (byte) 0x82;
    /** The bit that sets the records of collections apart from Value records (whose first byte is a type). */
    public static final int RECORD_KIND_BIT = 0x80;
    /** Collection and Continuation: tag and type, then the key-length and expiry varints. */
    public static final int COLLECTION_TYPE_OFFSET = 1;
    public static final int COLLECTION_VARINTS_OFFSET = COLLECTION_TYPE_OFFSET + 1;
    /** Element: the tag, then the element-length and payload-length varints. */
    public static final int ELEMENT_VARINTS_OFFSET = 1;

    // Footer, version 2.
    public static final int FOOTER_RECORD_COUNT_OFFSET = 0;
    public static final int FOOTER_RECORD_COUNT_LENGTH = 8;
    public static final int FOOTER_KEY_COUNT_OFFSET = FOOTER_RECORD_COUNT_OFFSET + FOOTER_RECORD_COUNT_LENGTH;
    public static final int FOOTER_KEY_COUNT_LENGTH = 8;
    public static final int FOOTER_BLOCK_COUNT_OFFSET = FOOTER_KEY_COUNT_OFFSET + FOOTER_KEY_COUNT_LENGTH;
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

    // Footer, version 1: version 2's without the key count.
    public static final int V1_FOOTER_BLOCK_COUNT_OFFSET = FOOTER_RECORD_COUNT_OFFSET + FOOTER_RECORD_COUNT_LENGTH;
    public static final int V1_FOOTER_OFFSET_OFFSET = V1_FOOTER_BLOCK_COUNT_OFFSET + FOOTER_BLOCK_COUNT_LENGTH;
    public static final int V1_FOOTER_DIGEST_OFFSET = V1_FOOTER_OFFSET_OFFSET + FOOTER_OFFSET_LENGTH;
    public static final int V1_FOOTER_CRC_OFFSET = V1_FOOTER_DIGEST_OFFSET + FOOTER_DIGEST_LENGTH;
    public static final int V1_TRAILER_MAGIC_OFFSET = V1_FOOTER_CRC_OFFSET + FOOTER_CRC_LENGTH;
    public static final int V1_FOOTER_LENGTH = V1_TRAILER_MAGIC_OFFSET + TRAILER_MAGIC_LENGTH;

    /** Where a version's footer fields are: one instance per version, so readers need no version switches. */
    public static final class Footer {
        public static final Footer V1 = new Footer(1, -1, V1_FOOTER_BLOCK_COUNT_OFFSET, V1_FOOTER_OFFSET_OFFSET,
                V1_FOOTER_DIGEST_OFFSET, V1_FOOTER_CRC_OFFSET, V1_TRAILER_MAGIC_OFFSET, V1_FOOTER_LENGTH);
        public static final Footer V2 = new Footer(2, FOOTER_KEY_COUNT_OFFSET, FOOTER_BLOCK_COUNT_OFFSET,
                FOOTER_OFFSET_OFFSET, FOOTER_DIGEST_OFFSET, FOOTER_CRC_OFFSET, TRAILER_MAGIC_OFFSET, FOOTER_LENGTH);

        public final int version;
        public final int recordCountOffset = FOOTER_RECORD_COUNT_OFFSET;
        /** -1 in version 1, whose record count is the key count. */
        public final int keyCountOffset;
        public final int blockCountOffset;
        public final int offsetOffset;
        public final int digestOffset;
        /** The footer CRC32C, which covers the footer's bytes before it. */
        public final int crcOffset;
        public final int trailerOffset;
        public final int length;

        private Footer(int version, int keyCountOffset, int blockCountOffset, int offsetOffset, int digestOffset,
                       int crcOffset, int trailerOffset, int length) {
            this.version = version;
            this.keyCountOffset = keyCountOffset;
            this.blockCountOffset = blockCountOffset;
            this.offsetOffset = offsetOffset;
            this.digestOffset = digestOffset;
            this.crcOffset = crcOffset;
            this.trailerOffset = trailerOffset;
            this.length = length;
        }

        /** The footer of a version this build reads; null for any other. */
        public static Footer of(int version) {
            return version == 1 ? V1 : version == 2 ? V2 : null;
        }

        /** True when the version has collections (and a key count of its own). */
        public boolean collections() {
            return keyCountOffset >= 0;
        }
    }

    /** Smallest valid file of any version: a header and a version 1 footer (an empty version 1 snapshot). */
    public static final int MIN_FILE_LENGTH = HEADER_LENGTH + V1_FOOTER_LENGTH;

    /** Largest key (1 MiB), whatever the database's configured limit. */
    public static final int MAX_KEY_LENGTH = 1 << 20;
    /** Largest value (512 MiB), whatever the database's configured limit. */
    public static final int MAX_VALUE_LENGTH = 512 << 20;
    /**
     * Largest element plus its payload (513 MiB): what one element of an effect record can carry (the log's
     * largest record is a value plus a key).
     */
    public static final int MAX_ELEMENT_BYTES = MAX_KEY_LENGTH + MAX_VALUE_LENGTH;
    /** Largest varint: a non-negative 63-bit expiry takes at most 9 bytes; lengths take at most 5. */
    public static final int MAX_VARLONG_LENGTH = 9;
    public static final int MAX_VARINT_LENGTH = 5;
    /**
     * Smallest record of any kind: an Element of an empty element without payload (tag and two one-byte
     * varints). The smallest Value record takes 4 bytes, the smallest Collection 4.
     */
    public static final int MIN_RECORD_LENGTH = 3;
    /** Smallest block payload: one Value record, or a Collection with an Element. */
    public static final int MIN_BLOCK_PAYLOAD = 4;
    /** Largest Value record header: type, two int varints and the expiry varint. */
    public static final int MAX_RECORD_HEADER_LENGTH = RECORD_TYPE_LENGTH + 2 * MAX_VARINT_LENGTH + MAX_VARLONG_LENGTH;
    /** Largest Collection or Continuation record without its key: tag, type, key length, expiry. */
    public static final int MAX_COLLECTION_HEADER_LENGTH = 2 + MAX_VARINT_LENGTH + MAX_VARLONG_LENGTH;
    /** Largest Element record header: tag and two length varints. */
    public static final int MAX_ELEMENT_HEADER_LENGTH = 1 + 2 * MAX_VARINT_LENGTH;
    /** Records are packed into a block until the next one would take its payload past this. */
    public static final int BLOCK_TARGET_PAYLOAD = 64 << 10;
    /**
     * Largest block payload: an Element with the largest element and payload after a Continuation of the
     * largest key (larger than a Value record with the largest key and value).
     */
    public static final int MAX_BLOCK_PAYLOAD = MAX_COLLECTION_HEADER_LENGTH + MAX_KEY_LENGTH
            + MAX_ELEMENT_HEADER_LENGTH + MAX_ELEMENT_BYTES;
    /** Smallest block: a block header and the smallest payload. */
    public static final int MIN_BLOCK_LENGTH = BLOCK_HEADER_LENGTH + MIN_BLOCK_PAYLOAD;

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
