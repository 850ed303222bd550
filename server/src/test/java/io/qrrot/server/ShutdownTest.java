package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShutdownTest {
    @Test
    void shutdownCommandStopsTheServerAfterSendingWaitingReplies() throws Exception {
        InMemoryQrrot db = new InMemoryQrrot(InMemoryQrrot.Durability.MANUAL);
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
            db.makeDurable(1);
            assertEquals("+OK\r\n", writer.read(), "the waiting reply is delivered during shutdown");
            assertTrue(writer.closedByServer());
            server.termination().get(30, TimeUnit.SECONDS);
        } finally {
            db.makeDurable(Long.MAX_VALUE);
            server.close();
            db.close();
        }
    }

    @Test
    void closeIsIdempotentAndRefusesNewConnections() throws Exception {
        InMemoryQrrot db = new InMemoryQrrot(InMemoryQrrot.Durability.AUTO);
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
            db.close();
        }
    }
}
