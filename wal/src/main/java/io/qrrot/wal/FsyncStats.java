package io.qrrot.wal;

import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fsync count, last latency, a log2 histogram of latencies in microseconds, and the rate-limited warning
 * for slow fsyncs. Written by one syncing thread at a time, read by anyone.
 */
final class FsyncStats {
    private static final Logger LOG = LoggerFactory.getLogger(FsyncStats.class);
    static final int BUCKETS = 40;
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    /** Bucket i counts latencies in [2^i, 2^(i+1)) microseconds; bucket 0 also holds 0 µs. */
    private final AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
    private volatile long count;
    private volatile long totalNanos;
    private volatile long lastNanos;
    private volatile long maxNanos;
    private volatile long slowCount;
    private final long slowNanos;
    private long lastWarnAt = Long.MIN_VALUE;
    private long suppressed;
    private volatile FsyncListener listener;

    FsyncStats(long slowMillis) {
        this.slowNanos = slowMillis * 1_000_000L;
    }

    void record(long nanos, Object what) {
        long micros = nanos / 1000;
        int bucket = micros <= 1 ? 0 : Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(micros));
        histogram.incrementAndGet(bucket);
        count = count + 1;
        totalNanos = totalNanos + nanos;
        lastNanos = nanos;
        if (nanos > maxNanos) {
            maxNanos = nanos;
        }
        if (nanos >= slowNanos) {
            slowCount = slowCount + 1;
            warnSlow(nanos, what);
        }
        FsyncListener l = listener;
        if (l != null) {
            l.fsynced(nanos);
        }
    }

    void listener(FsyncListener l) {
        listener = l;
    }

    private synchronized void warnSlow(long nanos, Object what) {
        long now = System.nanoTime();
        if (lastWarnAt != Long.MIN_VALUE && now - lastWarnAt < WARN_EVERY_NANOS) {
            suppressed++;
            return;
        }
        lastWarnAt = now;
        LOG.warn("slow fsync: {} took {} ms (warning threshold {} ms; {} more slow fsyncs since the last"
                        + " warning). The disk cannot keep up; acknowledgements wait for it.",
                what, nanos / 1_000_000, slowNanos / 1_000_000, suppressed);
        suppressed = 0;
    }

    /** Time all fsyncs took together. */
    long totalNanos() {
        return totalNanos;
    }

    long count() {
        return count;
    }

    long lastMicros() {
        return lastNanos / 1000;
    }

    long maxMicros() {
        return maxNanos / 1000;
    }

    long slowCount() {
        return slowCount;
    }

    long[] histogram() {
        long[] out = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            out[i] = histogram.get(i);
        }
        return out;
    }

    /**
     * The latency below which {@code fraction} of fsyncs fell, as the upper bound of its histogram bucket
     * in microseconds (so within a factor of two); 0 when there were none.
     */
    static long percentileMicros(long[] histogram, double fraction) {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(total * fraction);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= rank) {
                return 1L << (i + 1);
            }
        }
        return 1L << histogram.length;
    }
}
