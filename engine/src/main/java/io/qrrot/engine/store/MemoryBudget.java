package io.qrrot.engine.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The keyspace-wide count of used memory (entry blocks + index tables) and the {@code maxmemory} check.
 * Shards reserve growth before they allocate and release what they free, so the check needs no global
 * lock: a compare-and-set loop makes concurrent reservations from different shards exact.
 */
final class MemoryBudget {
    /** Used when there is a maximum: reservations must be exact against it. */
    private final AtomicLong used = new AtomicLong();
    /**
     * Used when there is none (the engine's case: it checks maxmemory itself): only a count, kept in striped
     * cells so shards written by different threads (a parallel restart) do not contend on one cache line.
     */
    private final LongAdder counted = new LongAdder();
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
        if (max == 0) {
            counted.add(bytes);
            return;
        }
        if (bytes <= 0) {
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
        force(-bytes);
    }

    /** Accounts memory that is used whatever the limit (the initial index tables). */
    void force(long bytes) {
        if (max == 0) {
            counted.add(bytes);
        } else {
            used.addAndGet(bytes);
        }
    }

    long used() {
        return max == 0 ? counted.sum() : used.get();
    }

    long max() {
        return max;
    }
}
