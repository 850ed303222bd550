package io.qrrot.recovery.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.snapshot.SnapshotOrder;
import io.qrrot.storage.FileStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The external sort against a model: seeded random changes (puts, deletes, expires, clears, element puts and
 * deletes of a few collections; values from empty to larger than the whole budget) with budgets from tiny (a
 * spill every few changes, intermediate merges of two runs) to larger than the delta (no spill), folded and
 * ordered exactly as a map of the last state per key and per element sorted by {@link Change#compare} says; no
 * run file outlives the sort. Prints its seed.
 */
class DeltaSortTest {
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());

    @TempDir
    Path dir;

    /** The model's folded change of one key (its own changes): the reset's sequence, 0 without one. */
    record Expected(byte kind, byte type, String value, long expiry, long sequence) {
    }

    /** The model's newest change of one element. */
    record ExpectedElement(byte kind, String payload, long sequence) {
    }

    @Test
    void randomDeltasFoldAndSortAsTheModelSays() throws IOException {
        System.out.println("DeltaSortTest seed=" + SEED + " (rerun with -Dqrrot.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        int[] budgets = {1024, 3000, 8192, 64 << 10, 4 << 20};
        for (int round = 0; round < 60; round++) {
            int budget = budgets[round % budgets.length];
            int keys = 1 + rnd.nextInt(round % 3 == 0 ? 20 : 2000);
            int fields = 1 + rnd.nextInt(round % 2 == 0 ? 5 : 300);
            int changes = rnd.nextInt(round % 4 == 0 ? 50 : 5000);
            String where = "seed=" + SEED + " round=" + round + " budget=" + budget;
            int big = Math.min(budget * 2, 200_000); // larger than small budgets: a run of its own
            Map<String, Expected> model = new HashMap<>();
            Map<String, Map<String, ExpectedElement>> elements = new HashMap<>();
            boolean cleared = false;
            long seq = 0;
            try (DeltaSort sort = new DeltaSort(FileStorage.INSTANCE, dir, "snapshot-r" + round + ".run", budget,
                    rnd.nextInt(3) * 100_000L, () -> { })) {
                for (int i = 0; i < changes; i++) {
                    String key = "k" + rnd.nextInt(keys);
                    UnsafeBuffer k = bytes(key);
                    int op = rnd.nextInt(100);
                    if (op < 30) {
                        int len = rnd.nextInt(10) == 0 ? rnd.nextInt(big) : rnd.nextInt(40);
                        String value = "v".repeat(len) + i;
                        byte type = (byte) (1 + rnd.nextInt(3));
                        long expiry = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(1_000_000);
                        sort.put(type, k, 0, k.capacity(), bytes(value), 0, value.length(), expiry);
                        model.put(key, new Expected(Change.PUT, type, value, expiry, ++seq));
                    } else if (op < 40) {
                        sort.delete(k, 0, k.capacity());
                        model.put(key, new Expected(Change.DELETE, (byte) 0, "", 0, ++seq));
                    } else if (op < 55) {
                        long expiry = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(1_000_000);
                        sort.expire(k, 0, k.capacity(), expiry);
                        seq++;
                        Expected e = model.get(key);
                        if (e == null || e.kind == Change.EXPIRE) {
                            model.put(key, new Expected(Change.EXPIRE, (byte) 0, "", expiry, 0));
                        } else {
                            model.put(key, new Expected(e.kind, e.type, e.value, expiry, e.sequence));
                        }
                    } else if (op < 99) {
                        String field = "f" + rnd.nextInt(fields);
                        UnsafeBuffer f = bytes(field);
                        ExpectedElement e;
                        if (op < 85) {
                            int len = rnd.nextInt(20) == 0 ? rnd.nextInt(big) : rnd.nextInt(30);
                            String payload = "p".repeat(len) + i;
                            sort.elementPut((byte) 4, k, 0, k.capacity(), f, 0, f.capacity(), bytes(payload), 0,
                                    payload.length());
                            e = new ExpectedElement(Change.ELEMENT_PUT, payload, ++seq);
                        } else {
                            sort.elementDelete((byte) 4, k, 0, k.capacity(), f, 0, f.capacity());
                            e = new ExpectedElement(Change.ELEMENT_DELETE, "", ++seq);
                        }
                        elements.computeIfAbsent(key, x -> new HashMap<>()).put(field, e);
                    } else {
                        sort.clear();
                        model.clear();
                        elements.clear();
                        cleared = true;
                    }
                }
                assertEquals(cleared, sort.cleared(), where);
                List<String> expectedOrder = new ArrayList<>();
                Set<String> changed = new HashSet<>(model.keySet());
                changed.addAll(elements.keySet());
                for (String key : changed) {
                    long reset = model.containsKey(key) ? model.get(key).sequence : 0;
                    if (model.containsKey(key)) {
                        expectedOrder.add(key);
                    }
                    elements.getOrDefault(key, Map.of()).forEach((field, e) -> {
                        if (e.sequence > reset) {
                            expectedOrder.add(key + "/" + field);
                        }
                    });
                }
                expectedOrder.sort(DeltaSortTest::compareNames);
                ChangeCursor c = sort.finish();
                List<String> order = new ArrayList<>();
                DirectBuffer lastBuffer = null;
                byte[] last = null;
                while (c.next()) {
                    DirectBuffer b = c.buffer();
                    int at = c.at();
                    String key = b.getStringWithoutLengthUtf8(Change.keyOffset(b, at), Change.keyLength(b, at));
                    assertEquals(SnapshotOrder.hash(b, Change.keyOffset(b, at), Change.keyLength(b, at)),
                            Change.hash(b, at), where);
                    byte[] bytes = new byte[(int) Change.length(b, at)];
                    b.getBytes(at, bytes);
                    if (last != null) {
                        assertTrue(Change.compare(new UnsafeBuffer(last), 0, b, at) < 0, where + " out of order at "
                                + key);
                    }
                    last = bytes;
                    if (!Change.isElement(c.kind())) {
                        order.add(key);
                        Expected e = model.get(key);
                        assertEquals(e.kind, c.kind(), where + " key=" + key);
                        assertEquals(e.expiry, c.expiry(), where + " key=" + key);
                        assertEquals(e.sequence, c.sequence(), where + " key=" + key);
                        if (e.kind == Change.PUT) {
                            assertEquals(e.type, Change.type(b, at), where + " key=" + key);
                            assertEquals(e.value, b.getStringWithoutLengthUtf8(Change.valueOffset(b, at),
                                    Change.valueLength(b, at)), where + " key=" + key);
                        }
                        continue;
                    }
                    String field = b.getStringWithoutLengthUtf8(Change.elementOffset(b, at),
                            Change.elementLength(b, at));
                    assertEquals(SnapshotOrder.hash(b, Change.elementOffset(b, at), Change.elementLength(b, at)),
                            Change.elementHash(b, at), where);
                    long reset = model.containsKey(key) ? model.get(key).sequence : 0;
                    if (c.sequence() < reset) {
                        continue; // superseded by the reset: may pass through until the merge with the snapshot
                    }
                    order.add(key + "/" + field);
                    ExpectedElement e = elements.get(key).get(field);
                    String what = where + " key=" + key + " field=" + field;
                    assertEquals(e.kind, c.kind(), what);
                    assertEquals(e.sequence, c.sequence(), what);
                    assertEquals(0, c.expiry(), what);
                    assertEquals(4, Change.type(b, at), what);
                    if (e.kind == Change.ELEMENT_PUT) {
                        assertEquals(e.payload, b.getStringWithoutLengthUtf8(Change.valueOffset(b, at),
                                Change.valueLength(b, at)), what);
                    }
                }
                assertEquals(expectedOrder, order, where);
            }
            assertEquals(List.of(), files(), where + ": run files left behind");
        }
    }

    /** Orders "key" and "key/field" names as {@link Change#compare} orders their changes. */
    private static int compareNames(String a, String b) {
        String[] x = a.split("/", 2);
        String[] y = b.split("/", 2);
        int c = compareBytes(x[0], y[0]);
        if (c != 0) {
            return c;
        }
        if (x.length != y.length) {
            return x.length - y.length;
        }
        return x.length == 1 ? 0 : compareBytes(x[1], y[1]);
    }

    private static int compareBytes(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return SnapshotOrder.compare(SnapshotOrder.hash(x, 0, x.length), x, x.length,
                SnapshotOrder.hash(y, 0, y.length), y, y.length);
    }

    @Test
    void aDeltaLargerThanTheBudgetSpillsRunsAndMergesThemInOnePass() throws IOException {
        try (DeltaSort sort = new DeltaSort(FileStorage.INSTANCE, dir, "snapshot-x.run", 64 << 10, 0, () -> { })) {
            for (int i = 0; i < 20_000; i++) {
                UnsafeBuffer k = bytes("key:" + i);
                UnsafeBuffer v = bytes("value-" + i);
                sort.put((byte) 1, k, 0, k.capacity(), v, 0, v.capacity(), 0);
            }
            ChangeCursor c = sort.finish();
            assertTrue(sort.spilledBytes() > 0);
            assertTrue(sort.runsWritten() > 1, "runs: " + sort.runsWritten());
            int n = 0;
            while (c.next()) {
                n++;
            }
            assertEquals(20_000, n);
            assertTrue(!files().isEmpty(), "the runs exist while they are merged");
        }
        assertEquals(List.of(), files());
    }

    /**
     * Far more runs than the budget reads at once (64 KiB: 16 runs of 4 KiB buffers; here about 360): they are
     * merged in passes that each write the delta once, not by merging the oldest again and again into one run
     * that grows, which writes the delta about runs / 16 times. All changes come out, in order.
     */
    @Test
    void manyMoreRunsThanTheBudgetReadsAtOnceAreMergedInPassesThatWriteTheDeltaOnce() throws IOException {
        int n = 300_000;
        try (DeltaSort sort = new DeltaSort(FileStorage.INSTANCE, dir, "snapshot-x.run", 64 << 10, 0, () -> { })) {
            for (int i = 0; i < n; i++) {
                UnsafeBuffer k = bytes("key:" + i);
                UnsafeBuffer v = bytes("value-" + i);
                sort.put((byte) 1, k, 0, k.capacity(), v, 0, v.capacity(), 0);
            }
            long delta = sort.spilledBytes(); // all but the buffer's last fill
            int runs = sort.runsWritten();
            assertTrue(runs > 16 * 16, "runs: " + runs);
            ChangeCursor c = sort.finish();
            // The spills, then two passes: about 360 runs, 23, then 2 for the final merge to read.
            assertTrue(sort.spilledBytes() < 3.2 * delta, "bytes written " + sort.spilledBytes() + " for a delta of "
                    + delta + " in " + runs + " runs");
            int count = 0;
            byte[] last = null;
            while (c.next()) {
                byte[] key = new byte[Change.keyLength(c.buffer(), c.at())];
                c.buffer().getBytes(Change.keyOffset(c.buffer(), c.at()), key);
                if (last != null) {
                    assertTrue(SnapshotOrder.compare(SnapshotOrder.hash(last, 0, last.length), last, last.length,
                            SnapshotOrder.hash(key, 0, key.length), key, key.length) < 0, "in order at " + count);
                }
                last = key;
                count++;
            }
            assertEquals(n, count);
        }
        assertEquals(List.of(), files());
    }

    @Test
    void aDamagedRunFailsTheSortNamingTheFileAndOffset() throws IOException {
        try (DeltaSort sort = new DeltaSort(FileStorage.INSTANCE, dir, "snapshot-z.run", 4096, 0, () -> { })) {
            for (int i = 0; i < 300; i++) {
                UnsafeBuffer k = bytes("key:" + i);
                UnsafeBuffer v = bytes("value-" + i);
                sort.put((byte) 1, k, 0, k.capacity(), v, 0, v.capacity(), 0);
            }
            Path first = dir.resolve("snapshot-z.run-0.tmp");
            byte[] run = Files.readAllBytes(first);
            run[4 + Change.KEY_HEADER_LENGTH + 1] ^= 0x40; // a key byte of the first change (after the frame's length)
            Files.write(first, run);
            IOException e = assertThrows(IOException.class, () -> {
                ChangeCursor c = sort.finish();
                while (c.next()) {
                    // the damaged frame fails when it is reached
                }
            });
            assertTrue(e.getMessage().startsWith("fold run file " + first + " is damaged at offset 0: "), e.getMessage());
            assertTrue(e.getMessage().endsWith("a frame that fails its CRC (a temporary file of this compaction;"
                    + " the disk may be failing)"), e.getMessage());
        }
        assertEquals(List.of(), files());
    }

    @Test
    void anAbortStopsTheSortAtItsNextSpillAndItsRunsAreDeleted() throws IOException {
        boolean[] abort = {false};
        DeltaSort sort = new DeltaSort(FileStorage.INSTANCE, dir, "snapshot-y.run", 4096, 0, () -> {
            if (abort[0]) {
                throw new FoldAbortedException("stop");
            }
        });
        try (sort) {
            UnsafeBuffer v = bytes("x".repeat(100));
            for (int i = 0; i < 200; i++) {
                UnsafeBuffer k = bytes("k" + i);
                sort.put((byte) 1, k, 0, k.capacity(), v, 0, v.capacity(), 0);
            }
            assertTrue(!files().isEmpty());
            abort[0] = true;
            UncheckedAbort e = new UncheckedAbort(assertThrows(java.io.UncheckedIOException.class, () -> {
                for (int i = 0; i < 200; i++) {
                    UnsafeBuffer k = bytes("k" + i);
                    sort.put((byte) 1, k, 0, k.capacity(), v, 0, v.capacity(), 0);
                }
            }));
            assertTrue(e.cause instanceof FoldAbortedException, String.valueOf(e.cause));
        }
        assertEquals(List.of(), files());
    }

    private record UncheckedAbort(IOException cause) {
        UncheckedAbort(java.io.UncheckedIOException e) {
            this(e.getCause());
        }
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static UnsafeBuffer bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new UnsafeBuffer(Arrays.copyOf(b, b.length));
    }
}
