package io.qrrot.recovery.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hash-ordered snapshots: the writer's guard, the flag, the order checks and the parallel reader. */
@Timeout(120)
class SnapshotOrderTest {
    private static final Storage FS = FileStorage.INSTANCE;
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());

    @TempDir
    Path dir;

    static final Comparator<Rec> ORDER = (a, b) -> SnapshotOrder.compare(
            SnapshotOrder.hash(a.key(), 0, a.key().length), a.key(), a.key().length,
            SnapshotOrder.hash(b.key(), 0, b.key().length), b.key(), b.key().length);

    /** Random records with distinct keys, in hash order. */
    static List<Rec> sortedRecords(Random rnd, int count, int bigOver) {
        List<Rec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Rec r : Rec.random(rnd, count, bigOver)) {
            if (seen.add(java.util.HexFormat.of().formatHex(r.key()))) {
                out.add(r);
            }
        }
        out.sort(ORDER);
        return out;
    }

    private SnapshotInfo write(long lsn, List<Rec> records, boolean ordered, int blockTarget) throws IOException {
        try (SnapshotWriter w = SnapshotWriter.begin(FS, dir, lsn, 1_700_000_000_123L, ordered, blockTarget)) {
            for (Rec r : records) {
                w.add(r.type(), r.key(), r.value(), r.expiry());
            }
            return w.finish();
        }
    }

    /** The records of one run, and the thread that read them. */
    static final class RunCollect implements SnapshotReader.RunVisitor {
        final List<Rec> records = new ArrayList<>();
        final AtomicInteger closed;
        final Thread thread = Thread.currentThread();
        String problem;

        RunCollect(AtomicInteger closed) {
            this.closed = closed;
        }

        @Override
        public void onRecord(long keyHash, byte type, DirectBuffer key, DirectBuffer value, long expiry) {
            byte[] k = new byte[key.capacity()];
            byte[] v = new byte[value.capacity()];
            key.getBytes(0, k);
            value.getBytes(0, v);
            if (keyHash != SnapshotOrder.hash(k, 0, k.length)) {
                problem = "wrong hash for key " + records.size();
            }
            if (Thread.currentThread() != thread) {
                problem = "visited on another thread than the one it was made on";
            }
            records.add(new Rec(type, k, v, expiry));
        }

        @Override
        public void close() {
            if (Thread.currentThread() != thread) {
                problem = "closed on another thread";
            }
            closed.incrementAndGet();
        }
    }

    private List<List<Rec>> readParallel(Path file, int threads, int batchCapacity) throws IOException {
        ConcurrentHashMap<Integer, RunCollect> runs = new ConcurrentHashMap<>();
        AtomicInteger closed = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        try (SnapshotReader r = SnapshotReader.open(FS, file, true, batchCapacity)) {
            SnapshotInfo info = r.readParallel(threads, (run, count) -> {
                assertTrue(total.compareAndSet(0, count) || total.get() == count, "the same run count for every run");
                RunCollect c = new RunCollect(closed);
                assertEquals(null, runs.put(run, c), "run " + run + " made twice");
                return c;
            });
            assertTrue(info.verified());
        }
        assertEquals(runs.size(), closed.get(), "every run's visitor closed once");
        assertEquals(runs.size(), total.get(), "runs as announced");
        assertTrue(runs.size() <= threads, runs.size() + " runs for " + threads + " threads");
        List<List<Rec>> out = new ArrayList<>();
        Set<Thread> threadsSeen = new HashSet<>();
        for (int i = 0; i < runs.size(); i++) {
            RunCollect c = runs.get(i);
            assertEquals(null, c.problem);
            assertFalse(c.records.isEmpty(), "run " + i + " is empty");
            threadsSeen.add(c.thread);
            out.add(c.records);
        }
        assertEquals(runs.size(), threadsSeen.size(), "one thread per run");
        return out;
    }

    @Test
    void orderedFilesRoundTripInOrderAndSplitIntoContiguousRuns() throws IOException {
        Random rnd = new Random(SEED);
        for (int round = 0; round < 6; round++) {
            List<Rec> records = sortedRecords(rnd, 1 + rnd.nextInt(2000), 300);
            int blockTarget = 20 + rnd.nextInt(4000);
            SnapshotInfo info = write(10 + round, records, true, blockTarget);
            Path file = Path.of(info.file());
            byte[] bytes = Files.readAllBytes(file);
            assertEquals(SnapshotFormat.FLAG_HASH_ORDERED, bytes[SnapshotFormat.FLAGS_OFFSET], "seed=" + SEED);
            try (SnapshotReader r = SnapshotReader.open(FS, file)) {
                assertTrue(r.hashOrdered());
            }
            assertEquals(records, TestSnapshots.read(FS, file, round % 2 == 0, 64 + rnd.nextInt(5000)), "seed=" + SEED);
            for (int threads = 1; threads <= 4; threads++) {
                List<List<Rec>> runs = readParallel(file, threads, 64 + rnd.nextInt(5000));
                List<Rec> all = new ArrayList<>();
                runs.forEach(all::addAll);
                assertEquals(records, all, "seed=" + SEED + " threads=" + threads);
                // Runs balance records, so blocks of very different record counts may give fewer runs.
                long blocks = info.blockCount();
                assertTrue(runs.size() >= 1 && runs.size() <= Math.min(threads, blocks),
                        runs.size() + " runs, seed=" + SEED + " blocks=" + blocks);
            }
        }
    }

    @Test
    void runsHoldAboutTheSameNumberOfRecords() throws IOException {
        List<Rec> records = sortedRecords(new Random(SEED), 20_000, 10);
        SnapshotInfo info = write(3, records, true, 1024);
        List<List<Rec>> runs = readParallel(Path.of(info.file()), 2, 4096);
        assertEquals(2, runs.size());
        int diff = Math.abs(runs.get(0).size() - runs.get(1).size());
        assertTrue(diff <= 200, "runs of " + runs.get(0).size() + " and " + runs.get(1).size() + " records, seed=" + SEED);
    }

    @Test
    void emptyOrderedSnapshot() throws IOException {
        SnapshotInfo info = write(4, List.of(), true, 64);
        try (SnapshotReader r = SnapshotReader.open(FS, Path.of(info.file()))) {
            assertTrue(r.hashOrdered());
            assertEquals(0, r.readParallel(2, (run, runs) -> {
                throw new AssertionError("no run expected");
            }).recordCount());
        }
    }

    @Test
    void fileOrderSnapshotsAreNotFlaggedAndCannotBeReadInParallel() throws IOException {
        List<Rec> records = Rec.random(new Random(SEED), 50, 10);
        SnapshotInfo info = write(5, records, false, 256);
        Path file = Path.of(info.file());
        assertEquals(0, Files.readAllBytes(file)[SnapshotFormat.FLAGS_OFFSET]);
        try (SnapshotReader r = SnapshotReader.open(FS, file)) {
            assertFalse(r.hashOrdered());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> r.readParallel(2, (run, runs) -> new RunCollect(new AtomicInteger())));
            assertEquals("snapshot " + file + " is not hash-ordered; read it in file order", e.getMessage());
        }
        assertEquals(records, TestSnapshots.read(FS, file, true, 128));
    }

    @Test
    void orderedWriterRefusesAKeyOutOfOrderAndAbandonsTheFile() throws IOException {
        List<Rec> records = sortedRecords(new Random(SEED), 10, 5);
        SnapshotWriter w = SnapshotWriter.begin(FS, dir, 7, 0, true);
        assertTrue(w.hashOrdered());
        w.add(records.get(0).type(), records.get(2).key(), records.get(0).value(), 0);
        byte[] before = records.get(1).key();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.add((byte) 1, before, new byte[0], 0));
        String hex = describe(before);
        assertEquals("record 1 of hash-ordered snapshot " + w.tempFile() + " is out of order: key " + hex
                + " sorts before the previous key " + describe(records.get(2).key()) + "; the snapshot is abandoned",
                e.getMessage());
        assertFalse(Files.exists(w.tempFile()));
        assertThrows(IllegalStateException.class, w::finish);

        SnapshotWriter again = SnapshotWriter.begin(FS, dir, 8, 0, true);
        again.add((byte) 1, records.get(3).key(), new byte[0], 0);
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> again.add((byte) 2, records.get(3).key(), new byte[8], 0));
        assertEquals("record 1 of hash-ordered snapshot " + again.tempFile() + " is out of order: key "
                + describe(records.get(3).key()) + " was already added; the snapshot is abandoned", dup.getMessage());
        assertFalse(Files.exists(again.tempFile()));
    }

    private static String describe(byte[] key) {
        SnapshotOrder.LastKey k = new SnapshotOrder.LastKey();
        k.set(0, new UnsafeBuffer(key), 0, key.length);
        return k.describe();
    }

    /**
     * Two blocks of ten records each, every block in order but the second block's keys sorting before the
     * first's, flagged hash-ordered: the sequential reader finds it inside its scan, the parallel reader at
     * the seam between its two runs; same offset, same message.
     */
    @Test
    void aFlaggedFileOutOfOrderIsCorruptAtTheSeamAndInsideARun() throws IOException {
        List<Rec> sorted = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sorted.add(Rec.of(1, String.format("k%05d", i), "v" + i % 10 + "abcdef", 0));
        }
        sorted.sort(ORDER);
        List<Rec> swapped = new ArrayList<>(sorted.subList(10, 20));
        swapped.addAll(sorted.subList(0, 10));
        // 18-byte records, 180-byte blocks: exactly ten a block.
        SnapshotInfo info = write(9, swapped, false, 180);
        assertEquals(2, info.blockCount());
        Path file = Path.of(info.file());
        byte[] bytes = Files.readAllBytes(file);
        bytes[SnapshotFormat.FLAGS_OFFSET] = SnapshotFormat.FLAG_HASH_ORDERED;
        Files.write(file, TestSnapshots.reseal(bytes));
        long offset = TestSnapshots.blockOffsets(bytes).get(1) + SnapshotFormat.BLOCK_HEADER_LENGTH;
        String expected = "corrupt snapshot " + file + " at byte offset " + offset + ": record out of hash order in block 1"
                + " (the header flags the file hash-ordered) (expected a key after \"" + new String(sorted.get(19).key())
                + "\" (hash " + Long.toHexString(hash(sorted.get(19))) + "), actual a key before it (hash "
                + Long.toHexString(hash(sorted.get(0))) + ")); qrrot falls back to the previous snapshot when it opens the"
                + " database; run `qrrot snapshot verify " + file + "` to check the file";
        for (boolean readAhead : new boolean[] {false, true}) {
            try (SnapshotReader r = SnapshotReader.open(FS, file, readAhead, 1024)) {
                SnapshotCorruptException e = assertThrows(SnapshotCorruptException.class, () -> r.read((t, k, v, x) -> { }));
                assertEquals(expected, e.getMessage());
                assertEquals(offset, e.offset());
            }
        }
        try (SnapshotReader r = SnapshotReader.open(FS, file)) {
            SnapshotCorruptException e = assertThrows(SnapshotCorruptException.class,
                    () -> r.readParallel(2, (run, runs) -> new RunCollect(new AtomicInteger())));
            assertEquals(expected, e.getMessage());
        }

        // A duplicate key inside one block.
        List<Rec> dup = new ArrayList<>(sorted.subList(0, 5));
        dup.add(4, sorted.get(3));
        SnapshotInfo dupInfo = write(11, dup, false, 4096);
        Path dupFile = Path.of(dupInfo.file());
        byte[] dupBytes = Files.readAllBytes(dupFile);
        dupBytes[SnapshotFormat.FLAGS_OFFSET] = SnapshotFormat.FLAG_HASH_ORDERED;
        Files.write(dupFile, TestSnapshots.reseal(dupBytes));
        for (int threads = 1; threads <= 2; threads++) {
            int n = threads;
            try (SnapshotReader r = SnapshotReader.open(FS, dupFile)) {
                SnapshotCorruptException e = assertThrows(SnapshotCorruptException.class,
                        () -> r.readParallel(n, (run, runs) -> new RunCollect(new AtomicInteger())));
                assertEquals("record out of hash order in block 0 (the header flags the file hash-ordered)", e.problem());
                assertEquals("the same key again", e.actual());
                assertEquals(SnapshotFormat.HEADER_LENGTH + SnapshotFormat.BLOCK_HEADER_LENGTH + 4 * 18, e.offset());
            }
        }
    }

    private static long hash(Rec r) {
        return SnapshotOrder.hash(r.key(), 0, r.key().length);
    }

    @Test
    void unknownFlagsAreRefused() throws IOException {
        SnapshotInfo info = write(12, sortedRecords(new Random(SEED), 5, 5), true, 256);
        Path file = Path.of(info.file());
        byte[] bytes = Files.readAllBytes(file);
        bytes[SnapshotFormat.FLAGS_OFFSET] = 3;
        Files.write(file, TestSnapshots.reseal(bytes));
        SnapshotCorruptException e = assertThrows(SnapshotCorruptException.class, () -> SnapshotReader.open(FS, file));
        assertEquals("unsupported header flags", e.problem());
        assertEquals("flags 0 or 1 (hash-ordered), reserved 0", e.expected());
        assertEquals("flags 3, reserved 0", e.actual());
    }

    /**
     * Every single-byte change of an ordered file fails the parallel read with a {@link SnapshotCorruptException}
     * (never anything else, never accepted), and with the same offset as the sequential read when the damage
     * is inside a block.
     */
    @Test
    void everyByteFlipFailsTheParallelReadCleanly() throws IOException {
        List<Rec> records = sortedRecords(new Random(SEED), 40, 5);
        SnapshotInfo info = write(13, records, true, 96);
        Path file = Path.of(info.file());
        byte[] good = Files.readAllBytes(file);
        Path bad = dir.resolve("bad").resolve(file.getFileName());
        Files.createDirectories(bad.getParent());
        for (int at = 0; at < good.length; at++) {
            byte[] bytes = good.clone();
            bytes[at] ^= (byte) (1 << (at % 8));
            Files.write(bad, bytes);
            for (int threads = 2; threads <= 3; threads++) {
                try (SnapshotReader r = SnapshotReader.open(FS, bad, true, 128)) {
                    r.readParallel(threads, (run, runs) -> new RunCollect(new AtomicInteger()));
                    fail("accepted a flip at byte " + at + " seed=" + SEED);
                } catch (SnapshotCorruptException expected) {
                    // what must happen
                }
            }
        }
    }

    @Test
    void orderIsHashThenBytes() {
        byte[] a = {1, 2};
        byte[] b = {1, 2, 0};
        byte[] c = {(byte) 0x80};
        assertTrue(SnapshotOrder.compare(5, a, 2, 5, b, 3) < 0, "a prefix first");
        assertTrue(SnapshotOrder.compare(5, c, 1, 5, a, 2) > 0, "bytes unsigned");
        assertTrue(SnapshotOrder.compare(-1L, a, 2, 1L, c, 1) > 0, "hashes unsigned");
        assertEquals(0, SnapshotOrder.compare(7, a, 2, 7, new UnsafeBuffer(new byte[] {9, 1, 2}), 1, 2));
        List<Long> hashes = new ArrayList<>(List.of(-1L, 0L, Long.MIN_VALUE, Long.MAX_VALUE, 1L));
        Collections.sort(hashes, Long::compareUnsigned);
        assertEquals(List.of(0L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, -1L), hashes);
    }
}
