package io.qrrot.engine;

import org.agrona.DirectBuffer;

/**
 * Receives the operations of one effect record from {@link EffectCodec#decode}, in order. The buffers point
 * into the record being decoded and are valid only during the call: copy what you keep.
 */
public interface EffectVisitor {
    /**
     * The key now holds this value (the full after-image).
     *
     * @param type   {@link EffectCodec#TYPE_STRING}, {@link EffectCodec#TYPE_INT} (value is 8 bytes, a
     *               little-endian signed 64-bit integer) or {@link EffectCodec#TYPE_JSON} (compact UTF-8 JSON)
     * @param expiry absolute expiry in epoch milliseconds, 0 for none
     */
    void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen, long expiry);

    /** The key no longer exists (deleted, renamed away or expired). */
    void delete(DirectBuffer key, int koff, int klen);

    /** The key, if it exists, now expires at {@code expiry} (epoch milliseconds); 0 removes its expiry. */
    void expire(DirectBuffer key, int koff, int klen, long expiry);

    /** Every key was deleted (FLUSHALL / FLUSHDB). */
    void clear();

    /**
     * The element of the collection at the key now has this payload. When the key is missing it is first
     * created as an empty collection of {@code type} without expiry; the key never holds another type here
     * (the engine refused that command with WRONGTYPE).
     *
     * @param type    {@link EffectCodec#TYPE_HASH} (element = field, payload = value)
     */
    void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff, int elen,
                    DirectBuffer payload, int poff, int plen);

    /**
     * The element is no longer in the collection at the key (nothing happens when it was not there). A
     * collection left without elements is deleted with its key.
     */
    void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff, int elen);

    /**
     * The ELEMENTS_PUT op whose elements follow creates the key, if it is missing, as a table rather than a packed
     * collection (Redis keeps a collection's encoding through RENAME and COPY). Only the store cares; the
     * default does nothing.
     */
    default void createAsTable(byte type, DirectBuffer key, int koff, int klen) {
    }
}
