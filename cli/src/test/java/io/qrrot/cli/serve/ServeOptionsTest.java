package io.qrrot.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} options checked before anything is opened: {@code --fsync-thread}, {@code --io-threads},
 * {@code --client-memory-budget}.
 */
class ServeOptionsTest {

    @Test
    void autoPicksTheLoopOnlyWhenNoCoreIsLeftForTheWriter() {
        assertTrue(ServeCommand.fsyncOnLoop("auto", 1, 1));
        assertTrue(ServeCommand.fsyncOnLoop("auto", 1, 2));
        assertFalse(ServeCommand.fsyncOnLoop("auto", 1, 3));
        assertTrue(ServeCommand.fsyncOnLoop("auto", 4, 5));
        assertFalse(ServeCommand.fsyncOnLoop("auto", 4, 8));
        assertTrue(ServeCommand.fsyncOnLoop("loop", 4, 64));
        assertFalse(ServeCommand.fsyncOnLoop("writer", 1, 1));
    }

    @Test
    void anUnknownChoiceIsAUsageError(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServeCommand.fsyncOnLoop("sometimes", 1, 2));
        assertEquals("--fsync-thread must be auto, loop or writer, not 'sometimes'", e.getMessage());

        Path dir = tmp.resolve("data");
        CliRun.Result r = new CliRun().run("serve", "--wal", dir.toString(), "--port", "0", "--fsync-thread", "sometimes");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("qrrot serve: --fsync-thread must be auto, loop or writer, not 'sometimes'\n"),
                r.err());
        assertFalse(Files.exists(dir), "a usage error must not create the data directory");
    }

    @Test
    void aNegativeIoThreadCountIsAUsageError(@TempDir Path tmp) {
        Path dir = tmp.resolve("data");
        CliRun.Result r = new CliRun().run("serve", "--wal", dir.toString(), "--port", "0", "--io-threads", "-4");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("qrrot serve: --io-threads must be 0 (half the cores) or more, not -4\n"),
                r.err());
        assertFalse(Files.exists(dir), "a usage error must not create the data directory");
    }

    @Test
    void aClientMemoryBudgetIsZeroOrAtLeast64KiB(@TempDir Path tmp) {
        assertEquals(0, ServeCommand.clientMemoryBudget("--client-memory-budget", "0"));
        assertEquals(512L << 20, ServeCommand.clientMemoryBudget("--client-memory-budget", "512mb"));
        Path dir = tmp.resolve("data");
        CliRun.Result r = new CliRun().run("serve", "--wal", dir.toString(), "--port", "0", "--client-memory-budget", "1kb");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("qrrot serve: --client-memory-budget must be 0 (a quarter of the heap) or at least"
                + " 64kb, not '1kb'\n"), r.err());
        assertFalse(Files.exists(dir), "a usage error must not create the data directory");
    }
}
