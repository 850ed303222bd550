package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.DurableQrrot;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShutdownTest {
    @TempDir
    Path dir;

    @Test
    void shutdownCommandStopsTheServerAfterSendingWaitingReplies() throws Exception {
        DurableQrrot real = TestBackends.open(dir);
        HeldDurability db = new HeldDurability(real);
        QrrotServer server = TestBackends.start(db, TestBackends.options().withShutdownTimeoutMillis(120_000));
        try (RawClient writer = new RawClient(server.port()); RawClient admin = new RawClient(server.port())) {
            writer.command("SET", "k", "v");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (db.pendingWaits() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            admin.command("SHUTDOWN", "SAVE");
            assertTrue(admin.closedByServer(), "SHUTDOWN gets no reply; its connection closes");
            assertEquals(1, db.snapshots(), "SHUTDOWN SAVE wrote a snapshot first");
            assertTrue(writer.silentFor(200), "the pending write is not answered before it is durable");
            db.releaseAll();
            assertEquals("+OK\r\n", writer.read(), "the waiting reply is delivered during shutdown");
            assertTrue(writer.closedByServer());
            server.termination().get(30, TimeUnit.SECONDS);
        } finally {
            db.releaseAll();
            server.close();
            TestBackends.close(real);
        }
    }

    @Test
    void closeIsIdempotentAndRefusesNewConnections() throws Exception {
        DurableQrrot db = TestBackends.open(dir);
        QrrotServer server = TestBackends.start(db, TestBackends.options());
        int port = server.port();
        server.close();
        server.close();
        assertTrue(server.termination().isDone());
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            throw new AssertionError("connected to a closed server");
        } catch (java.net.ConnectException expected) {
            // refused
        } finally {
            TestBackends.close(db);
        }
    }
}
