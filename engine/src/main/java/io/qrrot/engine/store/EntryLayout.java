package io.qrrot.engine.store;

import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * The layout of one entry in off-heap memory (little-endian; the address is 8-byte aligned):
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-------------+-----------------------------------------------+
 *  |E| type (7 b)  |            key length (int32) ...             |
 *  +-+-------------+-------------------------------+---------------+
 *  |  ... key len  |         value length (int32) ...              |
 *  +---------------+---------------+-------------------------------+
 *  | ... value len |  expiry (int64 epoch ms), only when E = 1 ... |
 *  +---------------+-----------------------------------------------+
 *  |                 key bytes (key length)                       ...
 *  +---------------------------------------------------------------+
 *  |                 value bytes (value length)                   ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The header is 9 bytes; an entry without a TTL does not pay the 8 expiry bytes (E = 0). An INT value is
 * its 8 bytes, little-endian. The block an entry lives in is the entry's length rounded up to a size class
 * (see {@link SlabAllocator}), so the block size is always recomputed from the header and never stored. No
 * CRC: the entry lives only in memory, guarded by its shard's lock.
 */
final class EntryLayout {
    static final int FLAGS_TYPE_OFFSET = 0;
    static final int FLAGS_TYPE_LENGTH = 1;
    static final int KEY_LENGTH_OFFSET = FLAGS_TYPE_OFFSET + FLAGS_TYPE_LENGTH;
    static final int KEY_LENGTH_LENGTH = 4;
    static final int VALUE_LENGTH_OFFSET = KEY_LENGTH_OFFSET + KEY_LENGTH_LENGTH;
    static final int VALUE_LENGTH_LENGTH = 4;
    static final int HEADER_LENGTH = VALUE_LENGTH_OFFSET + VALUE_LENGTH_LENGTH;
    /** Present only when the expiry flag is set; the key follows it. */
    static final int EXPIRY_OFFSET = HEADER_LENGTH;
    static final int EXPIRY_LENGTH = 8;

    /** Bit 7 of the first byte: an expiry is stored. */
    static final int EXPIRY_FLAG = 0x80;
    static final int TYPE_MASK = 0x7F;

    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private EntryLayout() {
    }

    /** Bytes of an entry with these lengths (header, optional expiry, key, value). */
    static long length(int keyLength, int valueLength, boolean hasExpiry) {
        return (long) HEADER_LENGTH + (hasExpiry ? EXPIRY_LENGTH : 0) + keyLength + valueLength;
    }

    static long length(long address) {
        return length(keyLength(address), valueLength(address), hasExpiry(address));
    }

    static byte type(long address) {
        return (byte) (UnsafeApi.getByte(address + FLAGS_TYPE_OFFSET) & TYPE_MASK);
    }

    static boolean hasExpiry(long address) {
        return (UnsafeApi.getByte(address + FLAGS_TYPE_OFFSET) & EXPIRY_FLAG) != 0;
    }

    static long expiry(long address) {
        return hasExpiry(address) ? getLongLittleEndian(address + EXPIRY_OFFSET) : 0;
    }

    static int keyLength(long address) {
        return getIntLittleEndian(address + KEY_LENGTH_OFFSET);
    }

    static int valueLength(long address) {
        return getIntLittleEndian(address + VALUE_LENGTH_OFFSET);
    }

    static long keyAddress(long address) {
        return address + HEADER_LENGTH + (hasExpiry(address) ? EXPIRY_LENGTH : 0);
    }

    static long valueAddress(long address) {
        return keyAddress(address) + keyLength(address);
    }

    /** Writes the header (and the expiry when it is not 0); key and value bytes are written by the caller. */
    static void writeHeader(long address, byte type, int keyLength, int valueLength, long expiry) {
        UnsafeApi.putByte(address + FLAGS_TYPE_OFFSET, (byte) (type | (expiry != 0 ? EXPIRY_FLAG : 0)));
        putIntLittleEndian(address + KEY_LENGTH_OFFSET, keyLength);
        putIntLittleEndian(address + VALUE_LENGTH_OFFSET, valueLength);
        if (expiry != 0) {
            putLongLittleEndian(address + EXPIRY_OFFSET, expiry);
        }
    }

    /** Overwrites the expiry of an entry that already stores one. */
    static void putExpiry(long address, long expiry) {
        putLongLittleEndian(address + EXPIRY_OFFSET, expiry);
    }

    /** True when the entry's key equals {@code length} bytes of {@code other} from {@code offset}. */
    static boolean keyEquals(long address, DirectBuffer other, int offset, int length) {
        if (keyLength(address) != length) {
            return false;
        }
        other.boundsCheck(offset, length);
        return bytesEqual(keyAddress(address), other.byteArray(), other.addressOffset() + offset, length);
    }

    /** Compares {@code length} off-heap bytes at {@code address} with bytes of {@code base} (null = off-heap). */
    static boolean bytesEqual(long address, Object base, long baseOffset, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (UnsafeApi.getLong(address + i) != UnsafeApi.getLong(base, baseOffset + i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (UnsafeApi.getByte(address + i) != UnsafeApi.getByte(base, baseOffset + i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies {@code length} bytes of a buffer (heap or off-heap) to off-heap {@code address}; the ranges must
     * not overlap. Up to {@link #SMALL_COPY} bytes are copied by words: the fixed cost of Unsafe.copyMemory
     * (checks and a native call) is several times that of copying a typical key or value.
     */
    static void copyFrom(DirectBuffer src, int offset, long address, int length) {
        if (length == 0) {
            return;
        }
        src.boundsCheck(offset, length);
        Object base = src.byteArray();
        long from = src.addressOffset() + offset;
        if (length > SMALL_COPY) {
            UnsafeApi.copyMemory(base, from, null, address, length);
        } else if (length >= Long.BYTES) {
            // From 8 bytes on, the last word overlaps the one before it instead of finishing byte by byte.
            int last = length - Long.BYTES;
            for (int i = 0; i < last; i += Long.BYTES) {
                UnsafeApi.putLong(address + i, UnsafeApi.getLong(base, from + i));
            }
            UnsafeApi.putLong(address + last, UnsafeApi.getLong(base, from + last));
        } else {
            for (int i = 0; i < length; i++) {
                UnsafeApi.putByte(address + i, UnsafeApi.getByte(base, from + i));
            }
        }
    }

    /** Copies up to this many bytes by words in {@link #copyFrom}. */
    static final int SMALL_COPY = 64;

    static long byteArrayOffset(int index) {
        return BufferUtil.ARRAY_BASE_OFFSET + index;
    }

    static long getLongLittleEndian(long address) {
        long v = UnsafeApi.getLong(address);
        return NATIVE_LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    static void putLongLittleEndian(long address, long value) {
        UnsafeApi.putLong(address, NATIVE_LITTLE_ENDIAN ? value : Long.reverseBytes(value));
    }

    static int getIntLittleEndian(long address) {
        int v = UnsafeApi.getInt(address);
        return NATIVE_LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    static void putIntLittleEndian(long address, int value) {
        UnsafeApi.putInt(address, NATIVE_LITTLE_ENDIAN ? value : Integer.reverseBytes(value));
    }
}
