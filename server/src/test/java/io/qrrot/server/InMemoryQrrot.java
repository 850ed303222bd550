package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec;
import io.qrrot.engine.CommandSpec.Flag;
import io.qrrot.engine.ReplySink;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A test double of the durable facade: a HashMap keyspace with GET/SET/DEL/INCR/EXISTS/MGET/DBSIZE/FLUSHDB
 * and MULTI/EXEC/DISCARD/WATCH/UNWATCH, every write getting the next LSN. Durability is controllable:
 * {@link Durability#AUTO} completes everything appended when {@code endOfBatch()} is called, from a
 * separate "WAL" thread, like the real log; {@link Durability#MANUAL} completes only when a test calls
 * {@link #makeDurable} or {@link #fail}. Thread-safe (one lock).
 */
final class InMemoryQrrot implements Qrrot {
    enum Durability { AUTO, MANUAL }

    private final Durability mode;
    private final Map<String, byte[]> data = new HashMap<>();
    private final Map<String, Long> versions = new HashMap<>();
    private long version;
    private long appended;
    private long durable;
    private String failure;
    private final TreeMap<Long, List<DurabilityListener>> waiting = new TreeMap<>();
    private final ExecutorService wal = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-wal");
        t.setDaemon(true);
        return t;
    });
    private long maxMemory;
    private int endOfBatchCalls;
    private int snapshots;
    /** What the next {@link #saveSnapshot} throws, when set. */
    volatile java.io.IOException saveFailure;

    InMemoryQrrot(Durability mode) {
        this.mode = mode;
    }

    // ------------------------------------------------------------------ durability control

    /** Marks everything up to {@code lsn} durable and completes the listeners (on the calling thread). */
    void makeDurable(long lsn) {
        List<DurabilityListener> fire = new ArrayList<>();
        synchronized (this) {
            durable = Math.max(durable, Math.min(lsn, appended));
            Iterator<Map.Entry<Long, List<DurabilityListener>>> it = waiting.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, List<DurabilityListener>> e = it.next();
                if (e.getKey() > durable) {
                    break;
                }
                fire.addAll(e.getValue());
                it.remove();
            }
        }
        fire.forEach(DurabilityListener::onDurable);
    }

    /** Fails every pending and future wait with {@code message}. */
    void fail(String message) {
        List<DurabilityListener> fire = new ArrayList<>();
        synchronized (this) {
            failure = message;
            waiting.values().forEach(fire::addAll);
            waiting.clear();
        }
        fire.forEach(l -> l.onFailure(message));
    }

    synchronized long appendedLsn() {
        return appended;
    }

    synchronized long durableLsn() {
        return durable;
    }

    synchronized int endOfBatchCalls() {
        return endOfBatchCalls;
    }

    synchronized int pendingWaits() {
        int n = 0;
        for (List<DurabilityListener> l : waiting.values()) {
            n += l.size();
        }
        return n;
    }

    synchronized int snapshots() {
        return snapshots;
    }

    // ------------------------------------------------------------------ Qrrot

    @Override
    public Session newSession() {
        return new MemSession();
    }

    @Override
    public void whenDurable(long lsn, DurabilityListener listener) {
        String f;
        synchronized (this) {
            f = failure;
            if (f == null && lsn > durable) {
                waiting.computeIfAbsent(lsn, k -> new ArrayList<>()).add(listener);
                return;
            }
        }
        if (f != null) {
            listener.onFailure(f);
        } else {
            listener.onDurable();
        }
    }

    @Override
    public void endOfBatch() {
        long upTo;
        synchronized (this) {
            endOfBatchCalls++;
            upTo = appended;
        }
        if (mode == Durability.AUTO) {
            wal.execute(() -> makeDurable(upTo));
        }
    }

    @Override
    public List<CommandSpec> commands() {
        EnumSet<Flag> w = EnumSet.of(Flag.WRITE, Flag.DENYOOM);
        EnumSet<Flag> r = EnumSet.of(Flag.READONLY, Flag.FAST);
        EnumSet<Flag> tx = EnumSet.of(Flag.FAST);
        return List.of(
                new CommandSpec("GET", 2, r, 1, 1, 1, "string", "key", "Returns the string value of a key."),
                new CommandSpec("SET", 3, w, 1, 1, 1, "string", "key value", "Sets the string value of a key."),
                new CommandSpec("DEL", -2, EnumSet.of(Flag.WRITE), 1, -1, 1, "generic", "key [key ...]", "Deletes keys."),
                new CommandSpec("INCR", 2, w, 1, 1, 1, "string", "key", "Increments the integer value of a key by one."),
                new CommandSpec("EXISTS", -2, r, 1, -1, 1, "generic", "key [key ...]", "Counts existing keys."),
                new CommandSpec("MGET", -2, r, 1, -1, 1, "string", "key [key ...]", "Returns the values of keys."),
                new CommandSpec("DBSIZE", 1, r, 0, 0, 0, "server", "", "Returns the number of keys."),
                new CommandSpec("FLUSHDB", -1, EnumSet.of(Flag.WRITE), 0, 0, 0, "server", "[ASYNC|SYNC]", "Removes all keys."),
                new CommandSpec("MULTI", 1, tx, 0, 0, 0, "transactions", "", "Starts a transaction."),
                new CommandSpec("EXEC", 1, EnumSet.noneOf(Flag.class), 0, 0, 0, "transactions", "", "Executes the transaction."),
                new CommandSpec("DISCARD", 1, tx, 0, 0, 0, "transactions", "", "Discards the transaction."),
                new CommandSpec("WATCH", -2, tx, 1, -1, 1, "transactions", "key [key ...]", "Watches keys."),
                new CommandSpec("UNWATCH", 1, tx, 0, 0, 0, "transactions", "", "Forgets watched keys."));
    }

    @Override
    public synchronized Map<String, Map<String, String>> info() {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        m.put("memory", new LinkedHashMap<>(Map.of("used_memory", Long.toString(data.size() * 64L))));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("wal_last_lsn", Long.toString(appended));
        p.put("wal_durable_lsn", Long.toString(durable));
        p.put("wal_last_fsync_status", failure == null ? "ok" : "err");
        m.put("persistence", p);
        m.put("stats", new LinkedHashMap<>(Map.of("keyspace_size_changes", Long.toString(version))));
        m.put("keyspace", data.isEmpty() ? new LinkedHashMap<>()
                : new LinkedHashMap<>(Map.of("db0", "keys=" + data.size() + ",expires=0,avg_ttl=0")));
        return m;
    }

    @Override
    public synchronized SnapshotResult saveSnapshot() throws java.io.IOException {
        java.io.IOException f = saveFailure;
        if (f != null) {
            throw f;
        }
        snapshots++;
        return new SnapshotResult(Path.of("snapshots", "snapshot-" + durable + ".qrrt"), durable, data.size(),
                data.size() * 32L, 1);
    }

    @Override
    public synchronized QrrotOptions options() {
        return QrrotOptions.defaults().withMaxMemoryBytes(maxMemory);
    }

    @Override
    public synchronized void setMaxMemory(long bytes) {
        maxMemory = bytes;
    }

    @Override
    public void close() {
        wal.shutdownNow();
    }

    // ------------------------------------------------------------------ commands

    private final class MemSession implements Session {
        private List<byte[][]> queue;
        private final Map<String, Long> watched = new HashMap<>();
        private boolean dirty;

        @Override
        public long execute(CommandArgs args, ReplySink out) {
            String name = args.string(0).toUpperCase(java.util.Locale.ROOT);
            synchronized (InMemoryQrrot.this) {
                switch (name) {
                    case "MULTI" -> {
                        if (queue != null) {
                            out.error("ERR MULTI calls can not be nested");
                        } else {
                            queue = new ArrayList<>();
                            out.simple("OK");
                        }
                        return 0;
                    }
                    case "DISCARD" -> {
                        if (queue == null) {
                            out.error("ERR DISCARD without MULTI");
                        } else {
                            queue = null;
                            watched.clear();
                            out.simple("OK");
                        }
                        return 0;
                    }
                    case "WATCH" -> {
                        if (queue != null) {
                            out.error("ERR WATCH inside MULTI is not allowed");
                        } else {
                            for (int i = 1; i < args.count(); i++) {
                                String k = key(args, i);
                                watched.put(k, versions.getOrDefault(k, 0L));
                            }
                            out.simple("OK");
                        }
                        return 0;
                    }
                    case "UNWATCH" -> {
                        watched.clear();
                        out.simple("OK");
                        return 0;
                    }
                    case "EXEC" -> {
                        if (queue == null) {
                            out.error("ERR EXEC without MULTI");
                            return 0;
                        }
                        List<byte[][]> q = queue;
                        queue = null;
                        boolean changed = false;
                        for (Map.Entry<String, Long> e : watched.entrySet()) {
                            changed |= !versions.getOrDefault(e.getKey(), 0L).equals(e.getValue());
                        }
                        watched.clear();
                        if (changed) {
                            out.nilArray();
                            return 0;
                        }
                        out.array(q.size());
                        boolean wrote = false;
                        for (byte[][] cmd : q) {
                            wrote |= run(CommandArgs.ofBytes(cmd), out);
                        }
                        return wrote ? ++appended : 0;
                    }
                    default -> {
                        if (queue != null) {
                            byte[][] copy = new byte[args.count()][];
                            for (int i = 0; i < copy.length; i++) {
                                copy[i] = args.bytes(i);
                            }
                            queue.add(copy);
                            out.simple("QUEUED");
                            return 0;
                        }
                        return run(args, out) ? ++appended : 0;
                    }
                }
            }
        }

        @Override
        public boolean inTransaction() {
            synchronized (InMemoryQrrot.this) {
                return queue != null;
            }
        }

        @Override
        public void close() {
            synchronized (InMemoryQrrot.this) {
                queue = null;
                watched.clear();
            }
        }
    }

    private static String key(CommandArgs a, int i) {
        return new String(a.array(), a.offset(i), a.length(i), StandardCharsets.ISO_8859_1);
    }

    private void touch(String k) {
        versions.put(k, ++version);
    }

    /** Runs one data command; true when it wrote (and so needs an LSN). Caller holds the lock. */
    private boolean run(CommandArgs a, ReplySink out) {
        String name = a.string(0).toUpperCase(java.util.Locale.ROOT);
        if (failure != null && (name.equals("SET") || name.equals("DEL") || name.equals("INCR") || name.equals("FLUSHDB"))) {
            out.error("IOERR the write-ahead log failed; the database is read-only");
            return false;
        }
        switch (name) {
            case "GET" -> {
                byte[] v = data.get(key(a, 1));
                if (v == null) {
                    out.nil();
                } else {
                    out.bulk(v, 0, v.length);
                }
                return false;
            }
            case "SET" -> {
                data.put(key(a, 1), a.bytes(2));
                touch(key(a, 1));
                out.simple("OK");
                return true;
            }
            case "DEL" -> {
                int n = 0;
                for (int i = 1; i < a.count(); i++) {
                    if (data.remove(key(a, i)) != null) {
                        touch(key(a, i));
                        n++;
                    }
                }
                out.integer(n);
                return n > 0;
            }
            case "INCR" -> {
                byte[] v = data.get(key(a, 1));
                long n;
                try {
                    n = v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    out.error("ERR value is not an integer or out of range");
                    return false;
                }
                if (n == Long.MAX_VALUE) {
                    out.error("ERR increment or decrement would overflow");
                    return false;
                }
                n++;
                data.put(key(a, 1), Long.toString(n).getBytes(StandardCharsets.US_ASCII));
                touch(key(a, 1));
                out.integer(n);
                return true;
            }
            case "EXISTS" -> {
                int n = 0;
                for (int i = 1; i < a.count(); i++) {
                    n += data.containsKey(key(a, i)) ? 1 : 0;
                }
                out.integer(n);
                return false;
            }
            case "MGET" -> {
                out.array(a.count() - 1);
                for (int i = 1; i < a.count(); i++) {
                    byte[] v = data.get(key(a, i));
                    if (v == null) {
                        out.nil();
                    } else {
                        out.bulk(v, 0, v.length);
                    }
                }
                return false;
            }
            case "DBSIZE" -> {
                out.integer(data.size());
                return false;
            }
            case "FLUSHDB" -> {
                for (String k : data.keySet()) {
                    touch(k);
                }
                data.clear();
                out.simple("OK");
                return true;
            }
            default -> {
                out.error("ERR unknown command '" + a.string(0) + "'");
                return false;
            }
        }
    }
}
