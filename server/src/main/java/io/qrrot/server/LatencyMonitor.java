package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.recovery.LatencyListener;
import io.qrrot.server.resp.RespEncoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The latency monitor (LATENCY): for each event that took at least {@code latency-monitor-threshold}
 * milliseconds (0 = off, the default, as in Redis), the latest sample, the all-time maximum and a history of
 * 160 samples, one per second at most (a second's worst). Events:
 *
 * <ul>
 *   <li>{@code command}, {@code fast-command}: a command (one flagged fast) over the threshold, as Redis;</li>
 *   <li>{@code wal-fsync}: one fsync of the write-ahead log (Redis' nearest is {@code aof-fsync-always});</li>
 *   <li>{@code compaction}: one snapshot folded from the WAL, by the background compactor, SAVE or BGSAVE
 *   (Redis' nearest are {@code rdb-unlink-temp-file} and {@code aof-rewrite-*}).</li>
 * </ul>
 *
 * <p>The database tells it of fsyncs and compactions through {@link LatencyListener} on the thread that did
 * the work; commands come from {@link SlowLog#commandEnded}. Only a sample over the threshold takes the lock.
 * Thread-safe.
 */
final class LatencyMonitor implements LatencyListener {
    static final int HISTORY = 160;

    /** Milliseconds at or over which an event is sampled; 0: the monitor is off. */
    volatile long thresholdMillis;
    /** By event name, in the order the events first happened. */
    private final Map<String, Series> events = new LinkedHashMap<>();

    /** One event's samples: a ring of {@link #HISTORY} (time, latency) pairs, {@code next} the slot to write. */
    private static final class Series {
        final long[] times = new long[HISTORY];
        final long[] millis = new long[HISTORY];
        int next;
        long max;
    }

    @Override
    public void walFsync(long nanos) {
        sampleIfOver("wal-fsync", nanos / 1_000_000);
    }

    @Override
    public void compaction(long nanos) {
        sampleIfOver("compaction", nanos / 1_000_000);
    }

    private void sampleIfOver(String event, long millis) {
        long t = thresholdMillis;
        if (t > 0 && millis >= t) {
            add(event, millis);
        }
    }

    /** Adds a sample now (the caller checked the threshold). */
    void add(String event, long millis) {
        add(event, millis, System.currentTimeMillis() / 1000);
    }

    synchronized void add(String event, long millis, long unixSeconds) {
        Series s = events.computeIfAbsent(event, k -> new Series());
        s.max = Math.max(s.max, millis);
        int prev = (s.next + HISTORY - 1) % HISTORY;
        if (s.times[prev] == unixSeconds) {
            s.millis[prev] = Math.max(s.millis[prev], millis);
            return;
        }
        s.times[s.next] = unixSeconds;
        s.millis[s.next] = millis;
        s.next = (s.next + 1) % HISTORY;
    }

    /** Forgets one event's samples (case-insensitive), or every event's when {@code event} is null; returns how many. */
    synchronized int reset(String event) {
        if (event == null) {
            int n = events.size();
            events.clear();
            return n;
        }
        int n = 0;
        for (var it = events.keySet().iterator(); it.hasNext(); ) {
            if (it.next().equalsIgnoreCase(event)) {
                it.remove();
                n++;
            }
        }
        return n;
    }

    /** Each event's name, latest sample time, latest sample, all-time max. */
    synchronized List<Object[]> latest() {
        List<Object[]> out = new ArrayList<>();
        for (Map.Entry<String, Series> e : events.entrySet()) {
            Series s = e.getValue();
            int last = (s.next + HISTORY - 1) % HISTORY;
            out.add(new Object[] {e.getKey(), s.times[last], s.millis[last], s.max});
        }
        return out;
    }

    /** An event's samples, oldest first, as (time, latency) pairs; empty for an unknown event. */
    synchronized List<long[]> history(String event) {
        List<long[]> out = new ArrayList<>();
        Series s = events.get(event);
        if (s == null) {
            return out;
        }
        for (int j = 0; j < HISTORY; j++) {
            int i = (s.next + j) % HISTORY;
            if (s.times[i] != 0) {
                out.add(new long[] {s.times[i], s.millis[i]});
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- LATENCY

    /** GRAPH and HISTOGRAM are not implemented: answered as Redis answers a subcommand it does not know. */
    private static final Subcommands SUBCOMMANDS = Subcommands.of("HISTORY", 3, "RESET", -2, "LATEST", 2,
            "DOCTOR", 2, "HELP", 2);

    static void run(ClientConnection c, RespEncoder r, CommandArgs a) {
        LatencyMonitor m = c.server.latency;
        String wrong = SUBCOMMANDS.refusal(a);
        if (wrong != null) {
            r.error(wrong);
        } else if (a.is(1, "HISTORY")) {
            List<long[]> samples = m.history(a.string(2));
            r.array(samples.size());
            for (long[] s : samples) {
                r.array(2);
                r.integer(s[0]);
                r.integer(s[1]);
            }
        } else if (a.is(1, "LATEST")) {
            List<Object[]> latest = m.latest();
            r.array(latest.size());
            for (Object[] e : latest) {
                r.array(4);
                r.bulk((String) e[0]);
                r.integer((Long) e[1]);
                r.integer((Long) e[2]);
                r.integer((Long) e[3]);
            }
        } else if (a.is(1, "DOCTOR")) {
            r.verbatim(m.doctor(c.server.slowLog.slowerThanMicros));
        } else if (a.is(1, "RESET")) {
            int n = 0;
            if (a.count() == 2) {
                n = m.reset(null);
            } else {
                for (int j = 2; j < a.count(); j++) {
                    n += m.reset(a.string(j));
                }
            }
            r.integer(n);
        } else {
            CommandReplies.help(r, "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "DOCTOR",
                    "    Return a human readable latency analysis report.",
                    "HISTORY <event>",
                    "    Return time-latency samples for the <event> class.",
                    "LATEST",
                    "    Return the latest latency samples for all events.",
                    "RESET [<event> ...]",
                    "    Reset latency data of one or more <event> classes.",
                    "    (default: reset all data for all event classes)",
                    "HELP",
                    "    Prints this help.");
        }
    }

    /**
     * LATENCY DOCTOR: Redis' texts for a monitor that is off and for no spikes, else Redis' line per event
     * (spikes, average, mean deviation, period, worst) and qrrot's own advice for its events.
     */
    synchronized String doctor(long slowlogMicros) {
        if (events.isEmpty() && thresholdMillis == 0) {
            return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may"
                    + " use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we"
                    + " weren't in a deep space mission I'd suggest to take a look at"
                    + " https://redis.io/topics/latency-monitor.\n";
        }
        if (events.isEmpty()) {
            return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the"
                    + " slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think"
                    + " things over.\n";
        }
        StringBuilder report = new StringBuilder("Dave, I have observed latency spikes in this Redis instance."
                + " You don't mind talking about it, do you Dave?\n\n");
        List<String> advice = new ArrayList<>();
        int n = 0;
        long now = System.currentTimeMillis() / 1000;
        for (Map.Entry<String, Series> e : events.entrySet()) {
            Series s = e.getValue();
            long samples = 0;
            long sum = 0;
            long oldest = 0;
            for (int j = 0; j < HISTORY; j++) {
                if (s.times[j] != 0) {
                    samples++;
                    sum += s.millis[j];
                    oldest = oldest == 0 ? s.times[j] : Math.min(oldest, s.times[j]);
                }
            }
            long avg = samples == 0 ? 0 : sum / samples;
            long period = samples == 0 ? 0 : Math.max(1, now - oldest);
            long dev = 0;
            for (int j = 0; j < HISTORY; j++) {
                if (s.times[j] != 0) {
                    dev += Math.abs(avg - s.millis[j]);
                }
            }
            long mad = samples == 0 ? 0 : dev / samples;
            report.append(++n).append(". ").append(e.getKey()).append(": ").append(samples)
                    .append(" latency spikes (average ").append(avg).append("ms, mean deviation ").append(mad)
                    .append("ms, period ").append(String.format(Locale.ROOT, "%.2f", (double) period / samples))
                    .append(" sec). Worst all time event ").append(s.max).append("ms.\n");
            switch (e.getKey()) {
                case "command" -> advice.add(slowlogMicros < 0
                        ? "- The slow log is off: CONFIG SET slowlog-log-slower-than to see which commands are slow."
                        : "- Check SLOWLOG GET for the slow commands: large values and collections cost time.");
                case "fast-command" -> advice.add("- Fast commands were slow: the machine or the JVM paused (CPU"
                        + " steal, garbage collection); check the GC log and the host.");
                case "wal-fsync" -> advice.add("- The WAL's fsyncs were slow: a faster or less busy disk, or"
                        + " --fsync everysec, shortens the time replies wait for durability.");
                case "compaction" -> advice.add("- Compactions took long: they run in the background, but large"
                        + " data sets fold for longer; see INFO persistence.");
                default -> { }
            }
        }
        report.append("\nI have a few advices for you:\n\n");
        for (String line : advice) {
            report.append(line).append('\n');
        }
        return report.toString();
    }
}
