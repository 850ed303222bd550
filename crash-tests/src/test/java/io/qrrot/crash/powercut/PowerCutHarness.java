package io.qrrot.crash.powercut;

import io.qrrot.cli.embedded.EmbeddedClient;
import io.qrrot.cli.resp.Reply;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.recovery.fold.FoldAbortedException;
import io.qrrot.storage.StorageFile;
import io.qrrot.wal.FsyncPolicy;
import io.qrrot.wal.WalOptions;
import io.qrrot.testkit.FaultyStorage;
import io.qrrot.testkit.ForwardingStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Power cuts through the fault-injecting storage: the whole database (WAL with small segments, compaction
 * with a tiny sort budget so that its folds spill runs, folds given up as at a shutdown, snapshot install) runs a seeded script of commands with fsync
 * {@code always}, each acknowledged (durable) before the next is sent; the storage is cut at one I/O, the
 * unsynced writes are dropped, torn, reordered or zeroed per a crash mode, and the database is recovered.
 * The recovered state must equal the script's state after the acknowledged steps, or after one more (the
 * step in flight): nothing acknowledged lost, nothing half-applied, expired keys still expired.
 *
 * <p>About a third of the steps write collections: two queues (RPUSH, LPOP, LPOP with a count, LMOVE between
 * them), a counter hash (HINCRBY), a leaderboard (ZINCRBY), a set (SADD, SREM) and a list edited in place
 * (LPUSH/RPUSH, LINSERT, mostly before its last element so that the labels there run out and get relabelled,
 * also a MULTI of several such LINSERTs, LSET, LTRIM). Both the model and the recovered database render every
 * key as a string: a string's value, a list's values in order (LRANGE 0 -1, not its labels), a hash's
 * fields and values by field, a set's members sorted, a sorted set's members and scores in (score, member)
 * order.
 */
public final class PowerCutHarness {
    static final Path DIR = Path.of("/db");
    static final long NOW = 1_700_000_000_000L;

    /** What one cut found. {@code problem} is null when the state was right. */
    public record Outcome(long seed, long cutAt, FaultyStorage.CrashMode mode, int acknowledged, String problem) {
    }

    private PowerCutHarness() {
    }

    /** {@code syncOnFlush}: the thread that ends a batch fsyncs it (the server's loop mode), else the WAL writer. */
    static QrrotOptions options(FaultyStorage storage, boolean syncOnFlush) {
        return QrrotOptions.defaults().withStorage(storage).withShards(4).withFsync(FsyncPolicy.ALWAYS)
                .withWalSyncOnFlush(syncOnFlush)
                .withClock(() -> NOW)
                .withWal(1024, Long.MAX_VALUE, Long.MAX_VALUE)
                .withWalPreallocation(WalOptions.Preallocation.NONE)
                .withCompactMemoryBytes(1500);
    }

