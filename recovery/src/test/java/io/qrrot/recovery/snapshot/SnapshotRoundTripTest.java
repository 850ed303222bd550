package io.qrrot.recovery.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import io.qrrot.engine.store.EntryType;
import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRoundTripTest {
    private static final Storage FS = FileStorage.INSTANCE;

    @TempDir
    Path dir;

    @Test
    void randomRecordsRoundTripWithAnyBlockAndBufferSize() throws IOException {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        Random rnd = new Random(seed);
        for (int round = 0; round < 12; round++) {
            int blockTarget = round % 3 == 0 ? SnapshotFormat.BLOCK_TARGET_PAYLOAD
                    : SnapshotFormat.MAX_RECORD_HEADER_LENGTH + rnd.nextInt(2000);
            int batchCapacity = round % 4 == 0 ? SnapshotReader.DEFAULT_BATCH_CAPACITY : 1 + rnd.nextInt(5000);
            List<Rec> records = Rec.random(rnd, rnd.nextInt(3000), Math.min(blockTarget, 3000));
            String where = "seed=" + seed + " round=" + round + " blockTarget=" + blockTarget + " batch="
                    + batchCapacity + " records=" + records.size();
            try {
                roundTrip(rnd, dir.resolve("r" + round), records, blockTarget, batchCapacity, where);
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(where + ": " + e, e);
            }
        }
    }

    private static void roundTrip(Random rnd, Path sub, List<Rec> records, int blockTarget, int batchCapacity,
                                  String where) throws IOException {
        long lsn = rnd.nextLong() & Long.MAX_VALUE;
        SnapshotInfo written = writeMixed(rnd, sub, lsn, records, blockTarget);
        Path file = sub.resolve(SnapshotFormat.fileName(lsn));
        assertEquals(file.toString(), written.file(), where);
        assertEquals(Files.size(file), written.fileSize(), where);
        assertEquals(List.of(file), Files.list(sub).toList(), where + ": only the installed file is left");
        for (boolean readAhead : new boolean[] {false, true}) {
            Rec.Collect c = new Rec.Collect();
            SnapshotInfo read;
            try (SnapshotReader r = SnapshotReader.open(FS, file, readAhead, batchCapacity)) {
                assertEquals(written, r.info(), where);
                read = r.read(c);
            }
            assertEquals(records, c.records, where + " readAhead=" + readAhead);
            assertEquals(new SnapshotInfo(file.toString(), 2, lsn, 1_700_000_000_123L, records.size(),
                    records.size(), written.blockCount(), written.fileSize(), true), read, where);
        }
    }

    /** Adds each record through one of the three add variants, on-heap or off-heap. */
    private static SnapshotInfo writeMixed(Random rnd, Path dir, long lsn, List<Rec> records, int blockTarget)
            throws IOException {
        try (SnapshotWriter w = SnapshotWriter.begin(FS, dir, lsn, 1_700_000_000_123L, blockTarget)) {
            for (Rec r : records) {
                switch (rnd.nextInt(3)) {
                    case 0 -> w.add(r.type(), r.key(), r.value(), r.expiry());
                    case 1 -> w.add(r.type(), new UnsafeBuffer(r.key()), new UnsafeBuffer(r.value()), r.expiry());
                    default -> {
                        int pad = rnd.nextInt(5);
                        UnsafeBuffer off = new UnsafeBuffer(ByteBuffer.allocateDirect(pad + r.key().length
                                + r.value().length + 3));
                        off.putBytes(pad, r.key());
                        off.putBytes(pad + r.key().length + 3, r.value());
                        w.add(r.type(), off, pad, r.key().length, off, pad + r.key().length + 3, r.value().length,
                                r.expiry());
                    }
                }
            }
            assertEquals(records.size(), w.recordCount());
            return w.finish();
        }
    }

    @Test
    void emptySnapshotIsHeaderAndFooterOnly() throws IOException {
        SnapshotInfo info = TestSnapshots.write(FS, dir, 42, List.of(), SnapshotFormat.BLOCK_TARGET_PAYLOAD);
        Path file = dir.resolve("snapshot-00000000000000000042.qrrt");
        assertEquals(new SnapshotInfo(file.toString(), 2, 42, 1_700_000_000_123L, 0, 0, 0, 72, false), info);
        assertEquals(72, Files.size(file));
        for (boolean readAhead : new boolean[] {false, true}) {
            assertEquals(List.of(), TestSnapshots.read(FS, file, readAhead, 4096));
        }
        assertEquals(info.asVerified(), SnapshotReader.verify(FS, file));
        assertEquals(info, SnapshotReader.status(FS, file));
    }

    @Test
    void everyValueTypeByteAndExpiryIsKeptAsWritten() throws IOException {
        List<Rec> records = new ArrayList<>();
        records.add(Rec.of(1, "s", "string value", 0));
        records.add(new Rec((byte) 2, "i".getBytes(), ByteBuffer.allocate(8).putLong(-5).array(), 1));
        records.add(Rec.of(3, "j", "{\"a\":[1,2]}", 1_800_000_000_000L));
        records.add(Rec.of(0, "", "", Long.MAX_VALUE));
        for (int t = 0; t < 128; t++) {
            if (!EntryType.isCollection((byte) t)) {
                records.add(new Rec((byte) t, new byte[] {(byte) t}, new byte[0], t));
            }
        }
        TestSnapshots.write(FS, dir, 7, records, SnapshotFormat.BLOCK_TARGET_PAYLOAD);
        assertEquals(records, TestSnapshots.read(FS, dir.resolve(SnapshotFormat.fileName(7)), true, 1 << 20));

        // The first byte's high bit marks a collection's records, and a hash or a set is no value record.
        try (SnapshotWriter w = SnapshotWriter.begin(FS, dir, 8, 0)) {
            for (int t : new int[] {4, 6, 128, 129, 255}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> w.add((byte) t, new byte[1], new byte[0], 0));
                assertEquals("type " + t + " is not a value type of a snapshot (0..127, not a collection: those are"
                        + " written with beginCollection)", e.getMessage());
            }
        }
    }

    @Test
    void largestKeyRoundTripsAndALargerOneIsRefused() throws IOException {
        byte[] key = new byte[SnapshotFormat.MAX_KEY_LENGTH];
        new Random(1).nextBytes(key);
        List<Rec> records = List.of(Rec.of(1, "a", "b", 0), new Rec((byte) 1, key, "v".getBytes(), 5),
                Rec.of(1, "c", "d", 0));
        SnapshotInfo info = TestSnapshots.write(FS, dir, 1, records, SnapshotFormat.BLOCK_TARGET_PAYLOAD);
        assertEquals(3, info.blockCount(), "the huge record makes a block of its own");
        for (boolean readAhead : new boolean[] {false, true}) {
            assertEquals(records, TestSnapshots.read(FS, Path.of(info.file()), readAhead, 1 << 20));
        }

        try (SnapshotWriter w = SnapshotWriter.begin(FS, dir, 2, 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> w.add((byte) 1, new byte[SnapshotFormat.MAX_KEY_LENGTH + 1], new byte[0], 0));
            assertEquals("key of 1048577 bytes is outside the snapshot limit of 0..1048576 bytes", e.getMessage());
            IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                    () -> w.add((byte) 1, new byte[1], new byte[1], -1));
            assertEquals("expiry must be epoch millis >= 0 (0 = none), got -1", neg.getMessage());
            w.add((byte) 1, new byte[1], new byte[1], 0); // a refused record leaves the writer usable
            assertEquals(1, w.finish().recordCount());
        }
    }

    @Test
    void a64MiBValueRoundTrips() throws IOException {
        byte[] value = new byte[64 << 20];
        new Random(64).nextBytes(value);
        List<Rec> records = List.of(Rec.of(1, "before", "x", 0), new Rec((byte) 1, "big".getBytes(), value, 9),
                Rec.of(3, "after", "{}", 0));
        SnapshotInfo info = TestSnapshots.write(FS, dir, 3, records, SnapshotFormat.BLOCK_TARGET_PAYLOAD);
        assertEquals(3, info.blockCount());
        List<Rec> back = TestSnapshots.read(FS, Path.of(info.file()), true, SnapshotReader.DEFAULT_BATCH_CAPACITY);
        assertEquals(3, back.size());
        assertArrayEquals(value, back.get(1).value());
        assertEquals(records, back);
    }

    @Test
    void writerRefusesUseAfterFinishAndAbortRemovesTheTempFile() throws IOException {
        SnapshotWriter w = SnapshotWriter.begin(FS, dir, 9, 0);
        w.add((byte) 1, "k".getBytes(), "v".getBytes(), 0);
        assertTrue(Files.exists(dir.resolve("snapshot-00000000000000000009.qrrt.tmp")));
        w.abort();
        assertEquals(List.of(), Files.list(dir).toList());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.add((byte) 1, new byte[0],
                new byte[0], 0));
        assertEquals("snapshot writer for " + dir.resolve("snapshot-00000000000000000009.qrrt") + " is aborted",
                e.getMessage());

        SnapshotWriter done = SnapshotWriter.begin(FS, dir, 10, 0);
        done.finish();
        done.close(); // closing a finished writer keeps the snapshot
        assertEquals(List.of(dir.resolve("snapshot-00000000000000000010.qrrt")), Files.list(dir).toList());
        assertThrows(IllegalStateException.class, done::finish);
    }

    @Test
    void aReaderReadsOnce() throws IOException {
        SnapshotInfo info = TestSnapshots.write(FS, dir, 5, List.of(Rec.of(1, "k", "v", 0)), 4096);
        try (SnapshotReader r = SnapshotReader.open(FS, Path.of(info.file()))) {
            r.read((t, k, v, e) -> { });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.read((t, k, v, x) -> { }));
            assertEquals("snapshot " + info.file() + " was already read; open it again", e.getMessage());
        }
    }

    @Test
    void aVisitorFailureStopsTheReadAheadThread() throws IOException {
        List<Rec> records = Rec.random(new Random(5), 20_000, 100);
        SnapshotInfo info = TestSnapshots.write(FS, dir, 5, records, 256);
        try (SnapshotReader r = SnapshotReader.open(FS, Path.of(info.file()), true, 512)) {
            int[] seen = {0};
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.read((t, k, v, x) -> {
                if (++seen[0] == 1000) {
                    throw new IllegalStateException("stop here");
                }
            }));
            assertEquals("stop here", e.getMessage());
            assertEquals(1000, seen[0]);
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("qrrot-snapshot-read-ahead")), "read-ahead thread ended");
    }

    @Test
    void addingAndReadingRecordsAllocatesNothingPerRecord() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        byte[] key = new byte[12];
        byte[] value = new byte[16];
        UnsafeBuffer offKey = new UnsafeBuffer(ByteBuffer.allocateDirect(12));
        int n = 200_000;
        for (int round = 0; round < 2; round++) { // the first round warms up class loading and the JIT
            Path sub = dir.resolve("a" + round);
            try (SnapshotWriter w = SnapshotWriter.begin(FS, sub, 1, 0)) {
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < n; i++) {
                    key[0] = (byte) i;
                    w.add((byte) 1, key, value, i);
                    w.add((byte) 2, offKey, offKey, 0);
                }
                long allocated = mx.getThreadAllocatedBytes(tid) - before;
                if (round == 1) {
                    assertTrue(allocated < 64 * 1024, "adding " + 2 * n + " records allocated " + allocated + " bytes");
                }
                w.finish();
            }
            long[] count = {0};
            SnapshotVisitor v = (t, k, val, e) -> count[0]++;
            try (SnapshotReader r = SnapshotReader.open(FS, sub.resolve(SnapshotFormat.fileName(1)), false)) {
                long before = mx.getThreadAllocatedBytes(tid);
                r.read(v);
                long allocated = mx.getThreadAllocatedBytes(tid) - before;
                assertEquals(2L * n, count[0]);
                if (round == 1) {
                    assertTrue(allocated < 64 * 1024, "reading " + 2 * n + " records allocated " + allocated + " bytes");
                }
            }
        }
    }
}
