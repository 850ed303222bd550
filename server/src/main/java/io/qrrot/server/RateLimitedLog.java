package io.qrrot.server;

import org.slf4j.Logger;

/**
 * Logs at most one line per interval for one kind of event, and says in the next line it logs how many it left
 * out: a client (or many) hitting a limit or a failure over and over must not flood the log, nor fill the heap
 * with log records while memory is short. Thread-safe.
 */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private long nextAt = Long.MIN_VALUE;
    private long suppressed;

    RateLimitedLog(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000;
    }

    /** Logs at warn level unless a line was logged less than an interval ago; the last argument may be a Throwable. */
    void warn(String format, Object... args) {
        long left = take();
        if (left >= 0) {
            log.warn(format + suffix(left), args);
        }
    }

    /** Logs at error level unless a line was logged less than an interval ago; the last argument may be a Throwable. */
    void error(String format, Object... args) {
        long left = take();
        if (left >= 0) {
            log.error(format + suffix(left), args);
        }
    }

    /** -1 when this event is left out, else how many were left out since the last line. */
    private synchronized long take() {
        long now = System.nanoTime();
        if (nextAt != Long.MIN_VALUE && now - nextAt < 0) {
            suppressed++;
            return -1;
        }
        nextAt = now + intervalNanos;
        long n = suppressed;
        suppressed = 0;
        return n;
    }

    private static String suffix(long left) {
        return left == 0 ? "" : " (" + left + " more like this not logged)";
    }
}
