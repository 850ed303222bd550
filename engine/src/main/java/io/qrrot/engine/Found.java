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
    long expiry;
    DirectBuffer value;
    int offset;
    int length;

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
