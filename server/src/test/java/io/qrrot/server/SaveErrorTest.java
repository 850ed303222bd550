package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.ForwardingQrrot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SAVE whose snapshot dies of an Error (out of memory while folding) still answers, the next one works, and
 * INFO counts the first as a failed call.
 */
class SaveErrorTest {
    @TempDir
    Path dir;

    @Test
    void aSaveThatFailsWithAnErrorIsAnsweredAndTheServerSavesAgain() throws Exception {
        DurableQrrot real = TestBackends.open(dir);
        boolean[] fail = {true};
        ForwardingQrrot db = new ForwardingQrrot(real) {
            @Override
            public SnapshotResult saveSnapshot() throws java.io.IOException {
                if (fail[0]) {
                    fail[0] = false;
                    throw new OutOfMemoryError("Java heap space");
                }
                return super.saveSnapshot();
            }
        };
        QrrotServer server = TestBackends.start(db, TestBackends.options());
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR the snapshot failed; the server log names the file and the cause\r\n", c.call("SAVE"));
            assertEquals("+OK\r\n", c.call("SAVE"));
            // SAVE replies from another thread: it is counted when it replies, the failed one as a failed call.
            InfoText info = InfoText.ofReply(c.call("INFO", "commandstats", "errorstats"));
            assertEquals(2, info.part("cmdstat_save", "calls"));
            assertEquals(1, info.part("cmdstat_save", "failed_calls"));
            assertEquals(0, info.part("cmdstat_save", "rejected_calls"));
            assertEquals("count=1", info.get("errorstat_ERR"));
        } finally {
            server.close();
            db.close();
        }
    }
}
