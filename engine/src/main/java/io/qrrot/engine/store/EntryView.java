package io.qrrot.engine.store;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable, read-only flyweight over one entry in off-heap memory, filled by {@link Shard#find} and
 * {@link Shard#randomEntry}. It is valid only while the lock of the shard that filled it is held and until
 * that shard is next modified. Not thread-safe: keep one per thread (or connection).
 *
 * <p>The buffers returned by {@link #key()} and {@link #value()} belong to the view and are re-pointed on
 * every call; never write through them.
 */
public final class EntryView {
    private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer value = new UnsafeBuffer(0, 0);
    private long address;

    /** Points the view at the entry starting at {@code address}; for the store only. */
    void wrap(long address) {
        this.address = address;
    }

    /** Off-heap address of the entry's header, for the store and for diagnostics. */
    long address() {
        return address;
    }

    /** {@link EntryType#STRING}, {@link EntryType#INT} or {@link EntryType#JSON}. */
    public byte type() {
        return EntryLayout.type(address);
    }

    /** Absolute expiry in epoch milliseconds, or 0 when the entry does not expire. */
    public long expiry() {
        return EntryLayout.expiry(address);
    }

    public int keyLength() {
        return EntryLayout.keyLength(address);
    }

    /** The key bytes, at offset 0 of the returned buffer, {@link #keyLength()} long. */
    public DirectBuffer key() {
        key.wrap(EntryLayout.keyAddress(address), EntryLayout.keyLength(address));
        return key;
    }

    public int valueLength() {
        return EntryLayout.valueLength(address);
    }

    /**
     * The value bytes, at offset 0 of the returned buffer, {@link #valueLength()} long. For an
     * {@link EntryType#INT} entry these are the 8 bytes of the integer in little-endian order.
     */
    public DirectBuffer value() {
        value.wrap(EntryLayout.valueAddress(address), EntryLayout.valueLength(address));
        return value;
    }

    /**
     * The integer of an {@link EntryType#INT} entry.
     *
     * @throws IllegalStateException when the entry is not an INT
     */
    public long longValue() {
        if (EntryLayout.type(address) != EntryType.INT) {
            throw new IllegalStateException("entry is a " + EntryType.name(type()) + ", not an int");
        }
        return EntryLayout.getLongLittleEndian(EntryLayout.valueAddress(address));
    }

    /** True when the key equals the given bytes. */
    public boolean keyEquals(DirectBuffer other, int offset, int length) {
        return EntryLayout.keyEquals(address, other, offset, length);
    }

    @Override
    public String toString() {
        return address == 0 ? "EntryView{}" : "EntryView{type=" + EntryType.name(type()) + ", keyLength=" + keyLength()
                + ", valueLength=" + valueLength() + ", expiry=" + expiry() + '}';
    }
}
