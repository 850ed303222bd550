package io.qrrot.engine;

import io.qrrot.engine.store.EntryType;
import io.qrrot.engine.store.EntryView;
import org.agrona.DirectBuffer;

/**
 * The live value of a key as a command sees it: from the store, or from an earlier op of the same effect
 * record (a write earlier in the same command or transaction). Filled by {@link Ctx#find}; valid until the
 * next find into the same instance or the end of the command. Not thread-safe.
 */
final class Found {
    final EntryView view = new EntryView();
    byte type;
    /**
     * The key holds a memcached item ({@link EntryType#ITEM}). Unless the command reads items whole
     * ({@link Ctx#rawItems}), {@link #type} then says STRING and the value starts after the item's head.
     */
    boolean item;
    long expiry;
    DirectBuffer value;
    int offset;
    int length;

    /** The type as stored: {@link EntryType#ITEM} for a memcached item read as a string. */
    byte storedType() {
        return item ? EntryType.ITEM : type;
    }

    /** Where the value as stored starts: before the head of a memcached item read as a string. */
    int storedOffset() {
        return item && type != EntryType.ITEM ? offset - EntryType.ITEM_HEAD : offset;
    }

    int storedLength() {
        return item && type != EntryType.ITEM ? length + EntryType.ITEM_HEAD : length;
    }

    boolean isInt() {
        return type == EntryType.INT;
    }

    boolean isJson() {
        return type == EntryType.JSON;
    }

    /** The integer of an INT value (8 bytes little-endian in both the store and an effect). */
    long longValue() {
        return value.getLong(offset, EffectCodec.ORDER);
    }

    /** Length of the value as text (an INT's decimal text). */
    int textLength() {
        return isInt() ? Numbers.textLength(longValue()) : length;
    }

    /** Replies with the value as a bulk string (an INT as its decimal text). */
    void reply(ReplySink out) {
        if (isInt()) {
            out.bulkLong(longValue());
        } else {
            out.bulk(value, offset, length);
        }
    }
}
