package io.qrrot.crash;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What the clients of an I/O-failure run sent and what the server acknowledged, exact enough to check a
 * server whose write-ahead log failed under load, and the same server after a restart.
 *
 * <ul>
 *   <li>Keys {@code io:k:<client>:<i>}: SET and DEL by one client only. The model holds the value of the last
 *       acknowledged operation and, once an operation got an error or no reply, the value it would leave;
 *       the client then leaves the key alone (its outcome is unknown), so a key has at most one such
 *       operation.</li>
 *   <li>Counters {@code io:n:<client>}: INCR by one client; the value lies between the acknowledged and the
 *       sent count.</li>
 *   <li>Accounts {@code io:a:<j>}: MULTI/EXEC transfers from every client; the total never changes if
 *       transactions are all-or-nothing. Each transfer also INCRs its client's {@code io:t:<client>}, which
 *       lies between the acknowledged and the sent transfers, so a lost transfer is seen too.</li>
 * </ul>
 *
 * Error replies are collected by text, so a test can require that every refusal says the same thing. The
 * model is written by the worker threads and read by the test after it has joined them.
 */
public final class IoFailureModel {
    public static final long ACCOUNT_START = 1000;
    /** A key the test writes itself (a refused write, a write after the restart); never a model key. */
    public static final String PROBE_KEY = "io:probe";

    final int clients;
    final int keysPerClient;
    final int accounts;
    final Key[][] keys;
    final long[] counterAcked;
    final long[] counterSent;
    final long[] transfersAcked;
    final long[] transfersSent;
    final AtomicLong acked = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong readsChecked = new AtomicLong();
    final AtomicLong readsCheckedAfterFailure = new AtomicLong();
    final AtomicLong errorReplies = new AtomicLong();
    /** Distinct error replies to writes, with how often each came. */
    private final Map<String, Long> errors = new HashMap<>();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    /**
     * {@link System#nanoTime} by which the log is known to have failed (0 while it is not): a write sent
     * after it must be refused.
     */
    volatile long failedByNanos;

    public IoFailureModel(int clients, int keysPerClient, int accounts) {
        this.clients = clients;
        this.keysPerClient = keysPerClient;
        this.accounts = accounts;
        this.keys = new Key[clients][keysPerClient];
        for (int c = 0; c < clients; c++) {
            for (int i = 0; i < keysPerClient; i++) {
                keys[c][i] = new Key("io:k:" + c + ":" + i);
            }
        }
        this.counterAcked = new long[clients];
        this.counterSent = new long[clients];
        this.transfersAcked = new long[clients];
        this.transfersSent = new long[clients];
    }

    public static String counterKey(int client) {
        return "io:n:" + client;
    }

    /** Counts one client's transfers (INCR inside each transfer's MULTI/EXEC). */
    public static String transferCountKey(int client) {
        return "io:t:" + client;
    }

    public static String accountKey(int j) {
        return "io:a:" + j;
    }

    /** Sets every account to its start balance (before any worker runs). */
    public void initialise(int port) {
        try (Jedis jedis = Clients.connect(port, 10_000)) {
            for (int j = 0; j < accounts; j++) {
                jedis.set(accountKey(j), Long.toString(ACCOUNT_START));
            }
        }
    }

    /** Writes sent after this moment must be refused: the log is known to have failed by now. */
    public void logFailedBy(long nanoTime) {
        failedByNanos = nanoTime;
    }

    public long acked() {
        return acked.get();
    }

    public long sent() {
        return sent.get();
    }

    /** GETs the workers compared with the model while they ran. */
    public long readsChecked() {
        return readsChecked.get();
    }

    /** Of those, GETs sent after {@link #logFailedBy}. */
    public long readsCheckedAfterFailure() {
        return readsCheckedAfterFailure.get();
    }

    /** Distinct error replies to writes and their counts, sorted by text. */
    public synchronized Map<String, Long> errors() {
        return new TreeMap<>(errors);
    }

    synchronized void error(String message) {
        errors.merge(message, 1L, Long::sum);
        errorReplies.incrementAndGet();
    }

    /** Error replies to writes so far. */
    public long errorReplies() {
        return errorReplies.get();
    }

    /** What the workers found wrong while they ran: unexpected replies, dropped connections, hangs. */
    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    void violation(String v) {
        violations.add(v);
    }

    /** Every model key's value as the server on {@code port} has it now (null = absent). */
    public Map<String, String> read(int port) {
        Map<String, String> out = new HashMap<>();
        try (Jedis jedis = Clients.connect(port, 30_000)) {
            List<String> names = allKeys();
            Pipeline p = jedis.pipelined();
            List<Response<String>> values = new ArrayList<>();
            for (String name : names) {
                values.add(p.get(name));
            }
            p.sync();
            for (int n = 0; n < names.size(); n++) {
                out.put(names.get(n), values.get(n).get());
            }
        }
        return out;
    }

