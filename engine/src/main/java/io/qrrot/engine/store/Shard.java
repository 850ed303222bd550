package io.qrrot.engine.store;

import java.util.concurrent.locks.ReentrantLock;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One shard of a {@link Keyspace}: a hash index from 64-bit key hash to off-heap entry, the entries, and the
 * memory they live in, guarded by one lock.
 *
 * <p><b>Threading.</b> Every method except {@link #lock()}, {@link #unlock()}, {@link #tryLock()},
 * {@link #isHeldByCurrentThread()} and {@link #index()} requires the caller to hold this shard's lock, and
 * views filled by the shard stay valid only while it is held and the shard is not modified. A caller that
 * needs several shards locks them in ascending {@link #index()} order. There is no other lock: shards never
 * wait for each other, and a reader under the lock never sees a half-written entry.
 *
 * <p><b>Keys.</b> Every key-addressed method takes the key bytes and the key's hash as computed by
 * {@link Keyspace#hash}; passing a different hash for the same key makes the entry unreachable. Two keys
 * with the same hash are told apart by their bytes.
 *
 * <p><b>Expiry.</b> The shard stores an absolute expiry (epoch ms, 0 = none) but never checks it: the
 * command layer decides what an expired entry means.
 *
 * <p><b>Memory.</b> A write that would take the keyspace past its {@code maxmemory} throws
 * {@link StoreMemoryException} and leaves the shard unchanged. Nothing allocates on the Java heap per
 * operation (except when the index grows).
 */
public final class Shard {
    private final ReentrantLock lock = new ReentrantLock();
    private final int index;

    Shard(int index) {
        this.index = index;
    }

    /** This shard's position in {@link Keyspace#shard(int)}: the order in which to lock several shards. */
    public int index() {
        return index;
    }

    public void lock() {
        lock.lock();
    }

    public boolean tryLock() {
        return lock.tryLock();
    }

    public void unlock() {
        lock.unlock();
    }

    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /**
     * Looks a key up and points {@code view} at its entry. Does not check expiry.
     *
     * @return true when the key exists (the view is then valid), false otherwise (the view is untouched)
     */
    public boolean find(DirectBuffer key, int keyOffset, int keyLength, long hash, EntryView view) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Inserts or replaces an entry with a copy of the value bytes. The key and value may point into an entry
     * of this keyspace (for example a view of the old value): they are read before any memory is freed.
     *
     * @param type   {@link EntryType#STRING}, {@link EntryType#INT} (value must then be 8 bytes) or
     *               {@link EntryType#JSON}
     * @param expiry absolute expiry in epoch ms, 0 = none
     * @return true when an entry with this key was replaced, false when a new one was created
     * @throws StoreMemoryException when {@code maxmemory} would be exceeded (nothing changes)
     */
    public boolean put(DirectBuffer key, int keyOffset, int keyLength, long hash, byte type, long expiry,
                       DirectBuffer value, int valueOffset, int valueLength) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Inserts or replaces an {@link EntryType#INT} entry holding {@code value}. Replacing an INT in place
     * (INCR) allocates nothing.
     *
     * @return true when an entry with this key was replaced
     * @throws StoreMemoryException when {@code maxmemory} would be exceeded (nothing changes)
     */
    public boolean putLong(DirectBuffer key, int keyOffset, int keyLength, long hash, long expiry, long value) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Gives the entry of a key a value of {@code newLength} bytes whose first {@code keepPrefixOfOld} bytes
     * are those of the old value, and returns a buffer over the whole new value for the caller to fill the
     * rest while still holding the lock (APPEND, SETRANGE, building JSON in place). Bytes from
     * {@code keepPrefixOfOld} to {@code newLength} are zero on return. Creates the entry when the key is
     * missing ({@code keepPrefixOfOld} must then be 0). The entry is resized in place when its block still
     * fits; large values grow with headroom so repeated appends do not copy the whole value every time.
     *
     * @param type   type of the new value
     * @param expiry absolute expiry of the entry, 0 = none
     * @return a buffer of exactly {@code newLength} bytes at offset 0, valid until the shard is next modified
     *         or unlocked
     * @throws IllegalArgumentException when {@code keepPrefixOfOld} exceeds the old value's length or
     *                                  {@code newLength}
     * @throws StoreMemoryException     when {@code maxmemory} would be exceeded (nothing changes)
     */
    public MutableDirectBuffer replaceValue(DirectBuffer key, int keyOffset, int keyLength, long hash, byte type,
                                            long expiry, int newLength, int keepPrefixOfOld) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Sets the absolute expiry of an existing entry (0 removes the TTL), in place when the entry already
     * stores one.
     *
     * @return false when the key does not exist
     * @throws StoreMemoryException when adding the 8 expiry bytes would exceed {@code maxmemory}
     */
    public boolean setExpiry(DirectBuffer key, int keyOffset, int keyLength, long hash, long expiry) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Removes a key and frees its entry.
     *
     * @return true when the key existed
     */
    public boolean remove(DirectBuffer key, int keyOffset, int keyLength, long hash) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Number of entries in this shard (expired ones included until removed). */
    public int size() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Removes every entry and gives all of this shard's off-heap memory back to the operating system. */
    public void clear() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Visits some entries and returns the cursor to continue from; 0 means the scan of this shard is done.
     * Start with cursor 0. Every entry present from the start to the end of a full scan is visited at least
     * once, whatever is inserted, removed or resized in between (the lock may be released between calls);
     * an entry may be visited more than once. Each call visits about {@code count} entries (more when it
     * must finish a run of occupied index slots, fewer when it reaches the end).
     *
     * @param visitor called under the lock for each entry; it must not modify the shard
     */
    public long scan(long cursor, int count, EntryVisitor visitor) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Points {@code view} at an entry chosen from the bits of {@code random} (RANDOMKEY, eviction sampling).
     * Roughly uniform, not exactly: an entry after a long run of empty index slots is a little likelier.
     *
     * @return false when the shard is empty
     */
    public boolean randomEntry(long random, EntryView view) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Adds this shard's counters to {@code into} (does not reset it). */
    public void addStatsTo(StoreStats into) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
