package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.ForwardingQrrot;
import io.qrrot.testkit.CapturedStderr;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed SAVE's reply sends the operator to the server log, so the log line names the step and the file. */
class SaveFailureLogTest {
    @TempDir
    Path dir;

    @Test
    void theLogLineOfAFailedSaveCarriesTheDatabasesMessage() throws Exception {
        String cause = "write of /srv/data/snapshots/snapshot-00000000000000000007.qrrt.tmp: No space left on device";
        DurableQrrot real = TestBackends.open(dir);
        // The real database, with a save that fails as a full disk makes it fail.
        ForwardingQrrot db = new ForwardingQrrot(real) {
            @Override
            public SnapshotResult saveSnapshot() throws IOException {
                throw new IOException(cause);
            }
        };
        CapturedStderr stderr = new CapturedStderr();
        try (stderr) {
            QrrotServer server = TestBackends.start(db, TestBackends.options());
            try (RawClient c = new RawClient(server.port())) {
                assertEquals("-ERR the snapshot failed; the server log names the file and the cause\r\n", c.call("SAVE"));
            } finally {
                server.close();
                db.close();
            }
        }
        String log = stderr.text();
        assertTrue(log.contains("snapshot failed: " + cause + "\n"), log);
    }
}
