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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Power cuts through the fault-injecting storage: the whole database (WAL with small segments, compaction
 * with a tiny sort budget so that its folds spill runs, folds given up as at a shutdown, snapshot install) runs a seeded script of commands with fsync
 * {@code always}, each acknowledged (durable) before the next is sent; the storage is cut at one I/O, the
 * unsynced writes are dropped, torn, reordered or zeroed per a crash mode, and the database is recovered.
 * The recovered state must equal the script's state after the acknowledged steps, or after one more (the
 * step in flight): nothing acknowledged lost, nothing half-applied, expired keys still expired.
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
     * A seeded script: writes of every kind, transactions, absolute expiries, SAVE (a snapshot) now and then,
     * and now and then a SAVE given up as a shutdown gives it up (when its fold writes its first file),
     * followed by a restart.
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

    /** The state after the first {@code n} steps. */
    public static Map<String, String> model(List<String[]> ops, int n) {
        Map<String, String> m = new TreeMap<>();
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
                default -> { }
            }
        }
        return m;
    }

    private static long number(Map<String, String> m, String key) {
        return Long.parseLong(m.getOrDefault(key, "0"));
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
            default -> {
                return !(db.call(op) instanceof Reply.ErrorReply);
            }
        }
    }

    /** Opens the crashed storage and reads every key; the recovered database must also take a write. */
    static Map<String, String> recover(FaultyStorage storage, boolean syncOnFlush) throws IOException {
        try (Qrrot q = Qrrot.open(DIR, options(storage, syncOnFlush))) {
            EmbeddedClient db = new EmbeddedClient(q, 2);
            Map<String, String> m = new TreeMap<>();
            Reply keys = db.call("KEYS", "*");
            if (!(keys instanceof Reply.ArrayReply array)) {
                throw new IOException("KEYS * answered " + keys);
            }
            for (Reply k : array.elements()) {
                String key = ((Reply.BulkString) k).utf8();
                Reply value = db.call("GET", key);
                m.put(key, value instanceof Reply.BulkString b ? b.utf8() : value.toString());
            }
            Reply ok = db.call("SET", "after-recovery", "1");
            if (!ok.equals(new Reply.SimpleString("OK"))) {
                throw new IOException("the recovered database refused a write: " + ok);
            }
            return m;
        }
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
