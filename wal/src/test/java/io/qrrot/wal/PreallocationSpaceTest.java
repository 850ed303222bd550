package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static io.qrrot.wal.WalTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.storage.StorageFile;
import io.qrrot.testkit.CapturedStderr;
import io.qrrot.testkit.FaultyStorage;
import io.qrrot.testkit.ForwardingStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Zero-filling the next segment must never take the last free space the live segment needs: it is skipped
 * (and logged, rate-limited) unless a segment's worth stays free after it, and the roll then creates the
 * segment directly. Nor may anything going wrong in it stop the log.
 */
class PreallocationSpaceTest {
    private static final long SEGMENT = 4096;
    private static final Path NEXT = DIR.resolve("next.wal.tmp");

    @Test
    void aNearlyFullDiskGetsNoPreallocatedSegmentAndTheRollCreatesItDirectly() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        storage.createDirectories(DIR);
        storage.usableSpace(2 * SEGMENT - 1);
        CapturedStderr stderr = new CapturedStderr();
        try (stderr; Wal wal = Wal.open(DIR, memOptions(storage))) {
            assertFalse(storage.exists(NEXT), "nothing zero-filled at open");
            for (int i = 0; i < 40; i++) {
                wal.append(new byte[200]);
            }
            wal.sync();
            assertTrue(wal.stats().segments() > 1, "the log rolled: " + wal.stats().segments());
            assertFalse(storage.exists(NEXT), "nothing zero-filled after a roll");
            assertEquals(40, readAll(wal, 1).size());
            assertEquals("ok", wal.stats().lastStatus());
        }
        String log = stderr.text();
        String skipped = "WARN io.qrrot.wal.Preallocator - not preallocating the next WAL segment: " + (2 * SEGMENT - 1)
                + " bytes are usable in " + DIR + ", and zero-filling " + SEGMENT + " would leave less than "
                + SEGMENT + " free for the live segment; rolls create segments directly meanwhile";
        List<String> lines = log.lines().filter(l -> l.contains("io.qrrot.wal.Preallocator")).toList();
        assertEquals(1, lines.size(), "one message however many rolls skip it (rate-limited):\n" + log);
        assertTrue(lines.get(0).endsWith(skipped), lines.get(0));
    }

    @Test
    void aSegmentsWorthLeftFreeIsEnoughAndPreallocationResumesOnceThereIsSpace() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        storage.createDirectories(DIR);
        storage.usableSpace(2 * SEGMENT - 1);
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            assertFalse(storage.exists(NEXT));
            storage.usableSpace(2 * SEGMENT);
            wal.append(new byte[100]);
            wal.roll();
            assertTrue(storage.exists(NEXT), "zero-filled once a segment's worth stays free afterwards");
        }
    }

    /** The in-memory storage, except that creating the preallocated file throws an Error. */
    private static final class ErrorOnPreallocation extends ForwardingStorage {
        final FaultyStorage inner;

        ErrorOnPreallocation(FaultyStorage inner) {
            super(inner);
            this.inner = inner;
        }

        @Override
        public StorageFile open(Path path, OpenMode mode) throws IOException {
            if (path.equals(NEXT)) {
                throw new OutOfMemoryError("injected: Java heap space");
            }
            return super.open(path, mode);
        }
    }

    @Test
    void anErrorWhilePreallocatingIsLoggedAndTheLogGoesOnWithoutIt() throws Exception {
        ErrorOnPreallocation storage = new ErrorOnPreallocation(new FaultyStorage());
        WalOptions options = memOptions(storage.inner).withStorage(storage).withFsync(FsyncPolicy.EVERYSEC);
        CapturedStderr stderr = new CapturedStderr();
        try (stderr; Wal wal = Wal.open(DIR, options)) {
            for (int i = 0; i < 40; i++) {
                wal.append(new byte[200]);
                wal.flush(); // this thread writes, and rolls, and asks for the next file inline
            }
            wal.sync();
            assertTrue(wal.stats().segments() > 1, "the log rolled: " + wal.stats().segments());
            assertEquals(40, readAll(wal, 1).size());
            assertEquals("ok", wal.stats().lastStatus());
        }
        String log = stderr.text();
        assertTrue(log.contains("ERROR io.qrrot.wal.Preallocator - preallocating the next WAL segment failed;"
                + " the next roll creates it directly\njava.lang.OutOfMemoryError: injected: Java heap space"), log);
    }
}
