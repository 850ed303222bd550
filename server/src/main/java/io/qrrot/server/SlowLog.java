package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.server.resp.RespEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The slow log (SLOWLOG): the latest commands that took at least {@code slowlog-log-slower-than}
 * microseconds, newest first, at most {@code slowlog-max-len} of them, shared by every event loop.
 *
 * <p>Recording: {@link ClientConnection} calls {@link #commandEnded} after each command it ran, with the time
 * it took (the connection's one clock read per command). That costs two volatile reads; only a command over a threshold allocates (its
 * entry, or its latency sample), and only then is the lock taken. Arguments are kept as Redis keeps them: at
 * most 32 (the last replaced by {@code ... (N more arguments)}), each at most 128 bytes (cut, followed by
 * {@code ... (N more bytes)}); AUTH's and HELLO AUTH's credentials as {@code (redacted)}. EXEC is logged as
 * one command with its own time, and a command MULTI queues as it is queued (Redis logs the commands as EXEC
 * runs them: qrrot's engine runs a transaction as one unit and does not time its commands one by one).
 * Thread-safe.
 */
final class SlowLog {
    static final int MAX_ARGS = 32;
    static final int MAX_ARG_BYTES = 128;
    private static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);

    /** One slow command, as SLOWLOG GET shows it. */
    record Entry(long id, long unixSeconds, long micros, byte[][] args, String peer, String name) {
    }

    /** Microseconds at or over which a command is logged; negative: logging is off. */
    volatile long slowerThanMicros = 10_000;
    /** Entries kept; older ones go first. */
    private volatile long maxLen = 128;
    /** Newest first. */
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId;

    /**
     * The end of a command {@code c} ran ({@code e}, which took {@code nanos}): logs it if it was slow,
     * and gives the latency monitor its {@code command} or {@code fast-command} sample if over its threshold.
     * Allocation-free unless one of them takes the command.
     */
    static void commandEnded(ClientConnection c, CommandTable.Entry e, long nanos) {
        ServerContext s = c.server;
        SlowLog log = s.slowLog;
        long threshold = log.slowerThanMicros;
        if (threshold >= 0 && nanos / 1000 >= threshold) {
            log.add(c, nanos / 1000);
        }
        long latencyMillis = s.latency.thresholdMillis;
        if (latencyMillis > 0 && nanos / 1_000_000 >= latencyMillis) {
            s.latency.add(e.spec().is(io.qrrot.engine.CommandSpec.Flag.FAST) ? "fast-command" : "command",
                    nanos / 1_000_000);
        }
    }

    private void add(ClientConnection c, long micros) {
        byte[][] args = copyArgs(c.args);
        String peer = ClientCommand.address(c.channel.remoteAddress());
        String name = c.name;
        long now = System.currentTimeMillis() / 1000;
        synchronized (this) {
            entries.addFirst(new Entry(nextId++, now, micros, args, peer, name));
            trim();
        }
    }

    /** The command's arguments as the log keeps them (count and length limits, credentials redacted). */
    static byte[][] copyArgs(CommandArgs a) {
        int argc = a.count();
        int kept = Math.min(argc, MAX_ARGS);
        byte[][] out = new byte[kept][];
        int redactFrom = redactFrom(a);
        for (int j = 0; j < kept; j++) {
            if (kept != argc && j == kept - 1) {
                out[j] = ("... (" + (argc - kept + 1) + " more arguments)").getBytes(StandardCharsets.US_ASCII);
            } else if (j >= redactFrom && (!a.is(0, "HELLO") || j < redactFrom + 2)) {
                out[j] = REDACTED;
            } else if (a.length(j) > MAX_ARG_BYTES) {
                byte[] suffix = ("... (" + (a.length(j) - MAX_ARG_BYTES) + " more bytes)")
                        .getBytes(StandardCharsets.US_ASCII);
                byte[] cut = new byte[MAX_ARG_BYTES + suffix.length];
                System.arraycopy(a.array(), a.offset(j), cut, 0, MAX_ARG_BYTES);
                System.arraycopy(suffix, 0, cut, MAX_ARG_BYTES, suffix.length);
                out[j] = cut;
            } else {
                out[j] = java.util.Arrays.copyOfRange(a.array(), a.offset(j), a.offset(j) + a.length(j));
            }
        }
        return out;
    }

    /** The first argument Redis redacts: AUTH's user and password, HELLO AUTH's two; else past the end. */
    private static int redactFrom(CommandArgs a) {
        if (a.is(0, "AUTH")) {
            return 1;
        }
        if (a.is(0, "HELLO")) {
            for (int j = 2; j + 2 < a.count(); j++) {
                if (a.is(j, "AUTH")) {
                    return j + 1;
                }
            }
        }
        return Integer.MAX_VALUE;
    }

    void maxLen(long n) {
        synchronized (this) {
            maxLen = n;
            trim();
        }
    }

    long maxLen() {
        return maxLen;
    }

    private void trim() {
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }

    synchronized int length() {
        return entries.size();
    }

    /** Forgets every entry; ids go on from where they were, as in Redis. */
    synchronized void reset() {
        entries.clear();
    }

    /** Up to {@code count} entries, newest first (-1: all). */
    synchronized Entry[] latest(long count) {
        int n = count < 0 ? entries.size() : (int) Math.min(count, entries.size());
        Entry[] out = new Entry[n];
        Iterator<Entry> it = entries.iterator();
        for (int i = 0; i < n; i++) {
            out[i] = it.next();
        }
        return out;
    }

    // ---------------------------------------------------------------- SLOWLOG

    private static final Subcommands SUBCOMMANDS = Subcommands.of("GET", -2, "LEN", 2, "RESET", 2, "HELP", 2);

    static void run(ClientConnection c, RespEncoder r, CommandArgs a) {
        SlowLog log = c.server.slowLog;
        String wrong = SUBCOMMANDS.refusal(a);
        if (wrong != null) {
            r.error(wrong);
        } else if (a.is(1, "HELP")) {
            CommandReplies.help(r, "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "GET [<count>]",
                    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                    "    Entries are made of:",
                    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                    "    client name",
                    "LEN",
                    "    Return the length of the slowlog.",
                    "RESET",
                    "    Reset the slowlog.",
                    "HELP",
                    "    Prints this help.");
        } else if (a.is(1, "RESET")) {
            log.reset();
            r.simple("OK");
        } else if (a.is(1, "LEN")) {
            r.integer(log.length());
        } else if (a.count() > 3) {
            r.error(Errors.subcommandSyntax(a));
        } else {
            long count = 10;
            if (a.count() == 3) {
                count = CommandReplies.parseLong(a, 2);
                if (count == Long.MIN_VALUE || count < -1) {
                    r.error("ERR count should be greater than or equal to -1");
                    return;
                }
            }
            Entry[] found = log.latest(count);
            r.array(found.length);
            for (Entry e : found) {
                r.array(6);
                r.integer(e.id());
                r.integer(e.unixSeconds());
                r.integer(e.micros());
                r.array(e.args().length);
                for (byte[] arg : e.args()) {
                    r.bulk(arg, 0, arg.length);
                }
                r.bulk(e.peer());
                r.bulk(e.name());
            }
        }
    }
}