    /**
     * A seeded script: writes of every kind, transactions, absolute expiries, collection writes (about a third
     * of the steps), SAVE (a snapshot, folding the collections' records) now and then, and now and then a SAVE
     * given up as a shutdown gives it up (when its fold writes its first file), followed by a restart.
     */
    public static List<String[]> script(long seed, int steps) {
        Random r = new Random(seed);
        List<String[]> ops = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            int k = r.nextInt(12);
            int roll = r.nextInt(100);
            if (i % 51 == 50) {
                ops.add(new String[] {"SAVE-ABORTED"});
            } else if (i % 17 == 16) {
                ops.add(new String[] {"SAVE"});
            } else if (r.nextInt(3) == 0) {
                ops.add(collectionStep(r, i, k, ops));
            } else if (roll < 30) {
                ops.add(new String[] {"SET", "k" + k, "v" + i + "-" + "x".repeat(r.nextInt(80))});
            } else if (roll < 40) {
                // Absolute expiry, in the past (the key is gone at once) or the future (it stays).
                long at = r.nextBoolean() ? NOW - 1000 : NOW + 60_000;
                ops.add(new String[] {"SET", "k" + k, "e" + i, "PXAT", Long.toString(at)});
            } else if (roll < 50) {
                ops.add(new String[] {"DEL", "k" + k});
            } else if (roll < 65) {
                ops.add(new String[] {"INCR", "c" + (k % 3)});
            } else if (roll < 78) {
                ops.add(new String[] {"MSET", "k" + k, "m" + i, "k" + ((k + 1) % 12), "n" + i});
            } else if (roll < 88) {
                ops.add(new String[] {"APPEND", "k" + k, "+" + i});
            } else {
                // A transfer between two counters in one transaction: both or neither.
                ops.add(new String[] {"TRANSFER", "c" + (k % 3), "c" + ((k + 1) % 3), Integer.toString(1 + r.nextInt(9))});
            }
        }
        return ops;
    }

    /** Whether a step writes a collection (a list, the hash, the sorted set or the set). */
    public static boolean writesCollection(String[] op) {
        return switch (op[0]) {
            case "RPUSH", "LPUSH", "LPOP", "LMOVE", "LINSERT", "LINSERTS", "LSET", "LTRIM", "HINCRBY", "ZINCRBY",
                 "SADD", "SREM" -> true;
            default -> false;
        };
    }

    /** One collection write; the list edits are chosen from the list's state after the steps so far. */
    private static String[] collectionStep(Random r, int i, int k, List<String[]> ops) {
        int roll = r.nextInt(100);
        String q = "q" + (k % 2);
        if (roll < 16) {
            return new String[] {"RPUSH", q, "item-" + i};
        } else if (roll < 22) {
            return new String[] {"LPOP", q};
        } else if (roll < 26) {
            return new String[] {"LPOP", q, "2"};
        } else if (roll < 31) {
            String[] ends = {"LEFT", "RIGHT"};
            return new String[] {"LMOVE", q, "q" + ((k + 1) % 2), ends[r.nextInt(2)], ends[r.nextInt(2)]};
        } else if (roll < 42) {
            return new String[] {"HINCRBY", "h", "f" + (k % 5), Integer.toString(r.nextInt(21) - 5)};
        } else if (roll < 53) {
            return new String[] {"ZINCRBY", "z", Integer.toString(r.nextInt(21) - 5), "m" + (k % 6)};
        } else if (roll < 61) {
            return new String[] {"SADD", "s", "e" + r.nextInt(8)};
        } else if (roll < 66) {
            return new String[] {"SREM", "s", "e" + r.nextInt(8)};
        }
        return listStep(r, i, ops);
    }

    /** An edit of the list {@code l}: LINSERTs (mostly before its last element), LSET, LTRIM, pushes at both ends. */
    private static String[] listStep(Random r, int i, List<String[]> ops) {
        Object current = state(ops, ops.size()).get("l");
        List<?> l = current instanceof List<?> list ? list : List.of();
        int roll = r.nextInt(100);
        if (l.size() < 2 || roll < 10) {
            return new String[] {r.nextBoolean() ? "RPUSH" : "LPUSH", "l", "p" + i};
        }
        String last = (String) l.get(l.size() - 1);
        if (roll < 40) {
            boolean hot = r.nextInt(4) != 0;
            String pivot = hot ? last : (String) l.get(r.nextInt(l.size()));
            return new String[] {"LINSERT", "l", hot || r.nextBoolean() ? "BEFORE" : "AFTER", pivot, "i" + i};
        } else if (roll < 75) {
            // Several LINSERTs before the last element in one transaction: the labels there run out (a gap of
            // LABEL_STRIDE = 2^16 takes 16 inserts at one spot), and LINSERT relabels around the spot.
            List<String> inserts = new ArrayList<>(List.of("LINSERTS", "l", last));
            for (int j = 0; j < 8; j++) {
                inserts.add("i" + i + "." + j);
            }
            return inserts.toArray(String[]::new);
        } else if (roll < 90) {
            int index = r.nextInt(2 * l.size()) - l.size();
            return new String[] {"LSET", "l", Integer.toString(index), "s" + i};
        }
        int[] starts = {0, 1, 1 - l.size(), -2};
        int[] stops = {-1, -2, l.size() - 2, l.size() + 3};
        return new String[] {"LTRIM", "l", Integer.toString(starts[r.nextInt(starts.length)]),
            Integer.toString(stops[r.nextInt(stops.length)])};
    }

    /** The state after the first {@code n} steps, each key rendered as {@link #recover} renders it. */
    public static Map<String, String> model(List<String[]> ops, int n) {
        Map<String, String> rendered = new TreeMap<>();
        state(ops, n).forEach((key, value) -> rendered.put(key, render(value)));
        return rendered;
    }

    /**
     * The state after the first {@code n} steps: a String, a List of the values (a list), a TreeMap of fields
     * to numbers (the counter hash), a TreeSet (a set) or a Map of members to scores (a sorted set).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> state(List<String[]> ops, int n) {
        Map<String, Object> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String[] op = ops.get(i);
            switch (op[0]) {
                case "SET" -> {
                    if (op.length == 5 && Long.parseLong(op[4]) <= NOW) {
                        m.remove(op[1]);
                    } else {
                        m.put(op[1], op[2]);
                    }
                }
                case "DEL" -> m.remove(op[1]);
                case "INCR" -> m.put(op[1], Long.toString(number(m, op[1]) + 1));
                case "MSET" -> {
                    m.put(op[1], op[2]);
                    m.put(op[3], op[4]);
                }
                case "APPEND" -> m.put(op[1], m.getOrDefault(op[1], "") + op[2]);
                case "TRANSFER" -> {
                    long amount = Long.parseLong(op[3]);
                    m.put(op[1], Long.toString(number(m, op[1]) - amount));
                    m.put(op[2], Long.toString(number(m, op[2]) + amount));
                }
                case "RPUSH" -> list(m, op[1]).add(op[2]);
                case "LPUSH" -> list(m, op[1]).add(0, op[2]);
                case "LPOP" -> {
                    List<String> l = list(m, op[1]);
                    int count = op.length == 3 ? Integer.parseInt(op[2]) : 1;
                    for (int j = 0; j < count && !l.isEmpty(); j++) {
                        l.remove(0);
                    }
                }
                case "LMOVE" -> {
                    List<String> from = list(m, op[1]);
                    if (!from.isEmpty()) {
                        String item = from.remove(op[3].equals("LEFT") ? 0 : from.size() - 1);
                        List<String> to = list(m, op[2]);
                        to.add(op[4].equals("LEFT") ? 0 : to.size(), item);
                    }
                }
                case "LINSERT" -> {
                    List<String> l = list(m, op[1]);
                    int at = l.indexOf(op[3]);
                    if (at >= 0) {
                        l.add(op[2].equals("BEFORE") ? at : at + 1, op[4]);
                    }
                }
                case "LINSERTS" -> {
                    List<String> l = list(m, op[1]);
                    for (int j = 3; j < op.length; j++) {
                        int at = l.indexOf(op[2]);
                        if (at >= 0) {
                            l.add(at, op[j]);
                        }
                    }
                }
                case "LSET" -> {
                    List<String> l = list(m, op[1]);
                    int index = Integer.parseInt(op[2]);
                    l.set(index < 0 ? index + l.size() : index, op[3]);
                }
                case "LTRIM" -> {
                    List<String> l = list(m, op[1]);
                    int size = l.size();
                    int start = Integer.parseInt(op[2]);
                    int stop = Integer.parseInt(op[3]);
                    start = Math.max(0, start < 0 ? start + size : start);
                    stop = stop < 0 ? stop + size : stop;
                    if (start > stop || start >= size) {
                        l.clear();
                    } else {
                        List<String> kept = new ArrayList<>(l.subList(start, Math.min(stop, size - 1) + 1));
                        l.clear();
                        l.addAll(kept);
                    }
                }
                case "HINCRBY" -> ((Map<String, Long>) m.computeIfAbsent(op[1], x -> new TreeMap<String, Long>()))
                        .merge(op[2], Long.parseLong(op[3]), Long::sum);
                case "ZINCRBY" -> ((Map<String, Long>) m.computeIfAbsent(op[1], x -> new LinkedHashMap<String, Long>()))
                        .merge(op[3], Long.parseLong(op[2]), Long::sum);
                case "SADD" -> ((TreeSet<String>) m.computeIfAbsent(op[1], x -> new TreeSet<String>())).add(op[2]);
                case "SREM" -> {
                    if (m.get(op[1]) instanceof TreeSet<?> set) {
                        set.remove(op[2]);
                    }
                }
                default -> { }
            }
            // A collection emptied by a pop, a move, a trim or a removal is no longer a key.
            m.values().removeIf(v -> v instanceof List<?> l && l.isEmpty() || v instanceof TreeSet<?> set && set.isEmpty());
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> m, String key) {
        return (List<String>) m.computeIfAbsent(key, x -> new ArrayList<String>());
    }

    /** A key's value as {@link #recover} renders what the database holds. */
    @SuppressWarnings("unchecked")
    private static String render(Object value) {
        if (value instanceof String string) {
            return string;
        } else if (value instanceof List<?> list) {
            return "list" + list;
        } else if (value instanceof TreeMap<?, ?> hash) {
            return "hash" + hash;
        } else if (value instanceof TreeSet<?> set) {
            return "set" + set;
        }
        List<Map.Entry<String, Long>> members = new ArrayList<>(((Map<String, Long>) value).entrySet());
        members.sort(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, Long> e : members) {
            pairs.add(e.getKey() + "=" + e.getValue());
        }
        return "zset" + pairs;
    }

    private static long number(Map<String, Object> m, String key) {
        return Long.parseLong((String) m.getOrDefault(key, "0"));
    }

    /** Runs the script until the first failure; returns how many steps were acknowledged (-1: the open failed). */
    static int run(FaultyStorage storage, List<String[]> ops, boolean syncOnFlush) {
        AbortingStorage aborting = new AbortingStorage(storage);
        QrrotOptions options = options(storage, syncOnFlush).withStorage(aborting);
        Qrrot q;
        try {
            q = Qrrot.open(DIR, options);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        int acked = 0;
        try {
            EmbeddedClient db = new EmbeddedClient(q, 2);
            for (String[] op : ops) {
                if (op[0].equals("SAVE-ABORTED")) {
                    aborting.arm(q);
                    try {
                        q.saveSnapshot();
                        throw new IllegalStateException("the fold was not given up: the script's SAVE-ABORTED"
                                + " step found nothing to fold");
                    } catch (FoldAbortedException expected) {
                        // given up, as at a shutdown: restart
                    }
                    q.close();
                    q = Qrrot.open(DIR, options);
                    db = new EmbeddedClient(q, 2);
                } else if (!step(q, db, op)) {
                    break;
                }
                acked++;
            }
        } catch (IOException | RuntimeException e) {
            // the cut hit a snapshot or a restart: the steps before it were acknowledged
        } finally {
            try {
                q.close();
            } catch (IOException | RuntimeException e) {
                // closing a database whose disk is gone fails; the crash image comes from the storage
            }
        }
        return acked;
    }

    /**
     * Gives up the next fold, once armed, when it creates its first file (a spilled run or the temp snapshot):
     * what a shutdown does to a running compaction. Forwards everything, so the I/O count stays the
     * fault-injecting storage's.
     */
    private static final class AbortingStorage extends ForwardingStorage {
        private Qrrot armed;

        AbortingStorage(FaultyStorage delegate) {
            super(delegate);
        }

        void arm(Qrrot q) {
            armed = q;
        }

        @Override
        public StorageFile open(Path path, OpenMode mode) throws IOException {
            String name = path.getFileName().toString();
            if (armed != null && mode == OpenMode.CREATE_NEW && name.startsWith("snapshot-") && name.endsWith(".tmp")) {
                armed.abortSnapshots();
                armed = null;
            }
            return super.open(path, mode);
        }
    }

    private static boolean step(Qrrot q, EmbeddedClient db, String[] op) throws IOException {
        switch (op[0]) {
            case "SAVE" -> {
                q.saveSnapshot();
                return true;
            }
            case "TRANSFER" -> {
                db.call("MULTI");
                db.call("DECRBY", op[1], op[3]);
                db.call("INCRBY", op[2], op[3]);
                return !(db.call("EXEC") instanceof Reply.ErrorReply);
            }
            case "LINSERTS" -> {
                db.call("MULTI");
                for (int j = 3; j < op.length; j++) {
                    db.call("LINSERT", op[1], "BEFORE", op[2], op[j]);
                }
                return !(db.call("EXEC") instanceof Reply.ErrorReply);
            }
            default -> {
                return !(db.call(op) instanceof Reply.ErrorReply);
            }
        }
    }

    /**
     * Opens the crashed storage and reads every key (by its type: GET, LRANGE 0 -1, HGETALL, SMEMBERS, ZRANGE 0 -1
     * WITHSCORES, rendered as {@link #model} renders them); the recovered database must also take a write.
     */
    static Map<String, String> recover(FaultyStorage storage, boolean syncOnFlush) throws IOException {
        try (Qrrot q = Qrrot.open(DIR, options(storage, syncOnFlush))) {
            EmbeddedClient db = new EmbeddedClient(q, 2);
            Map<String, String> m = new TreeMap<>();
            for (Reply k : array(db, "KEYS", "*")) {
                String key = ((Reply.BulkString) k).utf8();
                Reply type = db.call("TYPE", key);
                String t = type instanceof Reply.SimpleString s ? s.value() : type.toString();
                switch (t) {
                    case "string" -> {
                        Reply value = db.call("GET", key);
                        m.put(key, value instanceof Reply.BulkString b ? b.utf8() : value.toString());
                    }
                    case "list" -> m.put(key, "list" + strings(array(db, "LRANGE", key, "0", "-1")));
                    case "hash" -> {
                        List<String> flat = strings(array(db, "HGETALL", key));
                        Map<String, Long> hash = new TreeMap<>();
                        for (int i = 0; i < flat.size(); i += 2) {
                            hash.put(flat.get(i), Long.parseLong(flat.get(i + 1)));
                        }
                        m.put(key, "hash" + hash);
                    }
                    case "set" -> m.put(key, "set" + new TreeSet<>(strings(array(db, "SMEMBERS", key))));
                    case "zset" -> {
                        List<String> flat = strings(array(db, "ZRANGE", key, "0", "-1", "WITHSCORES"));
                        List<String> pairs = new ArrayList<>();
                        for (int i = 0; i < flat.size(); i += 2) {
                            pairs.add(flat.get(i) + "=" + flat.get(i + 1));
                        }
                        m.put(key, "zset" + pairs);
                    }
                    default -> m.put(key, "type " + t);
                }
            }
            Reply ok = db.call("SET", "after-recovery", "1");
            if (!ok.equals(new Reply.SimpleString("OK"))) {
                throw new IOException("the recovered database refused a write: " + ok);
            }
            return m;
        }
    }

    private static List<Reply> array(EmbeddedClient db, String... command) throws IOException {
        Reply reply = db.call(command);
        if (!(reply instanceof Reply.ArrayReply array)) {
            throw new IOException(String.join(" ", command) + " answered " + reply);
        }
        return array.elements();
    }

    private static List<String> strings(List<Reply> replies) {
        List<String> out = new ArrayList<>();
        for (Reply r : replies) {
            out.add(r instanceof Reply.BulkString b ? b.utf8() : r.toString());
        }
        return out;
    }

    /** How many counted I/O operations the whole script does without faults. */
    public static long ioCount(List<String[]> ops, boolean syncOnFlush) {
        FaultyStorage reference = new FaultyStorage();
        int acked = run(reference, ops, syncOnFlush);
        if (acked != ops.size()) {
            throw new IllegalStateException("the script did not run through without faults: " + acked + " of " + ops.size());
        }
        return reference.ioCount();
    }

    /** Cuts the power at I/O {@code cutAt}, crashes with {@code mode}, recovers and checks. */
    public static Outcome cut(long seed, List<String[]> ops, long cutAt, FaultyStorage.CrashMode mode, Random rnd,
                              boolean syncOnFlush) {
        FaultyStorage storage = new FaultyStorage().powerCutAt(cutAt);
        int acked = Math.max(0, run(storage, ops, syncOnFlush));
        FaultyStorage after = storage.crash(mode, rnd);
        Map<String, String> found;
        try {
            found = recover(after, syncOnFlush);
        } catch (IOException | RuntimeException e) {
            return new Outcome(seed, cutAt, mode, acked, "recovery failed: " + e);
        }
        Map<String, String> ackedState = model(ops, acked);
        Map<String, String> withInFlight = model(ops, Math.min(ops.size(), acked + 1));
        if (found.equals(ackedState) || found.equals(withInFlight)) {
            return new Outcome(seed, cutAt, mode, acked, null);
        }
        return new Outcome(seed, cutAt, mode, acked, "found " + found + "\n  acknowledged " + ackedState
                + "\n  or with the step in flight " + withInFlight);
    }
}
