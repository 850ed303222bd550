package io.qrrot.recovery.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.storage.FileStorage;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer frees its block buffer when it finishes or aborts, not when a collection finds it: a compaction
 * writes a snapshot per pass, and buffers left to the collector pile up outside the heap.
 */
class SnapshotWriterBuffersTest {
    private static final int WRITERS = 40;

    @TempDir
    Path dir;

    @Test
    void finishedAndAbortedWritersLeaveNoDirectMemoryBehind() throws Exception {
        long before = directBytes();
        for (int i = 0; i < WRITERS; i++) {
            SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, dir, i, 1_700_000_000_000L);
            w.add((byte) 1, ("k" + i).getBytes(), "v".getBytes(), 0);
            if (i % 2 == 0) {
                w.finish();
            } else {
                w.abort();
            }
            w.close();
        }
        long grown = directBytes() - before;
        // Not freed, the writers would hold WRITERS block buffers (a collection could free some of them
        // meanwhile, never add any): less than one block left means each writer freed its own.
        assertTrue(grown < SnapshotFormat.BLOCK_TARGET_PAYLOAD,
                "direct memory grew by " + grown + " bytes over " + WRITERS + " writers");
    }

    @Test
    void aFinishedWriterRefusesRecordsInsteadOfTouchingItsFreedBuffer() throws Exception {
        SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, dir, 7, 1_700_000_000_000L);
        w.add((byte) 1, "k".getBytes(), "v".getBytes(), 0);
        SnapshotInfo info = w.finish();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> w.add((byte) 1, "k2".getBytes(), "v".getBytes(), 0));
        assertEquals("snapshot writer for " + info.file() + " is finished", e.getMessage());
        assertEquals(List.of(new Rec((byte) 1, "k".getBytes(), "v".getBytes(), 0)),
                TestSnapshots.read(FileStorage.INSTANCE, Path.of(info.file()), true, 1 << 20));
    }

    private static long directBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }
}
