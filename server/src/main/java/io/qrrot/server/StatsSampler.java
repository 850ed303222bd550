package io.qrrot.server;

import io.qrrot.recovery.DatabaseStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rates and peaks as Redis reports them: every 100 ms it reads the commands processed and the bytes read and
 * written, and INFO's {@code instantaneous_*} fields are the mean rate over the last 16 samples (1.6 s); every
 * second it reads the memory the data uses and keeps the highest ({@code used_memory_peak}), and the process's
 * RSS likewise. A daemon thread of its own, off the event loops: reading memory takes each shard's lock in turn and
 * reads {@code /proc}. Readers see the latest values.
 */
final class StatsSampler {
    private static final Logger log = LoggerFactory.getLogger(StatsSampler.class);
    private static final int SAMPLES = 16;
    static final long PERIOD_MILLIS = 100;

    private final ServerContext server;
    private final long[] times = new long[SAMPLES];
    private final long[] ops = new long[SAMPLES];
    private final long[] input = new long[SAMPLES];
    private final long[] output = new long[SAMPLES];
    private int next;
    private int filled;
    private int ticks;
    private volatile double opsPerSec;
    private volatile double inputKbps;
    private volatile double outputKbps;
    private volatile long usedMemoryPeak;
    private volatile long rssPeak;

    StatsSampler(ServerContext server) {
        this.server = server;
    }

    private java.util.concurrent.ScheduledExecutorService timer;

    /** Starts sampling (a server that serves). */
    synchronized void start() {
        if (timer == null) {
            timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "qrrot-stats");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::tick, 0, PERIOD_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Stops sampling (the server closes). */
    synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    /** Runs every {@link #PERIOD_MILLIS} ms. */
    void tick() {
        try {
            sample(System.nanoTime(), server.totalCommands(), server.netInput(), server.netOutput());
            if (ticks++ % (1000 / PERIOD_MILLIS) == 0) {
                memory(server.db.stats());
            }
        } catch (RuntimeException e) {
            log.warn("sampling the server's statistics failed; INFO's rates may be stale", e);
        }
    }

    /** Records one sample and recomputes the rates over the samples kept. */
    synchronized void sample(long nanos, long commands, long in, long out) {
        times[next] = nanos;
        ops[next] = commands;
        input[next] = in;
        output[next] = out;
        next = (next + 1) % SAMPLES;
        if (filled < SAMPLES) {
            filled++;
        }
        if (filled < 2) {
            return;
        }
        int newest = (next + SAMPLES - 1) % SAMPLES;
        int oldest = filled < SAMPLES ? 0 : next;
        double seconds = (times[newest] - times[oldest]) / 1e9;
        if (seconds <= 0) {
            return;
        }
        // The counters only grow; a window that began before a CONFIG RESETSTAT is dropped (reset()).
        opsPerSec = Math.max(0, (ops[newest] - ops[oldest]) / seconds);
        inputKbps = Math.max(0, (input[newest] - input[oldest]) / seconds / 1024);
        outputKbps = Math.max(0, (output[newest] - output[oldest]) / seconds / 1024);
    }

    /** Reads RSS now and raises the peaks with it and with {@code s}; returns the data's used memory (-1: unknown). */
    long memory(DatabaseStats s) {
        long rss = Rss.bytes();
        if (rss > rssPeak) {
            rssPeak = rss;
        }
        if (s == null) {
            return -1;
        }
        long used = s.engine().usedMemory();
        if (used > usedMemoryPeak) {
            usedMemoryPeak = used;
        }
        return used;
    }

    synchronized void reset() {
        filled = 0;
        next = 0;
        opsPerSec = 0;
        inputKbps = 0;
        outputKbps = 0;
    }

    long opsPerSec() {
        return Math.round(opsPerSec);
    }

    double inputKbps() {
        return inputKbps;
    }

    double outputKbps() {
        return outputKbps;
    }

    long usedMemoryPeak() {
        return usedMemoryPeak;
    }

    long rssPeak() {
        return rssPeak;
    }
}
