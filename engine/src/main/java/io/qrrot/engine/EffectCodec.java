package io.qrrot.engine;

import io.qrrot.engine.store.EntryType;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The effect record: what one command (or one EXEC, or one expiry) did to the keyspace, as after-images.
 * It is the payload of a write-ahead log record, so it must be decodable from the file alone, forever:
 * replay, the snapshot compactor and the {@code wal} tools read it with {@link #decode} and an
 * {@link EffectVisitor}. All integers are little-endian. The record carries no checksum: the log record
 * framing it has a CRC32C over the whole payload.
 *
 * <pre>
 * Record
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |  version = 2  |   flags = 0   |         reserved = 0          |  0
 *  +---------------+---------------+-------------------------------+
 *  |                       op count (n >= 1)                       |  4
 *  +---------------------------------------------------------------+
 *  |                     n ops, back to back                      ...  8
 *  +---------------------------------------------------------------+
 *
 * Ops, back to back, each starting with its code byte (offsets relative to the op's start):
 *
 *  PUT    (code 1): the key now holds this value and expiry (the full after-image)
 *     0  code          1 byte    = 1
 *     1  value type    1 byte    1 string, 2 int, 3 json, 8 memcached item
 *     2  expiry        int64     epoch ms, 0 = none
 *    10  key length    int32
 *    14  value length  int32     8 for an int, at least 12 for a memcached item (its flags and CAS
 *                                unique come first: EntryType's diagram)
 *    18  key bytes, then value bytes
 *
 *  DEL    (code 2): the key no longer exists
 *     0  code          1 byte    = 2
 *     1  key length    int32
 *     5  key bytes
 *
 *  EXPIRE (code 3): the key, if it exists, now expires at this time
 *     0  code          1 byte    = 3
 *     1  expiry        int64     epoch ms, 0 = remove the expiry
 *     9  key length    int32
 *    13  key bytes
 *
 *  CLEAR  (code 4): every key is deleted (FLUSHALL)
 *     0  code          1 byte    = 4
 *
 *  ELEMENTS_PUT (code 5): each element of the collection at the key now has this payload; a missing key is
 *  first created as an empty collection of the type, without expiry (a hash field and its value)
 *     0  code          1 byte    = 5
 *     1  value type    1 byte    4 hash, 5 list, 6 set, 7 zset; bit 7 (AS_TABLE): a key this op creates starts as a table,
 *                                not packed (Redis keeps a collection's encoding through RENAME and COPY)
 *     2  key length    int32
 *     6  count         int32     n >= 1
 *    10  key bytes
 *        n elements:   element length int32, payload length int32, element bytes, payload bytes
 *                      (a set member's payload is empty; a sorted-set member's is its score: 8 bytes,
 *                      an IEEE 754 double, little-endian, never NaN; a list element is its label, 8 bytes,
 *                      big-endian with the sign bit flipped, and its payload is its value: the element
 *                      goes to its place in label order, or its value replaced when the label is there)
 *
 *  ELEMENTS_DEL (code 6): each element is no longer in the collection at the key; a collection left empty
 *  is deleted with its key, as Redis never keeps an empty collection
 *     0  code          1 byte    = 6
 *     1  value type    1 byte    4 hash, 5 list, 6 set, 7 zset
 *     2  key length    int32
 *     6  count         int32     n >= 1
 *    10  key bytes
 *        n elements:   element length int32, element bytes
 * </pre>
 *
 * <p>Value types ({@link io.qrrot.engine.store.EntryType}): 1 = string (raw bytes), 2 = int (8 bytes, signed
 * 64-bit little-endian), 3 = JSON (normalised compact UTF-8 text), 4 = hash, 6 = set, 7 = sorted set, 8 = a
 * memcached item (a string with its flags and CAS unique in front). Ops apply
 * in order; a record applies whole or (if it was never written completely) not at all, so a multi-key command or a
 * transaction is atomic across a crash. Every op is an absolute state, never a delta: a PUT is a whole value, and an
 * element op names the elements it changed with their resulting payloads (HINCRBY logs the resulting value),
 * never a whole collection. Recovery applies each record exactly once, in LSN order from a snapshot's base
 * LSN on; a log of key-level ops alone (PUT, DEL, EXPIRE, CLEAR) is moreover idempotent, a prefix applied
 * twice giving the same keyspace, while an element op applied again after a later PUT of its key would meet a
 * value of another type (and is refused).
 *
 * <p>Version history: 1 is the first version (ops 1 to 4, types 1 to 3); 2 adds the element ops and the hash
 * type, and the set (6), sorted-set (7) and list (5) types in element ops. A reader refuses versions it does not
 * know; this build reads both. The memcached item type (8) in PUT came later within version 2: a build from
 * before it refuses such a PUT by its type, with the record's offset, rather than misreading it.
 */
public final class EffectCodec {
    public static final byte VERSION = 2;
    /** The oldest record version this build still reads. */
    public static final byte OLDEST_VERSION = 1;

    public static final byte TYPE_STRING = 1;
    public static final byte TYPE_INT = 2;
    public static final byte TYPE_JSON = 3;
    public static final byte TYPE_HASH = 4;
    public static final byte TYPE_LIST = 5;
    /** Bytes of a list element's label, the element of its element ops. */
    public static final int LIST_LABEL_BYTES = 8;
    public static final byte TYPE_SET = 6;
    public static final byte TYPE_ZSET = 7;
    /** A memcached item in a PUT: {@link EntryType#ITEM}. */
    public static final byte TYPE_ITEM = EntryType.ITEM;

    public static final byte OP_PUT = 1;
    public static final byte OP_DEL = 2;
    public static final byte OP_EXPIRE = 3;
    public static final byte OP_CLEAR = 4;
    public static final byte OP_ELEMENTS_PUT = 5;
    public static final byte OP_ELEMENTS_DEL = 6;
    /** Bit 7 of ELEMENTS_PUT's type byte: a key the op creates starts as a table (see the op's diagram). */
    public static final byte AS_TABLE = (byte) 0x80;

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    // Record header.
    public static final int VERSION_OFFSET = 0;
    public static final int VERSION_LENGTH = 1;
    public static final int FLAGS_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    public static final int FLAGS_LENGTH = 1;
    public static final int RESERVED_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
    public static final int RESERVED_LENGTH = 2;
    public static final int OP_COUNT_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    public static final int OP_COUNT_LENGTH = 4;
    public static final int HEADER_LENGTH = OP_COUNT_OFFSET + OP_COUNT_LENGTH;

    // Every op starts with its code.
    public static final int OP_CODE_OFFSET = 0;
    public static final int OP_CODE_LENGTH = 1;

    // PUT, relative to the op's start.
    public static final int PUT_TYPE_OFFSET = OP_CODE_OFFSET + OP_CODE_LENGTH;
    public static final int PUT_TYPE_LENGTH = 1;
    public static final int PUT_EXPIRY_OFFSET = PUT_TYPE_OFFSET + PUT_TYPE_LENGTH;
    public static final int PUT_EXPIRY_LENGTH = 8;
    public static final int PUT_KEY_LENGTH_OFFSET = PUT_EXPIRY_OFFSET + PUT_EXPIRY_LENGTH;
    public static final int PUT_KEY_LENGTH_LENGTH = 4;
    public static final int PUT_VALUE_LENGTH_OFFSET = PUT_KEY_LENGTH_OFFSET + PUT_KEY_LENGTH_LENGTH;
    public static final int PUT_VALUE_LENGTH_LENGTH = 4;
    public static final int PUT_KEY_OFFSET = PUT_VALUE_LENGTH_OFFSET + PUT_VALUE_LENGTH_LENGTH;

    // DEL.
    public static final int DEL_KEY_LENGTH_OFFSET = OP_CODE_OFFSET + OP_CODE_LENGTH;
    public static final int DEL_KEY_LENGTH_LENGTH = 4;
    public static final int DEL_KEY_OFFSET = DEL_KEY_LENGTH_OFFSET + DEL_KEY_LENGTH_LENGTH;

    // EXPIRE.
    public static final int EXPIRE_EXPIRY_OFFSET = OP_CODE_OFFSET + OP_CODE_LENGTH;
    public static final int EXPIRE_EXPIRY_LENGTH = 8;
    public static final int EXPIRE_KEY_LENGTH_OFFSET = EXPIRE_EXPIRY_OFFSET + EXPIRE_EXPIRY_LENGTH;
    public static final int EXPIRE_KEY_LENGTH_LENGTH = 4;
    public static final int EXPIRE_KEY_OFFSET = EXPIRE_KEY_LENGTH_OFFSET + EXPIRE_KEY_LENGTH_LENGTH;

    // CLEAR.
    public static final int CLEAR_LENGTH = OP_CODE_LENGTH;

    // ELEMENTS_PUT and ELEMENTS_DEL share their head.
    public static final int ELEMENTS_TYPE_OFFSET = OP_CODE_OFFSET + OP_CODE_LENGTH;
    public static final int ELEMENTS_TYPE_LENGTH = 1;
    public static final int ELEMENTS_KEY_LENGTH_OFFSET = ELEMENTS_TYPE_OFFSET + ELEMENTS_TYPE_LENGTH;
    public static final int ELEMENTS_KEY_LENGTH_LENGTH = 4;
    public static final int ELEMENTS_COUNT_OFFSET = ELEMENTS_KEY_LENGTH_OFFSET + ELEMENTS_KEY_LENGTH_LENGTH;
    public static final int ELEMENTS_COUNT_LENGTH = 4;
    public static final int ELEMENTS_KEY_OFFSET = ELEMENTS_COUNT_OFFSET + ELEMENTS_COUNT_LENGTH;
    /** Per element of ELEMENTS_PUT: element length and payload length before the bytes. */
    public static final int ELEMENT_PUT_HEAD = 8;
    /** Per element of ELEMENTS_DEL: the element length before the bytes. */
    public static final int ELEMENT_DEL_HEAD = 4;

    private EffectCodec() {
    }

    /** Bytes of a PUT op with these key and value lengths. */
    public static int putLength(int keyLength, int valueLength) {
        return PUT_KEY_OFFSET + keyLength + valueLength;
    }

    public static int delLength(int keyLength) {
        return DEL_KEY_OFFSET + keyLength;
    }

    public static int expireLength(int keyLength) {
        return EXPIRE_KEY_OFFSET + keyLength;
    }

    /** Writes a record header at {@code at}; returns its length. */
    public static int encodeHeader(MutableDirectBuffer dst, int at, int opCount) {
        dst.putByte(at + VERSION_OFFSET, VERSION);
        dst.putByte(at + FLAGS_OFFSET, (byte) 0);
        dst.putShort(at + RESERVED_OFFSET, (short) 0, ORDER);
        dst.putInt(at + OP_COUNT_OFFSET, opCount, ORDER);
        return HEADER_LENGTH;
    }

    /** Writes the PUT op's fixed part and key at {@code at}; the caller writes the value at the returned offset. */
    public static int encodePutHead(MutableDirectBuffer dst, int at, byte type, DirectBuffer key, int koff, int klen,
                                    int vlen, long expiry) {
        dst.putByte(at + OP_CODE_OFFSET, OP_PUT);
        dst.putByte(at + PUT_TYPE_OFFSET, type);
        dst.putLong(at + PUT_EXPIRY_OFFSET, expiry, ORDER);
        dst.putInt(at + PUT_KEY_LENGTH_OFFSET, klen, ORDER);
        dst.putInt(at + PUT_VALUE_LENGTH_OFFSET, vlen, ORDER);
        dst.putBytes(at + PUT_KEY_OFFSET, key, koff, klen);
        return at + PUT_KEY_OFFSET + klen;
    }

    /** Writes a whole PUT op at {@code at}; returns its length. */
    public static int encodePut(MutableDirectBuffer dst, int at, byte type, DirectBuffer key, int koff, int klen,
                                DirectBuffer value, int voff, int vlen, long expiry) {
        int valueAt = encodePutHead(dst, at, type, key, koff, klen, vlen, expiry);
        dst.putBytes(valueAt, value, voff, vlen);
        return putLength(klen, vlen);
    }

    /**
     * Writes a PUT op of a memcached item at {@code at}: the head (flags, CAS unique) and then the bytes
     * {@code a} followed by {@code b} (append and prepend join two; pass {@code blen = 0} for one). Returns its
     * length.
     */
    public static int encodePutItem(MutableDirectBuffer dst, int at, DirectBuffer key, int koff, int klen, int flags,
                                    long cas, DirectBuffer a, int aoff, int alen, DirectBuffer b, int boff, int blen,
                                    long expiry) {
        int vlen = EntryType.ITEM_HEAD + alen + blen;
        int valueAt = encodePutHead(dst, at, TYPE_ITEM, key, koff, klen, vlen, expiry);
        dst.putInt(valueAt, flags, ORDER);
        dst.putLong(valueAt + EntryType.ITEM_CAS_OFFSET, cas, ORDER);
        dst.putBytes(valueAt + EntryType.ITEM_HEAD, a, aoff, alen);
        if (blen > 0) {
            dst.putBytes(valueAt + EntryType.ITEM_HEAD + alen, b, boff, blen);
        }
        return putLength(klen, vlen);
    }

    /** Writes a PUT op of an int value at {@code at}; returns its length. */
    public static int encodePutInt(MutableDirectBuffer dst, int at, DirectBuffer key, int koff, int klen, long value,
                                   long expiry) {
        int valueAt = encodePutHead(dst, at, TYPE_INT, key, koff, klen, 8, expiry);
        dst.putLong(valueAt, value, ORDER);
        return putLength(klen, 8);
    }

    public static int encodeDel(MutableDirectBuffer dst, int at, DirectBuffer key, int koff, int klen) {
        dst.putByte(at + OP_CODE_OFFSET, OP_DEL);
        dst.putInt(at + DEL_KEY_LENGTH_OFFSET, klen, ORDER);
        dst.putBytes(at + DEL_KEY_OFFSET, key, koff, klen);
        return delLength(klen);
    }

    public static int encodeExpire(MutableDirectBuffer dst, int at, DirectBuffer key, int koff, int klen, long expiry) {
        dst.putByte(at + OP_CODE_OFFSET, OP_EXPIRE);
        dst.putLong(at + EXPIRE_EXPIRY_OFFSET, expiry, ORDER);
        dst.putInt(at + EXPIRE_KEY_LENGTH_OFFSET, klen, ORDER);
        dst.putBytes(at + EXPIRE_KEY_OFFSET, key, koff, klen);
        return expireLength(klen);
    }

    public static int encodeClear(MutableDirectBuffer dst, int at) {
        dst.putByte(at + OP_CODE_OFFSET, OP_CLEAR);
        return CLEAR_LENGTH;
    }

    /** Bytes of the head of an element op (code, type, key length, count, key). */
    public static int elementsHeadLength(int keyLength) {
        return ELEMENTS_KEY_OFFSET + keyLength;
    }

    /** Writes the head of an ELEMENTS_PUT or ELEMENTS_DEL op with a count of 0; returns its length. */
    public static int encodeElementsHead(MutableDirectBuffer dst, int at, byte op, byte type, DirectBuffer key,
                                         int koff, int klen) {
        dst.putByte(at + OP_CODE_OFFSET, op);
        dst.putByte(at + ELEMENTS_TYPE_OFFSET, type);
        dst.putInt(at + ELEMENTS_KEY_LENGTH_OFFSET, klen, ORDER);
        dst.putInt(at + ELEMENTS_COUNT_OFFSET, 0, ORDER);
        dst.putBytes(at + ELEMENTS_KEY_OFFSET, key, koff, klen);
        return elementsHeadLength(klen);
    }

    /** Writes one element of an ELEMENTS_PUT op at {@code at}; returns its length. Count it with {@link #addElementCount}. */
    public static int encodeElementPut(MutableDirectBuffer dst, int at, DirectBuffer element, int eoff, int elen,
                                       DirectBuffer payload, int poff, int plen) {
        dst.putInt(at, elen, ORDER);
        dst.putInt(at + 4, plen, ORDER);
        dst.putBytes(at + ELEMENT_PUT_HEAD, element, eoff, elen);
        dst.putBytes(at + ELEMENT_PUT_HEAD + elen, payload, poff, plen);
        return ELEMENT_PUT_HEAD + elen + plen;
    }

    /** Writes one element of an ELEMENTS_DEL op at {@code at}; returns its length. Count it with {@link #addElementCount}. */
    public static int encodeElementDel(MutableDirectBuffer dst, int at, DirectBuffer element, int eoff, int elen) {
        dst.putInt(at, elen, ORDER);
        dst.putBytes(at + ELEMENT_DEL_HEAD, element, eoff, elen);
        return ELEMENT_DEL_HEAD + elen;
    }

    /** Adds one to the element count of the element op starting at {@code opAt}. */
    public static void addElementCount(MutableDirectBuffer dst, int opAt) {
        int at = opAt + ELEMENTS_COUNT_OFFSET;
        dst.putInt(at, dst.getInt(at, ORDER) + 1, ORDER);
    }

    /**
     * Decodes one record, calling {@code v} once per op in order. Validates the whole record before the
     * first call, so a malformed record delivers nothing.
     *
     * @throws EffectFormatException when the record is malformed (the message names the offset)
     */
    public static void decode(DirectBuffer buf, int off, int len, EffectVisitor v) {
        decodeValid(buf, off, validate(buf, off, len), v);
    }

    /** Decodes a record known to be valid (one this process just encoded) with {@code count} ops. */
    static void decodeValid(DirectBuffer buf, int off, int count, EffectVisitor v) {
        int pos = off + HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            byte op = buf.getByte(pos + OP_CODE_OFFSET);
            switch (op) {
                case OP_PUT: {
                    byte type = buf.getByte(pos + PUT_TYPE_OFFSET);
                    long expiry = buf.getLong(pos + PUT_EXPIRY_OFFSET, ORDER);
                    int klen = buf.getInt(pos + PUT_KEY_LENGTH_OFFSET, ORDER);
                    int vlen = buf.getInt(pos + PUT_VALUE_LENGTH_OFFSET, ORDER);
                    int keyAt = pos + PUT_KEY_OFFSET;
                    v.put(type, buf, keyAt, klen, buf, keyAt + klen, vlen, expiry);
                    pos = keyAt + klen + vlen;
                    break;
                }
                case OP_DEL: {
                    int klen = buf.getInt(pos + DEL_KEY_LENGTH_OFFSET, ORDER);
                    v.delete(buf, pos + DEL_KEY_OFFSET, klen);
                    pos += DEL_KEY_OFFSET + klen;
                    break;
                }
                case OP_EXPIRE: {
                    long expiry = buf.getLong(pos + EXPIRE_EXPIRY_OFFSET, ORDER);
                    int klen = buf.getInt(pos + EXPIRE_KEY_LENGTH_OFFSET, ORDER);
                    v.expire(buf, pos + EXPIRE_KEY_OFFSET, klen, expiry);
                    pos += EXPIRE_KEY_OFFSET + klen;
                    break;
                }
                case OP_ELEMENTS_PUT:
                case OP_ELEMENTS_DEL: {
                    byte flagged = buf.getByte(pos + ELEMENTS_TYPE_OFFSET);
                    byte type = (byte) (flagged & ~AS_TABLE);
                    int klen = buf.getInt(pos + ELEMENTS_KEY_LENGTH_OFFSET, ORDER);
                    int n = buf.getInt(pos + ELEMENTS_COUNT_OFFSET, ORDER);
                    int keyAt = pos + ELEMENTS_KEY_OFFSET;
                    pos = keyAt + klen;
                    boolean put = op == OP_ELEMENTS_PUT;
                    if ((flagged & AS_TABLE) != 0) {
                        v.createAsTable(type, buf, keyAt, klen);
                    }
                    for (int e = 0; e < n; e++) {
                        int elen = buf.getInt(pos, ORDER);
                        if (put) {
                            int plen = buf.getInt(pos + 4, ORDER);
                            int elementAt = pos + ELEMENT_PUT_HEAD;
                            v.elementPut(type, buf, keyAt, klen, buf, elementAt, elen, buf, elementAt + elen, plen);
                            pos = elementAt + elen + plen;
                        } else {
                            v.elementDelete(type, buf, keyAt, klen, buf, pos + ELEMENT_DEL_HEAD, elen);
                            pos += ELEMENT_DEL_HEAD + elen;
                        }
                    }
                    break;
                }
                default: // OP_CLEAR; validate() refused anything else
                    v.clear();
                    pos += CLEAR_LENGTH;
                    break;
            }
        }
    }

    /**
     * Checks a record's structure and returns its op count.
     *
     * @throws EffectFormatException naming the first problem and its offset within the record
     */
    public static int validate(DirectBuffer buf, int off, int len) {
        if (len < HEADER_LENGTH) {
            throw new EffectFormatException("effect record too short: " + len + " bytes, a header needs "
                    + HEADER_LENGTH);
        }
        byte version = buf.getByte(off + VERSION_OFFSET);
        if (version < OLDEST_VERSION || version > VERSION) {
            throw new EffectFormatException("effect record version " + version + " at offset 0 is not supported;"
                    + " this build reads versions " + OLDEST_VERSION + " to " + VERSION + " (use a newer qrrot)");
        }
        int count = buf.getInt(off + OP_COUNT_OFFSET, ORDER);
        if (count < 1) {
            throw new EffectFormatException("effect record op count " + count + " at offset " + OP_COUNT_OFFSET
                    + ", expected at least 1");
        }
        int end = off + len;
        int pos = off + HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            if (pos >= end) {
                throw malformed(off, pos, "op " + (i + 1) + " of " + count + " starts past the end of the record ("
                        + len + " bytes)");
            }
            byte op = buf.getByte(pos + OP_CODE_OFFSET);
            switch (op) {
                case OP_PUT: {
                    need(off, pos, PUT_KEY_OFFSET, end, "PUT header");
                    byte type = buf.getByte(pos + PUT_TYPE_OFFSET);
                    if ((type < TYPE_STRING || type > TYPE_JSON) && type != TYPE_ITEM) {
                        throw malformed(off, pos + PUT_TYPE_OFFSET, "PUT value type " + type
                                + ", expected 1 (string), 2 (int), 3 (json) or 8 (memcached item)");
                    }
                    long klen = buf.getInt(pos + PUT_KEY_LENGTH_OFFSET, ORDER);
                    long vlen = buf.getInt(pos + PUT_VALUE_LENGTH_OFFSET, ORDER);
                    if (klen < 0 || vlen < 0) {
                        throw malformed(off, pos, "PUT with negative key or value length " + klen + "/" + vlen);
                    }
                    if (type == TYPE_INT && vlen != 8) {
                        throw malformed(off, pos, "PUT of an int with value length " + vlen + ", expected 8");
                    }
                    if (type == TYPE_ITEM && vlen < EntryType.ITEM_HEAD) {
                        throw malformed(off, pos, "PUT of a memcached item with value length " + vlen
                                + ", expected at least " + EntryType.ITEM_HEAD);
                    }
                    need(off, pos, PUT_KEY_OFFSET + klen + vlen, end, "PUT key and value");
                    pos += (int) (PUT_KEY_OFFSET + klen + vlen);
                    break;
                }
                case OP_DEL: {
                    need(off, pos, DEL_KEY_OFFSET, end, "DEL header");
                    long klen = buf.getInt(pos + DEL_KEY_LENGTH_OFFSET, ORDER);
                    if (klen < 0) {
                        throw malformed(off, pos, "DEL with negative key length " + klen);
                    }
                    need(off, pos, DEL_KEY_OFFSET + klen, end, "DEL key");
                    pos += (int) (DEL_KEY_OFFSET + klen);
                    break;
                }
                case OP_EXPIRE: {
                    need(off, pos, EXPIRE_KEY_OFFSET, end, "EXPIRE header");
                    long klen = buf.getInt(pos + EXPIRE_KEY_LENGTH_OFFSET, ORDER);
                    if (klen < 0) {
                        throw malformed(off, pos, "EXPIRE with negative key length " + klen);
                    }
                    need(off, pos, EXPIRE_KEY_OFFSET + klen, end, "EXPIRE key");
                    pos += (int) (EXPIRE_KEY_OFFSET + klen);
                    break;
                }
                case OP_CLEAR:
                    pos += CLEAR_LENGTH;
                    break;
                case OP_ELEMENTS_PUT:
                case OP_ELEMENTS_DEL: {
                    String name = op == OP_ELEMENTS_PUT ? "ELEMENTS_PUT" : "ELEMENTS_DEL";
                    if (version < 2) {
                        throw malformed(off, pos, name + " in a version " + version + " record");
                    }
                    need(off, pos, ELEMENTS_KEY_OFFSET, end, name + " header");
                    byte flagged = buf.getByte(pos + ELEMENTS_TYPE_OFFSET);
                    if ((flagged & AS_TABLE) != 0 && op != OP_ELEMENTS_PUT) {
                        throw malformed(off, pos + ELEMENTS_TYPE_OFFSET, name + " with the AS_TABLE bit");
                    }
                    byte type = (byte) (flagged & ~AS_TABLE);
                    if (type != TYPE_HASH && type != TYPE_LIST && type != TYPE_SET && type != TYPE_ZSET) {
                        throw malformed(off, pos + ELEMENTS_TYPE_OFFSET, name + " value type " + type
                                + ", expected 4 (hash), 5 (list), 6 (set) or 7 (zset)");
                    }
                    long klen = buf.getInt(pos + ELEMENTS_KEY_LENGTH_OFFSET, ORDER);
                    long n = buf.getInt(pos + ELEMENTS_COUNT_OFFSET, ORDER);
                    if (klen < 0 || n < 1) {
                        throw malformed(off, pos, name + " with key length " + klen + " and count " + n
                                + "; expected a length >= 0 and a count >= 1");
                    }
                    need(off, pos, ELEMENTS_KEY_OFFSET + klen, end, name + " key");
                    pos += (int) (ELEMENTS_KEY_OFFSET + klen);
                    boolean put = op == OP_ELEMENTS_PUT;
                    int head = put ? ELEMENT_PUT_HEAD : ELEMENT_DEL_HEAD;
                    for (long e = 0; e < n; e++) {
                        need(off, pos, head, end, name + " element " + (e + 1) + " of " + n + " header");
                        long elen = buf.getInt(pos, ORDER);
                        long plen = put ? buf.getInt(pos + 4, ORDER) : 0;
                        if (elen < 0 || plen < 0) {
                            throw malformed(off, pos, name + " element with negative length " + elen + "/" + plen);
                        }
                        need(off, pos, head + elen + plen, end, name + " element " + (e + 1) + " of " + n);
                        if (type == TYPE_LIST && elen != LIST_LABEL_BYTES) {
                            throw malformed(off, pos, name + " list element with a " + elen + "-byte label; expected "
                                    + LIST_LABEL_BYTES);
                        }
                        if (put && type == TYPE_ZSET) {
                            if (plen != EntryType.SCORE_BYTES) {
                                throw malformed(off, pos, name + " sorted-set member with a " + plen
                                        + "-byte score; expected " + EntryType.SCORE_BYTES);
                            }
                            if (Double.isNaN(Double.longBitsToDouble(buf.getLong(pos + head + (int) elen,
                                    ByteOrder.LITTLE_ENDIAN)))) {
                                throw malformed(off, pos, name + " sorted-set member with a NaN score");
                            }
                        }
                        pos += (int) (head + elen + plen);
                    }
                    break;
                }
                default:
                    throw malformed(off, pos, "unknown op code " + op + ", expected 1 (PUT), 2 (DEL), 3 (EXPIRE),"
                            + " 4 (CLEAR), 5 (ELEMENTS_PUT) or 6 (ELEMENTS_DEL)");
            }
        }
        if (pos != end) {
            throw malformed(off, pos, (end - pos) + " bytes after the last of " + count + " ops");
        }
        return count;
    }

    private static void need(int recordStart, int pos, long bytes, int end, String what) {
        if (pos + bytes > end) {
            throw malformed(recordStart, pos, what + " needs " + bytes + " bytes but the record ends after "
                    + (end - pos));
        }
    }

    private static EffectFormatException malformed(int recordStart, int pos, String what) {
        return new EffectFormatException("malformed effect record at offset " + (pos - recordStart) + ": " + what);
    }
}
