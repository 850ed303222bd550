package io.qrrot.recovery;

import io.qrrot.engine.CommandArgs;

/**
 * Redis Cluster's key-to-slot mapping: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key modulo
 * 16,384. A key holding <code>{tag}</code> with a non-empty tag hashes the tag alone (the first <code>{</code>
 * and the first <code>}</code> after it), so keys that share a tag share a slot, as in Redis.
 */
public final class Slots {
    /** The number of hash slots. */
    public static final int COUNT = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private Slots() {
    }

    /** The slot of {@code key}. */
    public static int of(byte[] key) {
        return of(key, 0, key.length);
    }

    /** The slot of argument {@code i} of {@code args}. */
    public static int of(CommandArgs args, int i) {
        return of(args.array(), args.offset(i), args.length(i));
    }

    /** The slot of the key in {@code key[offset, offset + length)}. */
    public static int of(byte[] key, int offset, int length) {
        int end = offset + length;
        for (int open = offset; open < end; open++) {
            if (key[open] == '{') {
                for (int close = open + 1; close < end; close++) {
                    if (key[close] == '}') {
                        if (close > open + 1) {
                            return crc16(key, open + 1, close) & (COUNT - 1);
                        }
                        break;
                    }
                }
                break;
            }
        }
        return crc16(key, offset, end) & (COUNT - 1);
    }

    static int crc16(byte[] b, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ b[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }
}
