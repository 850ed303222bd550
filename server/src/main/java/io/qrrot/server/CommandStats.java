package io.qrrot.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-command counters of one event loop: calls, execution time, a latency histogram, refused and failed calls,
 * and error replies by their first word (Redis' {@code INFO commandstats}, {@code errorstats},
 * {@code latencystats}, and the Prometheus metrics). Written by its loop only, with plain stores, so recording
 * touches no shared cache line and allocates nothing; readers on other threads sum all loops' arrays (see
 * {@link Totals}) and may see a count a few commands old, which is what statistics need.
 *
 * <p>The counters only grow. {@code CONFIG RESETSTAT} does not clear them: it takes a baseline that INFO
 * subtracts, so Prometheus counters stay monotonic.
 */
final class CommandStats {
    /**
     * Latency buckets, four to each power of two of microseconds (within 25 % of any time, where powers of two
     * alone would be within 100 %): buckets 0-3 hold 0, 1, 2 and 3 µs; from 4 µs, bucket {@code 4 + 4e + s}
     * holds [(4 + s) 2^e, (5 + s) 2^e) µs; the last one everything slower.
     */
    static final int BUCKETS = 128;
    /** Distinct error words kept, as Redis' errorstats (beyond it, errors are counted in total only). */
    static final int MAX_ERROR_KINDS = 128;

    final long[] calls;
    final long[] nanos;
    final long[] rejected;
    final long[] failed;
    /** {@code latency[command * BUCKETS + bucket]}. */
    final long[] latency;
    final String[] errorKinds = new String[MAX_ERROR_KINDS];
    private final byte[][] errorKindBytes = new byte[MAX_ERROR_KINDS][];
    final long[] errorCounts = new long[MAX_ERROR_KINDS];
    /** Written by the loop, read by others: a reader sees a kind only once its name is in place. */
    private volatile int errorKindCount;
    long errorReplies;

    CommandStats(int commands) {
        calls = new long[commands];
        nanos = new long[commands];
        rejected = new long[commands];
        failed = new long[commands];
        latency = new long[commands * BUCKETS];
    }

    static CommandStats of(ServerContext server, EventLoop loop) {
        return server.loopStats.computeIfAbsent(loop, l -> new CommandStats(server.commands.size()));
    }

    /** Bucket of a duration (see {@link #BUCKETS}). */
    static int bucket(long nanos) {
        long micros = nanos / 1000;
        if (micros < 4) {
            return (int) Math.max(0, micros);
        }
        int e = 61 - Long.numberOfLeadingZeros(micros); // micros in [2^(e+2), 2^(e+3))
        int sub = (int) (micros >>> e) & 3;
        return Math.min(BUCKETS - 1, 4 + 4 * e + sub);
    }

    /** Upper bound of bucket {@code b} in microseconds (excluded); the last bucket has none. */
    static long bucketUpperMicros(int b) {
        if (b < 4) {
            return b + 1;
        }
        int e = (b - 4) / 4;
        int sub = (b - 4) % 4;
        return (long) (5 + sub) << e;
    }

    /** Command {@code index} ran for {@code elapsed} ns and wrote its reply from {@code replyStart} of {@code out}. */
    void called(int index, long elapsed, ByteBuf out, int replyStart) {
        calls[index]++;
        nanos[index] += elapsed;
        latency[index * BUCKETS + bucket(elapsed)]++;
        if (isError(out, replyStart)) {
            failed[index]++;
            error(out, replyStart);
        }
    }

    /**
     * A blocking pop, counted as a call when it started to wait, was answered: its later runs took {@code nanos},
     * and an error answer (CLIENT UNBLOCK ... ERROR) makes it a failed call, as Redis counts it.
     */
    void answeredAfterBlocking(int index, long nanos, ByteBuf out, int replyStart) {
        this.nanos[index] += nanos;
        if (isError(out, replyStart)) {
            failed[index]++;
            error(out, replyStart);
        }
    }

    /** Command {@code index} was refused before it ran (arity, authentication, a limit): its reply is an error. */
    void rejected(int index, ByteBuf out, int replyStart) {
        rejected[index]++;
        error(out, replyStart);
    }

    /** A request that named no known command, or could not be read (a protocol error), got its error. */
    void unknown(ByteBuf out, int replyStart) {
        error(out, replyStart);
    }

    /**
     * A call that EXEC ran for queued command {@code index}, whose reply is the element at {@code at} of EXEC's
     * array: an error there is a failed call, counted by kind, as Redis counts it. Its time is EXEC's.
     */
    void calledInExec(int index, ByteBuf out, int at) {
        calls[index]++;
        latency[index * BUCKETS]++;
        if (isError(out, at)) {
            failed[index]++;
            error(out, at);
        }
    }

    /** Every call this loop counted (INFO's total_commands_processed, the ops rate). */
    long totalCalls() {
        long n = 0;
        for (long c : calls) {
            n += c;
        }
        return n;
    }

