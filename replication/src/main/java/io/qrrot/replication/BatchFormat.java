package io.qrrot.replication;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One Raft entry: the effects a leader gathered between two ends of a batch (an event loop's read, or an
 * active expiry cycle), in the order it applied them. Ratis frames and checksums the entry in its own log,
 * so this format has no CRC of its own.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |  version (1)  |                  reserved (0)                 |  0
 *  +---------------+-----------------------------------------------+
 *  |                origin: the leader's node hash (u64)           |  4
 *  +---------------------------------------------------------------+
 *  |            epoch: the term the leader served in (u64)         | 12
 *  +---------------------------------------------------------------+
 *  |   previous: the last LSN of the origin's previous batch (u64) | 20
 *  +---------------------------------------------------------------+
 *  |        last: the LSN of this batch's last effect (u64)        | 28
 *  +---------------------------------------------------------------+
 *  |                      effect count n (u32)                     | 36
 *  +---------------------------------------------------------------+
 *  |  n times: effect length (u32), then the effect record          | 40
 *  |  (io.qrrot.engine.EffectCodec)                                 |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * All integers little-endian. LSNs are the origin's own numbering, not Raft indexes: they let the origin tell
 * which of the effects it applied before they were committed reached the log ({@code previous} chains an
 * origin's batches, so a batch lost in between shows as a gap).
 */
final class BatchFormat {
    static final byte VERSION = 1;

    static final int VERSION_OFFSET = 0;
    static final int VERSION_LENGTH = 1;
    static final int RESERVED_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    static final int RESERVED_LENGTH = 3;
    static final int ORIGIN_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    static final int ORIGIN_LENGTH = 8;
    static final int EPOCH_OFFSET = ORIGIN_OFFSET + ORIGIN_LENGTH;
    static final int EPOCH_LENGTH = 8;
    static final int PREVIOUS_OFFSET = EPOCH_OFFSET + EPOCH_LENGTH;
    static final int PREVIOUS_LENGTH = 8;
    static final int LAST_OFFSET = PREVIOUS_OFFSET + PREVIOUS_LENGTH;
    static final int LAST_LENGTH = 8;
    static final int COUNT_OFFSET = LAST_OFFSET + LAST_LENGTH;
    static final int COUNT_LENGTH = 4;
    static final int HEADER_LENGTH = COUNT_OFFSET + COUNT_LENGTH;
    static final int EFFECT_LENGTH_LENGTH = 4;

    private BatchFormat() {
    }

    static void writeHeader(MutableDirectBuffer b, long origin, long epoch, long previous, long last, int count) {
        b.putByte(VERSION_OFFSET, VERSION);
        b.putByte(RESERVED_OFFSET, (byte) 0);
        b.putShort(RESERVED_OFFSET + 1, (short) 0, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(ORIGIN_OFFSET, origin, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(EPOCH_OFFSET, epoch, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(PREVIOUS_OFFSET, previous, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(LAST_OFFSET, last, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(COUNT_OFFSET, count, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /** The header of an entry, checked against its length. */
    record Header(long origin, long epoch, long previous, long last, int count) {
        static Header read(DirectBuffer b, int length) {
            if (length < HEADER_LENGTH) {
                throw new IllegalStateException("a replicated batch of " + length + " bytes is shorter than its "
                        + HEADER_LENGTH + "-byte header");
            }
            byte version = b.getByte(VERSION_OFFSET);
            if (version != VERSION) {
                throw new IllegalStateException("a replicated batch of version " + version + "; this build reads "
                        + VERSION + " (a newer node wrote it: upgrade this one)");
            }
            java.nio.ByteOrder le = java.nio.ByteOrder.LITTLE_ENDIAN;
            return new Header(b.getLong(ORIGIN_OFFSET, le), b.getLong(EPOCH_OFFSET, le),
                    b.getLong(PREVIOUS_OFFSET, le), b.getLong(LAST_OFFSET, le), b.getInt(COUNT_OFFSET, le));
        }
    }

    /** Calls {@code effect} for each effect of an entry, checking every length against the entry's. */
    static void forEachEffect(DirectBuffer b, int length, Header h, EffectConsumer effect) {
        int at = HEADER_LENGTH;
        for (int i = 0; i < h.count(); i++) {
            if (at + EFFECT_LENGTH_LENGTH > length) {
                throw new IllegalStateException("a replicated batch ends inside effect " + i + " of " + h.count());
            }
            int n = b.getInt(at, java.nio.ByteOrder.LITTLE_ENDIAN);
            at += EFFECT_LENGTH_LENGTH;
            if (n < 0 || n > length - at) {
                throw new IllegalStateException("effect " + i + " of a replicated batch claims " + n + " bytes; "
                        + (length - at) + " remain");
            }
            effect.accept(b, at, n);
            at += n;
        }
        if (at != length) {
            throw new IllegalStateException("a replicated batch has " + (length - at) + " bytes after its "
                    + h.count() + " effects");
        }
    }

    @FunctionalInterface
    interface EffectConsumer {
        void accept(DirectBuffer buffer, int offset, int length);
    }
}