    /**
     * Compares {@code seen} (from {@link #read}) with the model: every key holds its acknowledged state or
     * the state of its one operation with an unknown outcome; counters lie between acknowledged and sent;
     * the accounts' total is unchanged.
     */
    public List<String> check(Map<String, String> seen) {
        List<String> found = new ArrayList<>();
        for (Key[] row : keys) {
            for (Key k : row) {
                String v = seen.get(k.name);
                boolean ok = Objects.equals(v, k.acked) || (k.hasPending && Objects.equals(v, k.pending));
                if (!ok) {
                    found.add(k.name + ": found " + show(v) + ", acknowledged " + show(k.acked)
                            + (k.hasPending ? ", or unknown outcome " + show(k.pending) : ""));
                }
            }
        }
        for (int c = 0; c < clients; c++) {
            checkCount(found, counterKey(c), seen.get(counterKey(c)), counterAcked[c], counterSent[c]);
            checkCount(found, transferCountKey(c), seen.get(transferCountKey(c)), transfersAcked[c], transfersSent[c]);
        }
        long total = 0;
        for (int j = 0; j < accounts; j++) {
            String v = seen.get(accountKey(j));
            total += v == null ? 0 : Long.parseLong(v);
        }
        if (total != ACCOUNT_START * accounts) {
            found.add("accounts total " + total + " != " + ACCOUNT_START * accounts + ": a transfer was applied in part");
        }
        return found;
    }

    private static void checkCount(List<String> found, String key, String v, long acked, long sent) {
        long value = v == null ? 0 : Long.parseLong(v);
        if (value < acked || value > sent) {
            found.add(key + " = " + value + ", must lie in [" + acked + " acknowledged, " + sent + " sent]");
        }
    }

    /** Keys on the server that are neither model keys nor {@link #PROBE_KEY}. */
    public List<String> unknownKeys(int port) {
        Set<String> known = new HashSet<>(allKeys());
        known.add(PROBE_KEY);
        List<String> unknown = new ArrayList<>();
        try (Jedis jedis = Clients.connect(port, 30_000)) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, new ScanParams().count(1000));
                for (String key : page.getResult()) {
                    if (!known.contains(key)) {
                        unknown.add(key);
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return unknown;
    }

    /**
     * Keys whose operation had an unknown outcome and whose value differs between two reads (a live server
     * and the same data after a restart, say): a refused write that readers saw and that then vanished.
     */
    public List<String> changedUnknownOutcomes(Map<String, String> before, Map<String, String> after) {
        List<String> changed = new ArrayList<>();
        for (Key[] row : keys) {
            for (Key k : row) {
                if (k.hasPending && !Objects.equals(before.get(k.name), after.get(k.name))) {
                    changed.add(k.name + ": " + show(before.get(k.name)) + " then " + show(after.get(k.name))
                            + " (acknowledged " + show(k.acked) + ", refused " + show(k.pending) + ")");
                }
            }
        }
        return changed;
    }

    /** Keys whose operation of unknown outcome (an error reply) shows as applied in {@code seen}. */
    public List<String> unknownOutcomesApplied(Map<String, String> seen) {
        List<String> applied = new ArrayList<>();
        for (Key[] row : keys) {
            for (Key k : row) {
                String v = seen.get(k.name);
                if (k.hasPending && Objects.equals(v, k.pending) && !Objects.equals(v, k.acked)) {
                    applied.add(k.name + " = " + show(v));
                }
            }
        }
        return applied;
    }

    /**
     * Takes {@code seen} as the new acknowledged state (after a check passed), so that workers can run
     * again: unknown outcomes are resolved, counters start from what the server has.
     */
    public void resolve(Map<String, String> seen) {
        for (Key[] row : keys) {
            for (Key k : row) {
                k.acked = seen.get(k.name);
                k.pending = null;
                k.hasPending = false;
            }
        }
        for (int c = 0; c < clients; c++) {
            counterAcked[c] = counterSent[c] = count(seen.get(counterKey(c)));
            transfersAcked[c] = transfersSent[c] = count(seen.get(transferCountKey(c)));
        }
        synchronized (this) {
            errors.clear();
            errorReplies.set(0);
        }
        violations.clear();
        failedByNanos = 0;
    }

    List<String> allKeys() {
        List<String> names = new ArrayList<>();
        for (Key[] row : keys) {
            for (Key k : row) {
                names.add(k.name);
            }
        }
        for (int c = 0; c < clients; c++) {
            names.add(counterKey(c));
            names.add(transferCountKey(c));
        }
        for (int j = 0; j < accounts; j++) {
            names.add(accountKey(j));
        }
        return names;
    }

    private static long count(String v) {
        return v == null ? 0 : Long.parseLong(v);
    }

    static String show(String v) {
        return v == null ? "(absent)" : "'" + v + "'";
    }

    /** One key, written by a single worker thread. */
    static final class Key {
        final String name;
        volatile String acked;
        /** Set once an operation got an error or no reply; the key is not written again until resolved. */
        volatile boolean hasPending;
        volatile String pending;

        Key(String name) {
            this.name = name;
        }
    }
}
