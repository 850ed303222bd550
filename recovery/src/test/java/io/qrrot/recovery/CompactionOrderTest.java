package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.snapshot.SnapshotFormat;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.storage.FileStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction writes hash-ordered snapshots (a merge of the previous one with the sorted WAL delta), pass after
 * pass, holding exactly what the store holds; a snapshot in file order from before the flag existed still
 * loads and is folded correctly (its records sorted with the delta, into a hash-ordered snapshot).
 */
class CompactionOrderTest {
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());

    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    QrrotOptions options() {
        return TestOptions.clocked(now).withCompactMemoryBytes(8192);
    }

    /** The records of a snapshot file (read with every check, the hash order included when flagged). */
    static TreeMap<String, String> records(Path file) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, file)) {
            r.read((type, key, value, expiry) -> out.put(StoreContents.hex(key, 0, key.capacity()),
                    type + " " + StoreContents.hex(value, 0, value.capacity()) + " " + expiry));
        }
        return out;
    }

    static boolean hashOrdered(Path file) throws IOException {
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, file)) {
            return r.hashOrdered();
        }
    }

    private static void randomWrites(Db db, Random rnd, int count) {
        for (int i = 0; i < count; i++) {
            String key = "k" + rnd.nextInt(400);
            switch (rnd.nextInt(9)) {
                case 0 -> db.run("DEL", key);
                case 1 -> db.run("INCRBY", "n" + rnd.nextInt(100), Integer.toString(rnd.nextInt(1000)));
                case 2 -> db.run("PUT", "j" + rnd.nextInt(100), "{\"v\": " + rnd.nextInt(1000) + "}", "json");
                case 3 -> db.run("PEXPIRE", key, Integer.toString(1000 + rnd.nextInt(100_000)));
                case 4 -> db.run("PERSIST", key);
                case 5 -> db.run("SET", key, "x".repeat(rnd.nextInt(3000)));
                default -> db.run("SET", key, "v" + rnd.nextInt());
            }
        }
    }

    @Test
    void everySaveWritesAHashOrderedSnapshotHoldingTheStore() throws IOException {
        Random rnd = new Random(SEED);
        TreeMap<String, String> last = null;
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            Db db = new Db(q);
            for (int round = 0; round < 5; round++) {
                randomWrites(db, rnd, 300 + rnd.nextInt(700));
                if (round == 3) {
                    db.run("FLUSHALL");
                    randomWrites(db, rnd, 200);
                }
                Qrrot.SnapshotResult r = q.saveSnapshot();
                assertTrue(hashOrdered(r.file()), "seed=" + SEED);
                last = records(r.file());
                assertEquals(StoreContents.entries(q.engine()), last, "seed=" + SEED + " round=" + round);
                assertEquals(last.size(), r.keys());
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve(DataDirectory.SNAPSHOT_DIR))) {
            for (Path f : files.toList()) {
                assertTrue(hashOrdered(f), f + " seed=" + SEED);
            }
        }
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            assertEquals(last, StoreContents.entries(q.engine()), "seed=" + SEED);
        }
    }

    @Test
    void restoreAndOfflineSaveKeepTheHashOrder() throws IOException {
        Random rnd = new Random(SEED);
        Path source = dir.resolve("source");
        TreeMap<String, String> expected;
        Path saved;
        try (DurableQrrot q = DurableQrrot.open(source, options())) {
            randomWrites(new Db(q), rnd, 400);
            expected = StoreContents.entries(q.engine());
            saved = q.saveSnapshot().file();
        }
        Path backup = dir.resolve("backup.qrrt");
        SnapshotInfo offline = DataTools.saveOffline(source, options(), backup, false, DataTools.Progress.NONE);
        assertTrue(hashOrdered(backup));
        assertEquals(expected, records(backup));
        assertEquals(SnapshotFormat.parseLsn(saved.getFileName().toString()), offline.baseLsn());
        Path restored = dir.resolve("restored");
        SnapshotInfo installed = DataTools.restore(backup, restored, DataTools.Progress.NONE);
        assertTrue(hashOrdered(Path.of(installed.file())));
        try (DurableQrrot q = DurableQrrot.open(restored, options())) {
            assertEquals(expected, StoreContents.entries(q.engine()), "seed=" + SEED);
        }
    }

    @Test
    void aFileOrderSnapshotStillLoadsAndIsFoldedIntoAHashOrderedOne() throws IOException {
        Random rnd = new Random(SEED);
        Path snapshot;
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            randomWrites(new Db(q), rnd, 500);
            snapshot = q.saveSnapshot().file();
        }
        // Rewrite it in file order, as a release without the flag wrote it: reversed, so it is not sorted.
        List<byte[][]> recs = new ArrayList<>();
        List<Long> expiries = new ArrayList<>();
        SnapshotInfo info;
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, snapshot)) {
            info = r.info();
            r.read((type, key, value, expiry) -> {
                byte[] k = new byte[key.capacity()];
                byte[] v = new byte[value.capacity()];
                key.getBytes(0, k);
                value.getBytes(0, v);
                recs.add(0, new byte[][] {{type}, k, v});
                expiries.add(0, expiry);
            });
        }
        try (SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, snapshot.getParent(), info.baseLsn(),
                info.createdMillis())) {
            for (int i = 0; i < recs.size(); i++) {
                w.add(recs.get(i)[0][0], recs.get(i)[1], recs.get(i)[2], expiries.get(i));
            }
            w.finish();
        }
        assertFalse(hashOrdered(snapshot));
        TreeMap<String, String> expected = records(snapshot);
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            assertEquals(expected, StoreContents.entries(q.engine()), "seed=" + SEED);
            randomWrites(new Db(q), rnd, 300);
            expected = StoreContents.entries(q.engine());
            Qrrot.SnapshotResult r = q.saveSnapshot();
            assertTrue(hashOrdered(r.file()), "its records went into the sort as the oldest changes");
            assertEquals(expected, records(r.file()), "seed=" + SEED);
        }
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            assertEquals(expected, StoreContents.entries(q.engine()), "seed=" + SEED);
        }
    }
}
