package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static io.qrrot.wal.WalTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import io.qrrot.testkit.FaultyStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

    /** Runs {@code body} with System.err copied into the returned text (the test logger writes there). */
    private static String capturingStderr(ThrowingRunnable body) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public synchronized void write(int b) {
                captured.write(b);
                err.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                err.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(err);
        }
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aNearlyFullDiskGetsNoPreallocatedSegmentAndTheRollCreatesItDirectly() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        storage.createDirectories(DIR);
        storage.usableSpace(2 * SEGMENT - 1);
        String log = capturingStderr(() -> {
            try (Wal wal = Wal.open(DIR, memOptions(storage))) {
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
        });
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
    private static final class ErrorOnPreallocation implements Storage {
        final FaultyStorage inner = new FaultyStorage();

        @Override
        public StorageFile open(Path path, OpenMode mode) throws IOException {
            if (path.equals(NEXT)) {
                throw new OutOfMemoryError("injected: Java heap space");
            }
            return inner.open(path, mode);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            inner.rename(from, to);
        }

        @Override
        public void delete(Path path) throws IOException {
            inner.delete(path);
        }

        @Override
        public void syncDirectory(Path dir) throws IOException {
            inner.syncDirectory(dir);
        }

        @Override
        public void createDirectories(Path dir) throws IOException {
            inner.createDirectories(dir);
        }

        @Override
        public List<Path> list(Path dir) throws IOException {
            return inner.list(dir);
        }

        @Override
        public boolean exists(Path path) {
            return inner.exists(path);
        }

        @Override
        public long size(Path path) throws IOException {
            return inner.size(path);
        }
    }

    @Test
    void anErrorWhilePreallocatingIsLoggedAndTheLogGoesOnWithoutIt() throws Exception {
        ErrorOnPreallocation storage = new ErrorOnPreallocation();
        WalOptions options = memOptions(storage.inner).withStorage(storage).withFsync(FsyncPolicy.EVERYSEC);
        String log = capturingStderr(() -> {
            try (Wal wal = Wal.open(DIR, options)) {
                for (int i = 0; i < 40; i++) {
                    wal.append(new byte[200]);
                    wal.flush(); // this thread writes, and rolls, and asks for the next file inline
                }
                wal.sync();
                assertTrue(wal.stats().segments() > 1, "the log rolled: " + wal.stats().segments());
                assertEquals(40, readAll(wal, 1).size());
                assertEquals("ok", wal.stats().lastStatus());
            }
        });
        assertTrue(log.contains("ERROR io.qrrot.wal.Preallocator - preallocating the next WAL segment failed;"
                + " the next roll creates it directly\njava.lang.OutOfMemoryError: injected: Java heap space"), log);
    }
}