    /**
     * Where the RESP2/RESP3 reply element that starts at {@code at} of {@code out} ends (the first byte after it):
     * how EXEC's array is walked element by element. The element must be complete.
     */
    static int skipElement(ByteBuf out, int at) {
        byte type = out.getByte(at);
        int eol = out.indexOf(at, out.writerIndex(), (byte) '\n');
        if (eol < 0) {
            return out.writerIndex();
        }
        int after = eol + 1;
        return switch (type) {
            case '$', '=', '!' -> {
                long n = length(out, at + 1, eol - 1);
                yield n < 0 ? after : (int) Math.min(out.writerIndex(), after + n + 2);
            }
            case '*', '~', '>', '%' -> {
                long n = length(out, at + 1, eol - 1);
                long elements = type == '%' ? 2 * n : n;
                for (long i = 0; i < elements && after < out.writerIndex(); i++) {
                    after = skipElement(out, after);
                }
                yield after;
            }
            default -> after;
        };
    }

    /** The signed decimal in {@code out} from {@code from} to {@code to} (excluded). */
    private static long length(ByteBuf out, int from, int to) {
        boolean negative = from < to && out.getByte(from) == '-';
        long n = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            n = n * 10 + (out.getByte(i) - '0');
        }
        return negative ? -n : n;
    }

    private static boolean isError(ByteBuf out, int at) {
        return out.writerIndex() > at && out.getByte(at) == '-';
    }

    /** Counts the error reply at {@code at} by its first word (ERR, WRONGTYPE, ...): allocates for a new word only. */
    private void error(ByteBuf out, int at) {
        if (!isError(out, at)) {
            return;
        }
        errorReplies++;
        int start = at + 1;
        int end = start;
        int limit = Math.min(out.writerIndex(), start + 64);
        while (end < limit) {
            byte b = out.getByte(end);
            if (b == ' ' || b == '\r') {
                break;
            }
            end++;
        }
        int n = errorKindCount;
        for (int k = 0; k < n; k++) {
            if (sameBytes(errorKindBytes[k], out, start, end - start)) {
                errorCounts[k]++;
                return;
            }
        }
        if (n < MAX_ERROR_KINDS) {
            byte[] word = new byte[end - start];
            out.getBytes(start, word);
            errorKindBytes[n] = word;
            errorKinds[n] = new String(word, StandardCharsets.UTF_8);
            errorCounts[n] = 1;
            errorKindCount = n + 1;
        }
    }

    private static boolean sameBytes(byte[] word, ByteBuf out, int at, int len) {
        if (word.length != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (word[i] != out.getByte(at + i)) {
                return false;
            }
        }
        return true;
    }

    int errorKindCount() {
        return errorKindCount;
    }

    /** The sum of every loop's counters at one moment (less a baseline, for INFO after CONFIG RESETSTAT). */
    static final class Totals {
        final long[] calls;
        final long[] nanos;
        final long[] rejected;
        final long[] failed;
        final long[] latency;
        final Map<String, Long> errors = new LinkedHashMap<>();
        long errorReplies;

        Totals(int commands) {
            calls = new long[commands];
            nanos = new long[commands];
            rejected = new long[commands];
            failed = new long[commands];
            latency = new long[commands * BUCKETS];
        }

        static Totals sum(int commands, Collection<CommandStats> loops) {
            Totals t = new Totals(commands);
            for (CommandStats s : loops) {
                add(t.calls, s.calls, 1);
                add(t.nanos, s.nanos, 1);
                add(t.rejected, s.rejected, 1);
                add(t.failed, s.failed, 1);
                add(t.latency, s.latency, 1);
                int n = s.errorKindCount();
                for (int k = 0; k < n; k++) {
                    t.errors.merge(s.errorKinds[k], s.errorCounts[k], Long::sum);
                }
                t.errorReplies += s.errorReplies;
            }
            return t;
        }

        /** These totals less {@code base} (taken earlier): what happened since. */
        Totals minus(Totals base) {
            Totals t = new Totals(calls.length);
            System.arraycopy(calls, 0, t.calls, 0, calls.length);
            System.arraycopy(nanos, 0, t.nanos, 0, nanos.length);
            System.arraycopy(rejected, 0, t.rejected, 0, rejected.length);
            System.arraycopy(failed, 0, t.failed, 0, failed.length);
            System.arraycopy(latency, 0, t.latency, 0, latency.length);
            add(t.calls, base.calls, -1);
            add(t.nanos, base.nanos, -1);
            add(t.rejected, base.rejected, -1);
            add(t.failed, base.failed, -1);
            add(t.latency, base.latency, -1);
            for (Map.Entry<String, Long> e : errors.entrySet()) {
                long n = e.getValue() - base.errors.getOrDefault(e.getKey(), 0L);
                if (n > 0) {
                    t.errors.put(e.getKey(), n);
                }
            }
            t.errorReplies = errorReplies - base.errorReplies;
            return t;
        }

        /**
         * The latency of command {@code index} at percentile {@code p} (0..100), in microseconds: the upper bound
         * of the bucket that holds it (so at most 25 % over), or 0 when it has no calls.
         */
        double percentileMicros(int index, double p) {
            long total = 0;
            for (int b = 0; b < BUCKETS; b++) {
                total += latency[index * BUCKETS + b];
            }
            if (total == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(total * p / 100.0));
            long seen = 0;
            for (int b = 0; b < BUCKETS; b++) {
                seen += latency[index * BUCKETS + b];
                if (seen >= rank) {
                    return bucketUpperMicros(b);
                }
            }
            return bucketUpperMicros(BUCKETS - 1);
        }

        private static void add(long[] into, long[] from, int sign) {
            for (int i = 0; i < into.length; i++) {
                into[i] += sign * from[i];
            }
        }
    }
}
