package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.wal.FsyncPolicy;
import io.qrrot.wal.WalOptions;
import io.qrrot.wal.io.FaultyStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Power cuts at every I/O of a workload that writes, rolls WAL segments and installs snapshots, through the
 * fault-injecting storage: after recovery, with fsync {@code always}, every acknowledged write is there and
 * the state is exactly the acknowledged prefix, or that prefix plus the one command in flight.
 */
class CrashPointTest {
    static final Path DIR = Path.of("/db");
    static final FaultyStorage.CrashMode[] MODES = {
        FaultyStorage.CrashMode.NONE, FaultyStorage.CrashMode.TORN, FaultyStorage.CrashMode.SUBSET,
        FaultyStorage.CrashMode.ZEROED_SECTORS,
        FaultyStorage.CrashMode.PREFIX, FaultyStorage.CrashMode.ALL};

    static QrrotOptions options(FaultyStorage storage) {
        return QrrotOptions.defaults().withStorage(storage).withShards(4).withFsync(FsyncPolicy.ALWAYS)
                .withClock(() -> 1_700_000_000_000L)
                .withWal(1024, Long.MAX_VALUE, Long.MAX_VALUE)
                .withWalPreallocation(WalOptions.Preallocation.NONE)
                .withCompactMemoryBytes(1500); // several fold passes per SAVE: crashes land between them too
    }

    /** One step of the scripted workload: a command, or SAVE (a snapshot through the compactor). */
    static List<String[]> workload(long seed, int steps) {
        Random r = new Random(seed);
        List<String[]> ops = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            int k = r.nextInt(12);
            int roll = r.nextInt(100);
            if (i % 17 == 16) {
                ops.add(new String[] {"SAVE"});
            } else if (roll < 40) {
                ops.add(new String[] {"SET", "k" + k, "v" + i + "-" + "x".repeat(r.nextInt(80))});
            } else if (roll < 55) {
                ops.add(new String[] {"DEL", "k" + k});
            } else if (roll < 75) {
                ops.add(new String[] {"INCR", "c" + (k % 3)});
            } else if (roll < 90) {
                ops.add(new String[] {"MSET", "k" + k, "m" + i, "k" + ((k + 1) % 12), "n" + i});
            } else {
                ops.add(new String[] {"APPEND", "k" + k, "+" + i});
            }
        }
        return ops;
    }

    /** The state after the first {@code n} steps. */
    static Map<String, String> model(List<String[]> ops, int n) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String[] op = ops.get(i);
            switch (op[0]) {
                case "SET" -> m.put(op[1], op[2]);
                case "DEL" -> m.remove(op[1]);
                case "INCR" -> m.put(op[1], Long.toString(Long.parseLong(m.getOrDefault(op[1], "0")) + 1));
                case "MSET" -> {
                    m.put(op[1], op[2]);
                    m.put(op[3], op[4]);
                }
                case "APPEND" -> m.put(op[1], m.getOrDefault(op[1], "") + op[2]);
                default -> { }
            }
        }
        return m;
    }

    /** Runs the workload until the first failure; returns how many steps were acknowledged. */
    static int run(FaultyStorage storage, List<String[]> ops) {
        Qrrot q;
        try {
            q = Qrrot.open(DIR, options(storage));
        } catch (IOException | RuntimeException e) {
            return -1; // the cut came while opening: nothing was acknowledged in this run
        }
        int acked = 0;
        try {
            Db db = new Db(q);
            for (String[] op : ops) {
                if (op[0].equals("SAVE")) {
                    q.saveSnapshot();
                } else {
                    String reply = db.run(op);
                    if (reply.startsWith("(error)")) {
                        break;
                    }
                }
                acked++;
            }
        } catch (IOException | RuntimeException e) {
            // the cut hit a snapshot: stop here
        } finally {
            try {
                q.close();
            } catch (IOException | RuntimeException e) {
                // closing a database whose disk is gone fails; the crash image is taken from the storage
            }
        }
        return acked;
    }

    static Map<String, String> recovered(FaultyStorage storage) throws IOException {
        try (Qrrot q = Qrrot.open(DIR, options(storage))) {
            Db db = new Db(q);
            Map<String, String> m = new TreeMap<>();
            String keys = db.run("KEYS", "*");
            if (!keys.equals("[]")) {
                for (String k : TextReply.split(keys.substring(1, keys.length() - 1))) {
                    m.put(k, db.run("GET", k));
                }
            }
            assertEquals("OK", db.run("SET", "after-recovery", "1"), "the recovered database takes writes");
            return m;
        }
    }

    @Test
    void powerCutAtEveryIoKeepsExactlyTheAcknowledgedPrefix() throws IOException {
        long seed = Long.getLong("qrrot.seed", new Random().nextLong());
        List<String[]> ops = workload(seed, 70);
        FaultyStorage reference = new FaultyStorage();
        assertEquals(ops.size(), run(reference, ops), "seed=" + seed + ": the workload runs through without faults");
        long ioCount = reference.ioCount();
        assertTrue(ioCount > 100, "seed=" + seed + ": expected a few hundred I/O operations, got " + ioCount);
        Random rnd = new Random(seed);
        int checked = 0;
        for (long n = 1; n <= ioCount; n++) {
            FaultyStorage storage = new FaultyStorage().powerCutAt(n);
            int acked = run(storage, ops);
            FaultyStorage.CrashMode mode = MODES[(int) (n % MODES.length)];
            FaultyStorage after = storage.crash(mode, rnd);
            Map<String, String> found;
            try {
                found = recovered(after);
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("seed=" + seed + " cut at I/O " + n + " (" + mode + "): recovery failed: " + e, e);
            }
            int base = Math.max(0, acked);
            Map<String, String> ackedState = model(ops, base);
            Map<String, String> withInFlight = model(ops, Math.min(ops.size(), base + 1));
            if (!found.equals(ackedState) && !found.equals(withInFlight)) {
                fail("seed=" + seed + " cut at I/O " + n + " of " + ioCount + " (" + mode + "), " + base
                        + " steps acknowledged:\n found     " + found + "\n acknowledged " + ackedState
                        + "\n or with the step in flight " + withInFlight);
            }
            checked++;
        }
        assertEquals(ioCount, checked);
    }

    @Test
    void aWorkloadSurvivesAnOrderlyRestartBetweenEverySnapshot() throws IOException {
        long seed = Long.getLong("qrrot.seed", new Random().nextLong());
        List<String[]> ops = workload(seed, 70);
        FaultyStorage storage = new FaultyStorage();
        run(storage, ops);
        Map<String, String> expected = new HashMap<>(model(ops, ops.size()));
        assertEquals(new TreeMap<>(expected), recovered(storage), "seed=" + seed);
    }
}
