package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.EffectCodec;
import io.qrrot.recovery.fold.DeltaSort;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotOrder;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotVisitor;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.storage.FileStorage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One large hash in the previous snapshot, touched by many element changes, folded with a small sort budget: the
 * merge streams the collection and the sorted changes element by element (the sort spills its runs), so what
 * it allocates does not grow with the collection; the result is exactly the model's. A long variant folds a
 * hash of 10 million members touched by a million element changes. Prints its seed.
 */
class LargeCollectionFoldTest {
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());
    private static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void aLargeHashTouchedByManyElementChangesFoldsElementByElement() throws IOException {
        Result r = fold(200_000, 60_000, 64 << 10);
        assertTrue(r.spilled > 0 && r.runs > 10, "the sort spilled: " + r.spilled + " bytes in " + r.runs + " runs");
        // Held as Java objects, 200,000 members would take tens of megabytes; the merge holds one at a time.
        assertTrue(r.allocated < (4 << 20), "the merge allocated " + r.allocated + " bytes");
    }

    /** The size the fold must stay bounded at: run by hand with {@code -Dgroups=long}. */
    @Test
    @Tag("long")
    void tenMillionMembersTouchedByAMillionElementChanges() throws IOException {
        Result r = fold(10_000_000, 1_000_000, 16 << 20);
        assertTrue(r.allocated < (16 << 20), "the merge allocated " + r.allocated + " bytes");
    }

    record Result(long spilled, int runs, long allocated) {
    }

    private static byte[] member(int i) {
        return ("member:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] payload(int i, int version) {
        return ("p" + version + "-" + (i % 977)).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Writes a snapshot with the hash "big" of {@code members} members and a few keys around it, sorts
     * {@code changes} random element puts and deletes of it (members old and new) with {@code budget} bytes,
     * merges, and checks every member of the result against the model.
     */
    private Result fold(int members, int changes, long budget) throws IOException {
        System.out.println("LargeCollectionFoldTest seed=" + SEED + " (rerun with -Dqrrot.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        int universe = members + members / 10; // some changes add members the hash did not have
        byte[] present = new byte[universe]; // the model: 0 absent, else the payload's version
        long t0 = System.nanoTime();
        Path old = dir.resolve("old");
        int[] order = hashOrder(members);
        try (SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, old, 1, NOW, true)) {
            UnsafeBuffer k = new UnsafeBuffer("big".getBytes(StandardCharsets.US_ASCII));
            w.beginCollection(EffectCodec.TYPE_HASH, k, 0, k.capacity(), 0);
            for (int i : order) {
                w.addElement(member(i), payload(i, 1));
                present[i] = 1;
            }
            w.finish();
        }
        long t1 = System.nanoTime();
        Path out = dir.resolve("new");
        SnapshotInfo written;
        long allocated;
        DeltaSortStats stats = new DeltaSortStats();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        try (DeltaSort delta = new DeltaSort(FileStorage.INSTANCE, out, "snapshot-x.run", budget, 0, () -> { })) {
            Files.createDirectories(out);
            UnsafeBuffer key = new UnsafeBuffer("big".getBytes(StandardCharsets.US_ASCII));
            for (int c = 0; c < changes; c++) {
                int i = rnd.nextInt(universe);
                UnsafeBuffer m = new UnsafeBuffer(member(i));
                if (rnd.nextInt(3) == 0) {
                    delta.elementDelete(EffectCodec.TYPE_HASH, key, 0, key.capacity(), m, 0, m.capacity());
                    present[i] = 0;
                } else {
                    int version = 2 + rnd.nextInt(100);
                    UnsafeBuffer p = new UnsafeBuffer(payload(i, version));
                    delta.elementPut(EffectCodec.TYPE_HASH, key, 0, key.capacity(), m, 0, m.capacity(), p, 0,
                            p.capacity());
                    present[i] = (byte) version;
                }
            }
            long before = mx.getThreadAllocatedBytes(tid);
            try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, SnapshotFiles.newest(old));
                 SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, out, 2, NOW, true)) {
                SnapshotMerge merge = new SnapshotMerge(delta.finish(), w, NOW, () -> { });
                r.readHashed(merge);
                merge.finish();
                written = w.finish();
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
            stats.spilled = delta.spilledBytes();
            stats.runs = delta.runsWritten();
        }
        long t2 = System.nanoTime();
        long expected = 0;
        for (byte b : present) {
            expected += b != 0 ? 1 : 0;
        }
        long[] seen = {0};
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, Path.of(written.file()))) {
            r.read(new SnapshotVisitor() {
                @Override
                public void onRecord(byte type, DirectBuffer k, DirectBuffer v, long e) {
                    throw new AssertionError("no value expected");
                }

                @Override
                public void onElement(byte type, DirectBuffer k, long e, DirectBuffer element, DirectBuffer p) {
                    int i = Integer.parseInt(element.getStringWithoutLengthAscii(7, element.capacity() - 7));
                    assertTrue(present[i] != 0, "seed=" + SEED + ": member " + i + " was deleted");
                    byte[] want = payload(i, present[i]);
                    byte[] got = new byte[p.capacity()];
                    p.getBytes(0, got);
                    assertEquals(new String(want, StandardCharsets.US_ASCII),
                            new String(got, StandardCharsets.US_ASCII), "seed=" + SEED + ": member " + i);
                    seen[0]++;
                }
            });
        }
        assertEquals(expected, seen[0], "seed=" + SEED + ": members after the fold");
        assertEquals(1, written.keyCount());
        System.out.printf("fold of a %,d-member hash with %,d element changes, budget %,d bytes: base written in"
                        + " %.2f s, sorted and merged in %.2f s, %,d bytes spilled in %d runs, %,d bytes allocated by"
                        + " the merge, %,d members after%n", members, changes, budget, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                stats.spilled, stats.runs, allocated, expected);
        return new Result(stats.spilled, stats.runs, allocated);
    }

    private static final class DeltaSortStats {
        long spilled;
        int runs;
    }

    /** The members 0..n-1 in {@link SnapshotOrder}, without an object per member. */
    private static int[] hashOrder(int n) {
        long[] hashes = new long[n];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            byte[] m = member(i);
            hashes[i] = SnapshotOrder.hash(m, 0, m.length);
            idx[i] = i;
        }
        sort(idx, hashes, 0, n);
        return idx;
    }

    private static int compare(long[] hashes, int a, int b) {
        int c = Long.compareUnsigned(hashes[a], hashes[b]);
        if (c != 0) {
            return c;
        }
        byte[] x = member(a);
        byte[] y = member(b);
        return SnapshotOrder.compare(hashes[a], x, x.length, hashes[b], y, y.length);
    }

    /** Quicksort of idx[lo, hi) by the members' order. */
    private static void sort(int[] idx, long[] hashes, int lo, int hi) {
        while (hi - lo > 16) {
            int p = idx[(lo + hi) >>> 1];
            int i = lo;
            int j = hi - 1;
            while (i <= j) {
                while (compare(hashes, idx[i], p) < 0) {
                    i++;
                }
                while (compare(hashes, idx[j], p) > 0) {
                    j--;
                }
                if (i <= j) {
                    int t = idx[i];
                    idx[i++] = idx[j];
                    idx[j--] = t;
                }
            }
            if (j - lo < hi - i) {
                sort(idx, hashes, lo, j + 1);
                lo = i;
            } else {
                sort(idx, hashes, i, hi);
                hi = j + 1;
            }
        }
        for (int i = lo + 1; i < hi; i++) {
            for (int j = i; j > lo && compare(hashes, idx[j], idx[j - 1]) < 0; j--) {
                int t = idx[j];
                idx[j] = idx[j - 1];
                idx[j - 1] = t;
            }
        }
    }
}
