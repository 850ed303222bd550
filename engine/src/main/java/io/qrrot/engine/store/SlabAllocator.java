package io.qrrot.engine.store;

import org.agrona.UnsafeApi;

/**
 * The off-heap memory of one shard: blocks of fixed size classes carved from slabs, and large blocks
 * allocated one by one. Not thread-safe: used under its shard's lock.
 *
 * <p><b>Size classes.</b> 16 to 512 bytes in steps of 8 (so an entry wastes at most 7 bytes to rounding),
 * then four classes per power of two up to {@link #MAX_SMALL} (640, 768, 896, 1024, 1280, ... 4096).
 * Freed blocks go onto a per-class free list threaded through their first 8 bytes and are reused first.
 * Each class takes slabs from the operating system, starting small (so a shard with few entries holds
 * little) and doubling up to {@link #MAX_SLAB_BYTES}. Slabs go back to the operating system only on
 * {@link #releaseAll()}: a workload that shrinks leaves free blocks, reported as fragmentation.
 *
 * <p><b>Large blocks</b> (more than {@link #MAX_SMALL} bytes) are allocated individually with an 8-byte
 * prefix holding their usable capacity, and freed at once.
 *
 * <p>Every block address is 8-byte aligned, so bit 0 of an address is free for the index to tag.
 */
final class SlabAllocator {
    /** Largest block served from slabs. */
    static final int MAX_SMALL = 4096;
    /** Bytes in front of a large block holding its capacity. */
    static final int LARGE_PREFIX = 8;
    static final int MIN_BLOCK = 16;
    static final int MAX_SLAB_BYTES = 64 * 1024;
    private static final int MIN_SLAB_BYTES = 1024;
    private static final int FINE_LIMIT = 512;
    private static final int FINE_CLASSES = (FINE_LIMIT - MIN_BLOCK) / 8 + 1;
    /** Number of size classes (75). */
    static final int CLASS_COUNT = FINE_CLASSES + 4 * (Integer.numberOfTrailingZeros(MAX_SMALL) - Integer.numberOfTrailingZeros(FINE_LIMIT));
    private static final int[] CLASS_SIZE = new int[CLASS_COUNT];

    static {
        for (int c = 0; c < CLASS_COUNT; c++) {
            if (c < FINE_CLASSES) {
                CLASS_SIZE[c] = MIN_BLOCK + 8 * c;
            } else {
                int k = c - FINE_CLASSES;
                int base = FINE_LIMIT << (k / 4);
                CLASS_SIZE[c] = base + (k % 4 + 1) * (base / 4);
            }
        }
    }

    private final long[] freeHead = new long[CLASS_COUNT];
    private final long[] bumpNext = new long[CLASS_COUNT];
    private final long[] bumpEnd = new long[CLASS_COUNT];
    private final int[] nextSlabBytes = new int[CLASS_COUNT];
    private long[] slabs = new long[16];
    private int slabCount;
    private long allocatedBytes;
    private long slabBytes;
    private long blockBytes;

    /** The size class for a block of {@code length} bytes, or -1 when it is large. */
    static int classOf(long length) {
        if (length <= FINE_LIMIT) {
            return (int) ((Math.max(length, MIN_BLOCK) + 7) >>> 3) - MIN_BLOCK / 8;
        }
        if (length > MAX_SMALL) {
            return -1;
        }
        long m = length - 1;
        int p = 63 - Long.numberOfLeadingZeros(m);
        long step = 1L << (p - 2);
        return FINE_CLASSES + (p - Integer.numberOfTrailingZeros(FINE_LIMIT)) * 4 + (int) ((m - (1L << p)) / step);
    }

    static int classSize(int sizeClass) {
        return CLASS_SIZE[sizeClass];
    }

    /** Bytes a large block with this usable capacity takes, prefix included. */
    static long largeBlockBytes(long capacity) {
        return LARGE_PREFIX + capacity;
    }

    /**
     * Block bytes a new block for {@code length} bytes takes. A large block gets {@code headroom} more, and
     * at least 8 bytes spare so a later TTL fits in place.
     */
    static long blockBytesFor(long length, long headroom) {
        int sizeClass = classOf(length);
        return sizeClass >= 0 ? CLASS_SIZE[sizeClass] : largeBlockBytes(largeCapacityFor(length, headroom));
    }

    private static long largeCapacityFor(long length, long headroom) {
        return (length + Math.max(headroom, 8) + 7) & ~7L;
    }

    /** Block bytes taken by the existing block at {@code address} that holds {@code length} bytes. */
    static long blockBytesOf(long address, long length) {
        int sizeClass = classOf(length);
        return sizeClass >= 0 ? CLASS_SIZE[sizeClass] : largeBlockBytes(largeCapacity(address));
    }

    /**
     * Whether {@code newLength} bytes may take over the block at {@code address} now holding
     * {@code oldLength}. Small blocks: same size class. Large blocks: within capacity, and (unless
     * {@code mayKeepSlack}) at least half of it, so a shrunk value does not pin a large block.
     */
    static boolean fitsInPlace(long address, long oldLength, long newLength, boolean mayKeepSlack) {
        if (oldLength <= MAX_SMALL) {
            return newLength <= MAX_SMALL && classOf(newLength) == classOf(oldLength);
        }
        if (newLength <= MAX_SMALL) {
            return false;
        }
        long capacity = largeCapacity(address);
        return newLength <= capacity && (mayKeepSlack || newLength * 2 >= capacity);
    }

