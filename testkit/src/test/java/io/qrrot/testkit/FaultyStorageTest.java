package io.qrrot.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fault-injecting storage itself: its durability model must be right for the crash tests to mean anything. */
class FaultyStorageTest {
    private static final Path D = Path.of("/d");
    private static final Path A = D.resolve("a");
    private static final Path B = D.resolve("b");

    private static void write(StorageFile f, long pos, int... values) throws IOException {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        f.write(ByteBuffer.wrap(bytes), pos);
    }

    @Test
    void unsyncedWritesAndEntriesAreLostAtACutButSyncedOnesStay() throws Exception {
        FaultyStorage s = new FaultyStorage();
        s.createDirectories(D);
        StorageFile f = s.open(A, Storage.OpenMode.CREATE_NEW);
        write(f, 0, 1, 2, 3);
        assertEquals(Set.of(), s.crash(FaultyStorage.CrashMode.NONE, new Random(1)).durableNames());
        assertEquals(Set.of(A), s.crash(FaultyStorage.CrashMode.ALL, new Random(1)).durableNames());
        s.syncDirectory(D);
        assertArrayEquals(new byte[0], s.crash(FaultyStorage.CrashMode.NONE, new Random(1)).contents(A));
        assertArrayEquals(new byte[]{1, 2, 3}, s.crash(FaultyStorage.CrashMode.ALL, new Random(1)).contents(A));
        f.force();
        write(f, 3, 4);
        assertArrayEquals(new byte[]{1, 2, 3}, s.crash(FaultyStorage.CrashMode.NONE, new Random(1)).contents(A));
        s.rename(A, B);
        FaultyStorage cut = s.crash(FaultyStorage.CrashMode.NONE, new Random(1));
        assertTrue(cut.exists(A));
        assertFalse(cut.exists(B));
        s.syncDirectory(D);
        cut = s.crash(FaultyStorage.CrashMode.NONE, new Random(1));
        assertEquals(Set.of(B), cut.durableNames());
        // the handle still writes to the renamed file
        f.force();
        assertArrayEquals(new byte[]{1, 2, 3, 4}, s.crash(FaultyStorage.CrashMode.NONE, new Random(1)).contents(B));
        s.delete(B);
        assertTrue(s.crash(FaultyStorage.CrashMode.NONE, new Random(1)).exists(B));
        s.syncDirectory(D);
        assertFalse(s.crash(FaultyStorage.CrashMode.NONE, new Random(1)).exists(B));
    }

    @Test
    void tornWritesStopAtSectorBoundariesAndZeroedSectorsKeepDurableBytes() throws Exception {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            FaultyStorage s = new FaultyStorage();
            s.createDirectories(D);
            StorageFile f = s.open(A, Storage.OpenMode.CREATE_NEW);
            byte[] old = new byte[2048];
            java.util.Arrays.fill(old, (byte) 7);
            f.write(ByteBuffer.wrap(old), 0);
            f.force();
            s.syncDirectory(D);
            byte[] neu = new byte[1500];
            java.util.Arrays.fill(neu, (byte) 9);
            f.write(ByteBuffer.wrap(neu), 100);
            byte[] torn = s.crash(FaultyStorage.CrashMode.TORN, rnd).contents(A);
            int nines = 0;
            for (byte x : torn) {
                nines += x == 9 ? 1 : 0;
            }
            assertTrue(nines == 0 || (100 + nines) % 512 == 0, "tear at " + (100 + nines));
            byte[] zeroed = s.crash(FaultyStorage.CrashMode.ZEROED_SECTORS, rnd).contents(A);
            for (int i = 0; i < 100; i++) {
                assertEquals(7, zeroed[i], "durable byte " + i + " outside the write must survive");
            }
            for (int i = 1600; i < 2048; i++) {
                assertEquals(7, zeroed[i], "durable byte " + i + " outside the write must survive");
            }
        }
    }

    @Test
    void faultsFailTheNthOperationOnceOrPersistentlyAndAPowerCutFreezes() throws Exception {
        FaultyStorage s = new FaultyStorage();
        s.createDirectories(D);
        StorageFile f = s.open(A, Storage.OpenMode.CREATE_NEW);
        s.failOn(FaultyStorage.Op.FORCE, 2, false, "No space left on device");
        f.force();
        IOException e = assertThrows(IOException.class, f::force);
        assertEquals("No space left on device", e.getMessage());
        f.force();
        long n = s.ioCount();
        s.failAt(n + 2, true, "Input/output error");
        write(f, 0, 1);
        assertThrows(IOException.class, () -> write(f, 1, 2));
        assertThrows(IOException.class, f::force);
        assertArrayEquals(new byte[]{1}, s.contents(A));
        s.clearFaults();
        s.powerCutAt(s.ioCount() + 1);
        assertEquals(FaultyStorage.POWER_CUT, assertThrows(IOException.class, () -> write(f, 1, 2)).getMessage());
        assertTrue(s.isCut());
        assertArrayEquals(new byte[]{1}, s.contents(A));
        assertEquals(Set.of(), s.durableNames());
    }
}
