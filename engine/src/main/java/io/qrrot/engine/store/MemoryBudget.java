package io.qrrot.engine.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The keyspace-wide count of used memory (entry blocks + index tables) and the {@code maxmemory} check.
 * Shards reserve growth before they allocate and release what they free, so the check needs no global
 * lock: a compare-and-set loop makes concurrent reservations from different shards exact.
 */
final class MemoryBudget {
    private final AtomicLong used = new AtomicLong();
    private final long max;

    MemoryBudget(long max) {
        this.max = max;
    }

    /**
     * Accounts {@code bytes} more used memory.
     *
     * @throws StoreMemoryException when that would exceed the maximum (nothing is accounted then)
     */
    void reserve(long bytes) {
        if (bytes <= 0) {
            used.addAndGet(bytes);
            return;
        }
        if (max == 0) {
            used.addAndGet(bytes);
            return;
        }
        while (true) {
            long current = used.get();
            if (current + bytes > max) {
                throw StoreMemoryException.maxMemory();
            }
            if (used.compareAndSet(current, current + bytes)) {
                return;
            }
        }
    }

    /** Accounts memory given back (or a reservation undone). */
    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Accounts memory that is used whatever the limit (the initial index tables). */
    void force(long bytes) {
        used.addAndGet(bytes);
    }

    long used() {
        return used.get();
    }

    long max() {
        return max;
    }
}
