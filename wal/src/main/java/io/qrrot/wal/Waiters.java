package io.qrrot.wal;

import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listeners waiting for an LSN to become durable. Registration and completion allocate nothing once the
 * arrays have grown to the number of outstanding waits. Listeners are called outside the registry's
 * monitor, one completing thread at a time.
 */
final class Waiters {
    private static final Logger LOG = LoggerFactory.getLogger(Waiters.class);

    private long[] lsns = new long[64];
    private DurabilityListener[] listeners = new DurabilityListener[64];
    private int size;

    private final ReentrantLock firing = new ReentrantLock();
    private long[] fireLsns = new long[64];
    private DurabilityListener[] fire = new DurabilityListener[64];

    /** Adds a waiter; the caller has checked under no lock that {@code lsn} is not durable yet. */
    synchronized void add(long lsn, DurabilityListener listener) {
        if (size == lsns.length) {
            lsns = java.util.Arrays.copyOf(lsns, size * 2);
            listeners = java.util.Arrays.copyOf(listeners, size * 2);
        }
        lsns[size] = lsn;
        listeners[size] = listener;
        size++;
    }

    synchronized int size() {
        return size;
    }

    /** Calls {@code onDurable} for every waiter at or below {@code durableLsn}. */
    void complete(long durableLsn) {
        firing.lock();
        try {
            int n = take(durableLsn, false);
            for (int i = 0; i < n; i++) {
                DurabilityListener l = fire[i];
                fire[i] = null;
                try {
                    l.onDurable();
                } catch (Throwable t) {
                    LOG.error("durability listener for LSN {} threw", fireLsns[i], t);
                }
            }
        } finally {
            firing.unlock();
        }
    }

    /** Calls {@code onFailure} for every waiter. */
    void failAll(String message) {
        firing.lock();
        try {
            int n = take(Long.MAX_VALUE, true);
            for (int i = 0; i < n; i++) {
                DurabilityListener l = fire[i];
                fire[i] = null;
                try {
                    l.onFailure(message);
                } catch (Throwable t) {
                    LOG.error("durability listener for LSN {} threw", fireLsns[i], t);
                }
            }
        } finally {
            firing.unlock();
        }
    }

    private synchronized int take(long upTo, boolean all) {
        int n = 0;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (all || lsns[i] <= upTo) {
                if (n == fire.length) {
                    fire = java.util.Arrays.copyOf(fire, n * 2);
                    fireLsns = java.util.Arrays.copyOf(fireLsns, n * 2);
                }
                fire[n] = listeners[i];
                fireLsns[n] = lsns[i];
                n++;
            } else {
                lsns[kept] = lsns[i];
                listeners[kept] = listeners[i];
                kept++;
            }
        }
        for (int i = kept; i < size; i++) {
            listeners[i] = null;
        }
        size = kept;
        return n;
    }
}
