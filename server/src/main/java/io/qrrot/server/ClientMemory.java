package io.qrrot.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget for the memory clients make the server hold before their commands run: the
 * arguments of requests still being received and the commands queued inside MULTI (both on the heap). Each
 * connection draws on it only for what it holds beyond {@link #FREE_PER_CLIENT}, so ordinary clients keep
 * working while a few large requests or transactions have used it up; a connection asks before it copies or
 * queues ({@link #tryReserve}) and gives back when the request has run or the transaction ended.
 *
 * <p>What is not in it is bounded per connection: the input buffer holds at most a line or a bulk shorter than
 * {@link io.qrrot.server.resp.RequestDecoder#BIG_ARG} of a request (longer bulks are copied out as they arrive)
 * plus one read while the connection is paused, and unsent replies stop the connection's reading at 4 MiB.
 * Thread-safe.
 */
final class ClientMemory {
    /** What one connection may hold for its request and MULTI queue without drawing on the budget. */
    static final long FREE_PER_CLIENT = 64 * 1024;

    private final AtomicLong used = new AtomicLong();
    private volatile long budget;

    ClientMemory(long budget) {
        this.budget = budget;
    }

    /**
     * A quarter of the maximum heap: where requests being received and MULTI queues are held. The rest stays for
     * what running those commands allocates (a command's effect and reply, an EXEC's whole transaction) and for
     * the compactor's fold.
     */
    static long defaultBudget() {
        return Math.max(FREE_PER_CLIENT, Runtime.getRuntime().maxMemory() / 4);
    }

    /** The budget {@code configured} stands for: itself, or {@link #defaultBudget()} for 0. */
    static long effective(long configured) {
        return configured > 0 ? configured : defaultBudget();
    }

    long budget() {
        return budget;
    }

    void budget(long bytes) {
        budget = bytes;
    }

    long used() {
        return used.get();
    }

    /** Takes {@code bytes} from the budget unless that would pass it. */
    boolean tryReserve(long bytes) {
        while (true) {
            long u = used.get();
            if (u + bytes > budget) {
                return false;
            }
            if (used.compareAndSet(u, u + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }
}
