package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.testkit.FaultyStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The file the background preallocation hands to a roll stays the roll's: the preallocator must not start the
 * next one (which first deletes whatever is at the temp name) before the roll has renamed it into the log and
 * asked again. Otherwise the roll's rename fails (the log stops), or renames the next, empty file into the log
 * while the records go to the deleted one.
 */
class PreallocatorHandOffTest {
    private static final int ROUNDS = 2000;

    @Test
    void aTakenFileIsLeftAloneUntilTheNextRequest() throws Exception {
        FaultyStorage storage = new FaultyStorage().recordHistory(false);
        storage.createDirectories(DIR);
        SegmentFiles files = new SegmentFiles(storage, DIR);
        Path tmp = files.preallocatedPath();
        try (Preallocator p = new Preallocator(files, 4096, WalOptions.Preallocation.BACKGROUND,
                "prealloc-hand-off-test")) {
            for (int round = 1; round <= ROUNDS; round++) {
                // Two requests, as when a roll finds nothing ready (the file is still being prepared) and creates
                // its segment directly: it asks again while the preparation runs.
                p.request();
                p.request();
                Preallocator.Prepared got;
                while ((got = p.take()) == null) {
                    Thread.onSpinWait();
                }
                assertEquals(tmp, got.path());
                // Object.wait may return without a notify ("spurious wakeup"); the preallocator has to cope.
                synchronized (p) {
                    p.notifyAll();
                }
                // What the roll does with it: writes the header into the file it holds, renames it into the log.
                byte[] header = new byte[WalFormat.HEADER_LENGTH];
                Arrays.fill(header, (byte) round);
                got.file().write(ByteBuffer.wrap(header), 0);
                got.file().force();
                Path segment = files.segmentPath(round);
                storage.rename(tmp, segment);
                byte[] installed = Arrays.copyOf(storage.contents(segment), header.length);
                assertArrayEquals(header, installed, "round " + round + ": the file renamed into the log is the"
                        + " one the roll wrote");
                got.file().close();
                storage.delete(segment);
            }
        }
    }
}