    /** Allocates a block for {@code length} bytes: from a size class, or large with {@code headroom}. */
    long allocate(long length, long headroom) {
        int sizeClass = classOf(length);
        return sizeClass >= 0 ? allocateSmall(sizeClass) : allocateLarge(largeCapacityFor(length, headroom));
    }

    /** Frees the block at {@code address} that holds {@code length} bytes. */
    void free(long address, long length) {
        int sizeClass = classOf(length);
        if (sizeClass >= 0) {
            freeSmall(address, sizeClass);
        } else {
            freeLarge(address);
        }
    }

    /** Allocates one block of a size class. */
    private long allocateSmall(int sizeClass) {
        int size = CLASS_SIZE[sizeClass];
        long address = freeHead[sizeClass];
        if (address != 0) {
            freeHead[sizeClass] = UnsafeApi.getLong(address);
        } else {
            if (bumpNext[sizeClass] + size > bumpEnd[sizeClass]) {
                newSlab(sizeClass, size);
            }
            address = bumpNext[sizeClass];
            bumpNext[sizeClass] = address + size;
        }
        blockBytes += size;
        return address;
    }

    private void freeSmall(long address, int sizeClass) {
        UnsafeApi.putLong(address, freeHead[sizeClass]);
        freeHead[sizeClass] = address;
        blockBytes -= CLASS_SIZE[sizeClass];
    }

    /** Allocates a large block of {@code capacity} usable bytes (a multiple of 8) and returns its address. */
    private long allocateLarge(long capacity) {
        long bytes = largeBlockBytes(capacity);
        long block = osAllocate(bytes);
        UnsafeApi.putLong(block, capacity);
        allocatedBytes += bytes;
        blockBytes += bytes;
        return block + LARGE_PREFIX;
    }

    static long largeCapacity(long address) {
        return UnsafeApi.getLong(address - LARGE_PREFIX);
    }

    void freeLarge(long address) {
        long bytes = largeBlockBytes(largeCapacity(address));
        UnsafeApi.freeMemory(address - LARGE_PREFIX);
        allocatedBytes -= bytes;
        blockBytes -= bytes;
    }

    /**
     * Returns every slab to the operating system and forgets all small blocks. Large blocks must have been
     * freed with {@link #freeLarge} before.
     */
    void releaseAll() {
        for (int i = 0; i < slabCount; i++) {
            UnsafeApi.freeMemory(slabs[i]);
            slabs[i] = 0;
        }
        slabCount = 0;
        java.util.Arrays.fill(freeHead, 0);
        java.util.Arrays.fill(bumpNext, 0);
        java.util.Arrays.fill(bumpEnd, 0);
        java.util.Arrays.fill(nextSlabBytes, 0);
        long largeLeft = allocatedBytes - slabBytes;
        allocatedBytes = largeLeft;
        blockBytes = largeLeft;
        slabBytes = 0;
    }

    /** Off-heap bytes obtained from the operating system (slabs and large blocks). */
    long allocatedBytes() {
        return allocatedBytes;
    }

    /** Bytes of blocks handed out and not yet freed. */
    long blockBytes() {
        return blockBytes;
    }

    /**
     * Checks that every slab byte is accounted for: small blocks handed out + blocks on free lists + unused
     * slab tails = slab bytes. For tests and diagnostics; walks every free list.
     *
     * @param smallBlockBytes bytes of small blocks the caller knows to be in use
     * @param largeBlockBytes bytes of large blocks the caller knows to be in use
     */
    void verify(long smallBlockBytes, long largeBlockBytes) {
        long free = 0;
        long tails = 0;
        for (int c = 0; c < CLASS_COUNT; c++) {
            for (long a = freeHead[c]; a != 0; a = UnsafeApi.getLong(a)) {
                free += CLASS_SIZE[c];
            }
            tails += bumpEnd[c] - bumpNext[c];
        }
        if (smallBlockBytes + free + tails != slabBytes || smallBlockBytes + largeBlockBytes != blockBytes
                || slabBytes + largeBlockBytes != allocatedBytes) {
            throw new IllegalStateException("allocator accounting is off: small blocks in use " + smallBlockBytes
                    + " + free " + free + " + slab tails " + tails + " should be slab bytes " + slabBytes
                    + "; small + large " + largeBlockBytes + " should be block bytes " + blockBytes
                    + "; slab + large should be allocated bytes " + allocatedBytes);
        }
    }

    private void newSlab(int sizeClass, int size) {
        int bytes = nextSlabBytes[sizeClass];
        if (bytes == 0) {
            bytes = Math.max(MIN_SLAB_BYTES, 4 * size) / size * size;
        }
        long slab = osAllocate(bytes);
        if (slabCount == slabs.length) {
            slabs = java.util.Arrays.copyOf(slabs, slabs.length * 2);
        }
        slabs[slabCount++] = slab;
        allocatedBytes += bytes;
        slabBytes += bytes;
        // The unused tail of the previous slab (always smaller than one block) is abandoned.
        bumpNext[sizeClass] = slab;
        bumpEnd[sizeClass] = slab + bytes;
        nextSlabBytes[sizeClass] = Math.max(bytes, Math.min(MAX_SLAB_BYTES / size * size, 2 * bytes));
    }

    private static long osAllocate(long bytes) {
        try {
            return UnsafeApi.allocateMemory(bytes);
        } catch (OutOfMemoryError e) {
            throw StoreMemoryException.nativeAllocationFailed(bytes, e);
        }
    }
}
