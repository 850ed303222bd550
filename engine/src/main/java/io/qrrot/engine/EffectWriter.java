package io.qrrot.engine;

import io.qrrot.engine.store.EntryType;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Builds one effect record ({@link EffectCodec}) op by op in a reused buffer, and remembers where each op
 * starts and its key's hash, so that commands later in the same record can read what earlier ones wrote
 * (see {@link #latest}) and applying the record needs no second hash. Allocation-free once the buffers have
 * grown to the largest record. One per session. Not thread-safe.
 */
final class EffectWriter {
    /** Largest record this writer builds; a command or transaction that would exceed it is refused. */
    static final int MAX_RECORD = Integer.MAX_VALUE - (64 << 20);
    private static final int SHRINK_ABOVE = 4 << 20;

    private ExpandableArrayBuffer buf = new ExpandableArrayBuffer(256);
    private int length = EffectCodec.HEADER_LENGTH;
    private int ops;
    private int[] opOffsets = new int[16];
    private long[] opHashes = new long[16];

    /** Drops everything written; gives memory back after an unusually large record. */
    void reset() {
        length = EffectCodec.HEADER_LENGTH;
        ops = 0;
        commandStart = 0;
        elementsOp = -1;
        if (buf.capacity() > SHRINK_ABOVE) {
            buf = new ExpandableArrayBuffer(256);
        }
        if (opOffsets.length > 4096) {
            opOffsets = new int[16];
            opHashes = new long[16];
        }
    }

    int ops() {
        return ops;
    }

    /** The first op of the command now running: {@link #latest} looks no further back. */
    private int commandStart;

    /**
     * Marks the start of the next command of a transaction. Its earlier commands' ops are already applied to
     * the store (EXEC applies each command's ops when it finishes, see {@link Transactions}), so a read must
     * look in the store for them, not in this record.
     */
    void startCommand() {
        commandStart = ops;
    }

    int commandStart() {
        return commandStart;
    }

    /** Drops op {@code from} and every op after it. */
    void truncate(int from) {
        if (from < ops) {
            length = opOffsets[from];
            ops = from;
            elementsOp = -1;
        }
    }

    /** True when {@code more} bytes still fit under {@link #MAX_RECORD}. */
    boolean fits(long more) {
        return length + more <= MAX_RECORD;
    }

    private int beginOp(long hash, long bytes) {
        if (!fits(bytes)) {
            throw new IllegalStateException("effect record would exceed " + MAX_RECORD + " bytes");
        }
        if (ops == opOffsets.length) {
            opOffsets = java.util.Arrays.copyOf(opOffsets, ops * 2);
            opHashes = java.util.Arrays.copyOf(opHashes, ops * 2);
        }
        opOffsets[ops] = length;
        opHashes[ops] = hash;
        return length;
    }

    void put(long hash, byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
             long expiry) {
        int at = beginOp(hash, EffectCodec.putLength(klen, vlen));
        length += EffectCodec.encodePut(buf, at, type, key, koff, klen, value, voff, vlen, expiry);
        ops++;
    }

    void putLong(long hash, DirectBuffer key, int koff, int klen, long value, long expiry) {
        int at = beginOp(hash, EffectCodec.putLength(klen, 8));
        length += EffectCodec.encodePutInt(buf, at, key, koff, klen, value, expiry);
        ops++;
    }

    /** A PUT of a memcached item whose bytes are {@code a} then {@code b} (see {@link EffectCodec#encodePutItem}). */
    void putItem(long hash, DirectBuffer key, int koff, int klen, int flags, long cas, DirectBuffer a, int aoff,
                 int alen, DirectBuffer b, int boff, int blen, long expiry) {
        int at = beginOp(hash, EffectCodec.putLength(klen, EntryType.ITEM_HEAD + alen + blen));
        length += EffectCodec.encodePutItem(buf, at, key, koff, klen, flags, cas, a, aoff, alen, b, boff, blen, expiry);
        ops++;
    }

    void delete(long hash, DirectBuffer key, int koff, int klen) {
        int at = beginOp(hash, EffectCodec.delLength(klen));
        length += EffectCodec.encodeDel(buf, at, key, koff, klen);
        ops++;
    }

    void expire(long hash, DirectBuffer key, int koff, int klen, long expiry) {
        int at = beginOp(hash, EffectCodec.expireLength(klen));
        length += EffectCodec.encodeExpire(buf, at, key, koff, klen, expiry);
        ops++;
    }

    void clear() {
        int at = beginOp(0, EffectCodec.CLEAR_LENGTH);
        length += EffectCodec.encodeClear(buf, at);
        ops++;
    }

    /** Offset of the element op being built by {@link #beginElements}, for {@link #addElement}. */
    private int elementsOp = -1;

    /**
     * Starts an ELEMENTS_PUT or ELEMENTS_DEL op; add its elements with {@link #addElement} (PUT) or
     * {@link #addRemoved} (DEL), at least one, before the next op starts.
     */
    void beginElements(long hash, byte op, byte type, DirectBuffer key, int koff, int klen) {
        int at = beginOp(hash, EffectCodec.elementsHeadLength(klen));
        length += EffectCodec.encodeElementsHead(buf, at, op, type, key, koff, klen);
        elementsOp = at;
        ops++;
    }

    /** Adds an element and its payload to the ELEMENTS_PUT op being built. */
    void addElement(DirectBuffer element, int eoff, int elen, DirectBuffer payload, int poff, int plen) {
        grow((long) EffectCodec.ELEMENT_PUT_HEAD + elen + plen);
        length += EffectCodec.encodeElementPut(buf, length, element, eoff, elen, payload, poff, plen);
        EffectCodec.addElementCount(buf, elementsOp);
    }

    /** Adds an element whose payload is a decimal number's text (HINCRBY's result) to an ELEMENTS_PUT op. */
    void addElementLong(DirectBuffer element, int eoff, int elen, long payload) {
        int plen = Numbers.textLength(payload);
        grow((long) EffectCodec.ELEMENT_PUT_HEAD + elen + plen);
        buf.putInt(length, elen, EffectCodec.ORDER);
        buf.putInt(length + 4, plen, EffectCodec.ORDER);
        buf.putBytes(length + EffectCodec.ELEMENT_PUT_HEAD, element, eoff, elen);
        buf.putLongAscii(length + EffectCodec.ELEMENT_PUT_HEAD + elen, payload);
        length += EffectCodec.ELEMENT_PUT_HEAD + elen + plen;
        EffectCodec.addElementCount(buf, elementsOp);
    }

    /** Adds an element to the ELEMENTS_DEL op being built. */
    void addRemoved(DirectBuffer element, int eoff, int elen) {
        grow((long) EffectCodec.ELEMENT_DEL_HEAD + elen);
        length += EffectCodec.encodeElementDel(buf, length, element, eoff, elen);
        EffectCodec.addElementCount(buf, elementsOp);
    }

    private void grow(long bytes) {
        if (!fits(bytes)) {
            throw new IllegalStateException("effect record would exceed " + MAX_RECORD + " bytes");
        }
    }

    /** Writes the header; the record is then {@link #buffer()}[0, {@link #length()}). */
    void finish() {
        EffectCodec.encodeHeader(buf, 0, ops);
    }

    MutableDirectBuffer buffer() {
        return buf;
    }

    int length() {
        return length;
    }

    int opOffset(int op) {
        return opOffsets[op];
    }

    long opHash(int op) {
        return opHashes[op];
    }

    byte opCode(int op) {
        return buf.getByte(opOffsets[op] + EffectCodec.OP_CODE_OFFSET);
    }

    /** Result of {@link #latest}: no op of this record decides the key; look in the store. */
    static final int NOT_WRITTEN = -1;
    /** Result of {@link #latest}: the record deletes the key (DEL, or CLEAR with no later PUT). */
    static final int DELETED = -2;

    private long expiryOverride;
    private boolean expiryOverridden;

    /**
     * What this record says about a key so far, the last op winning: the index of its latest PUT,
     * {@link #DELETED}, or {@link #NOT_WRITTEN}. EXPIRE ops after that point are folded in: see
     * {@link #expiryOverridden()} and {@link #expiryOverride()}.
     */
    int latest(DirectBuffer key, int koff, int klen, long hash) {
        expiryOverridden = false;
        final ExpandableArrayBuffer b = buf;
        for (int i = ops - 1; i >= commandStart; i--) {
            int at = opOffsets[i];
            byte op = b.getByte(at);
            if (op == EffectCodec.OP_CLEAR) {
                return DELETED;
            }
            if (opHashes[i] != hash) {
                continue;
            }
            switch (op) {
                case EffectCodec.OP_ELEMENTS_PUT:
                case EffectCodec.OP_ELEMENTS_DEL:
                    if (keyEquals(at + EffectCodec.ELEMENTS_KEY_LENGTH_OFFSET, at + EffectCodec.ELEMENTS_KEY_OFFSET,
                            key, koff, klen)) {
                        // No command reads back a collection it changed; one that did would see a stale value.
                        throw new IllegalStateException("a command read a collection it had already changed");
                    }
                    break;
                case EffectCodec.OP_PUT:
                    if (keyEquals(at + EffectCodec.PUT_KEY_LENGTH_OFFSET, at + EffectCodec.PUT_KEY_OFFSET,
                            key, koff, klen)) {
                        return i;
                    }
                    break;
                case EffectCodec.OP_DEL:
                    if (keyEquals(at + EffectCodec.DEL_KEY_LENGTH_OFFSET, at + EffectCodec.DEL_KEY_OFFSET,
                            key, koff, klen)) {
                        return DELETED;
                    }
                    break;
                default: // EXPIRE
                    if (!expiryOverridden && keyEquals(at + EffectCodec.EXPIRE_KEY_LENGTH_OFFSET,
                            at + EffectCodec.EXPIRE_KEY_OFFSET, key, koff, klen)) {
                        expiryOverridden = true;
                        expiryOverride = b.getLong(at + EffectCodec.EXPIRE_EXPIRY_OFFSET, EffectCodec.ORDER);
                    }
                    break;
            }
        }
        return NOT_WRITTEN;
    }

    boolean expiryOverridden() {
        return expiryOverridden;
    }

    long expiryOverride() {
        return expiryOverride;
    }

    private boolean keyEquals(int lengthAt, int keyAt, DirectBuffer key, int koff, int klen) {
        if (buf.getInt(lengthAt, EffectCodec.ORDER) != klen) {
            return false;
        }
        for (int i = 0; i < klen; i++) {
            if (buf.getByte(keyAt + i) != key.getByte(koff + i)) {
                return false;
            }
        }
        return true;
    }

    // Accessors for a PUT op, by op index.
    byte putType(int op) {
        return buf.getByte(opOffsets[op] + EffectCodec.PUT_TYPE_OFFSET);
    }

    long putExpiry(int op) {
        return buf.getLong(opOffsets[op] + EffectCodec.PUT_EXPIRY_OFFSET, EffectCodec.ORDER);
    }

    int putValueOffset(int op) {
        int at = opOffsets[op];
        return at + EffectCodec.PUT_KEY_OFFSET + buf.getInt(at + EffectCodec.PUT_KEY_LENGTH_OFFSET, EffectCodec.ORDER);
    }

    int putValueLength(int op) {
        return buf.getInt(opOffsets[op] + EffectCodec.PUT_VALUE_LENGTH_OFFSET, EffectCodec.ORDER);
    }

    /** The key of op {@code op} (any op but CLEAR): offset and length in {@link #buffer()}. */
    int keyOffset(int op) {
        int at = opOffsets[op];
        switch (buf.getByte(at)) {
            case EffectCodec.OP_PUT:
                return at + EffectCodec.PUT_KEY_OFFSET;
            case EffectCodec.OP_DEL:
                return at + EffectCodec.DEL_KEY_OFFSET;
            case EffectCodec.OP_ELEMENTS_PUT:
            case EffectCodec.OP_ELEMENTS_DEL:
                return at + EffectCodec.ELEMENTS_KEY_OFFSET;
            default:
                return at + EffectCodec.EXPIRE_KEY_OFFSET;
        }
    }

    int keyLength(int op) {
        int at = opOffsets[op];
        switch (buf.getByte(at)) {
            case EffectCodec.OP_PUT:
                return buf.getInt(at + EffectCodec.PUT_KEY_LENGTH_OFFSET, EffectCodec.ORDER);
            case EffectCodec.OP_DEL:
                return buf.getInt(at + EffectCodec.DEL_KEY_LENGTH_OFFSET, EffectCodec.ORDER);
            case EffectCodec.OP_ELEMENTS_PUT:
            case EffectCodec.OP_ELEMENTS_DEL:
                return buf.getInt(at + EffectCodec.ELEMENTS_KEY_LENGTH_OFFSET, EffectCodec.ORDER);
            default:
                return buf.getInt(at + EffectCodec.EXPIRE_KEY_LENGTH_OFFSET, EffectCodec.ORDER);
        }
    }
}
