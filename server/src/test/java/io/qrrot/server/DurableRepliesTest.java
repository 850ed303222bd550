package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Replies to writes are released only when their LSN is durable, in request order, reads included. */
class DurableRepliesTest {
    private InMemoryQrrot db;
    private QrrotServer server;

    @BeforeEach
    void start() throws Exception {
        db = new InMemoryQrrot(InMemoryQrrot.Durability.MANUAL);
        server = TestBackends.start(db, TestBackends.options().withIoThreads(1));
    }

    @AfterEach
    void stop() {
        db.makeDurable(Long.MAX_VALUE);
        server.close();
        db.close();
    }

    @Test
    void readsWithNothingPendingAreAnsweredAtOnce() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("$-1\r\n", c.call("GET", "k"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void aWriteReplyWaitsForItsLsn() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.command("SET", "k", "v");
            assertTrue(c.silentFor(200), "no reply before the write is durable");
            waitForPendingWaits(1);
            db.makeDurable(1);
            assertEquals("+OK\r\n", c.read());
        }
    }

    @Test
    void pipelinedRepliesStayInOrderAndReadsBehindWritesWait() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            // GET before any write goes at once; everything after the first SET waits for it.
            c.send(RawClient.multibulk("GET", "a") + RawClient.multibulk("SET", "a", "1")
                    + RawClient.multibulk("GET", "a") + RawClient.multibulk("PING"));
            assertEquals("$-1\r\n", c.read());
            assertTrue(c.silentFor(200));
            waitForPendingWaits(1);
            db.makeDurable(1);
            assertEquals("+OK\r\n", c.read());
            assertEquals("$1\r\n1\r\n", c.read());
            assertEquals("+PONG\r\n", c.read());
        }
    }

    @Test
    void laterBatchesWaitForTheirOwnLsnOnly() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.command("SET", "a", "1");
            waitForPendingWaits(1);
            c.command("GET", "a"); // a read queued behind the first write
            c.command("INCR", "n"); // a second write, LSN 2
            waitForAppended(2);
            waitForPendingWaits(2);
            assertTrue(c.silentFor(100));
            db.makeDurable(1);
            assertEquals("+OK\r\n", c.read());
            assertEquals("$1\r\n1\r\n", c.read());
            assertTrue(c.silentFor(200), "INCR waits for LSN 2");
            db.makeDurable(2);
            assertEquals(":1\r\n", c.read());
        }
    }

    @Test
    void otherClientsAreNotHeldBackByAPendingWrite() throws Exception {
        try (RawClient writer = new RawClient(server.port()); RawClient reader = new RawClient(server.port())) {
            writer.command("SET", "k", "v");
            waitForPendingWaits(1);
            assertEquals("+PONG\r\n", reader.call("PING"));
            db.makeDurable(1);
            assertEquals("+OK\r\n", writer.read());
        }
    }

    @Test
    void aTransactionIsOneRecordAndItsExecReplyWaits() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "a", "1"));
            assertEquals("+QUEUED\r\n", c.call("INCR", "n"));
            c.command("EXEC");
            waitForPendingWaits(1);
            assertEquals(1, db.appendedLsn(), "one LSN for the whole EXEC");
            db.makeDurable(1);
            assertEquals("*2\r\n+OK\r\n:1\r\n", c.read());
        }
    }

    @Test
    void aFailedLogTurnsEveryWaitingReplyIntoTheError() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.send(RawClient.multibulk("SET", "a", "1") + RawClient.multibulk("GET", "a")
                    + RawClient.multibulk("SET", "b", "2"));
            waitForAppended(2);
            waitForPendingWaits(1);
            db.fail("IOERR fsync failed on wal/00000000000000000001.wal; the database is read-only");
            String err = "-IOERR fsync failed on wal/00000000000000000001.wal; the database is read-only\r\n";
            assertEquals(err, c.read());
            assertEquals(err, c.read(), "the read behind the failed write is not answered as if all were well");
            assertEquals(err, c.read());
            assertEquals("-IOERR the write-ahead log failed; the database is read-only\r\n", c.call("SET", "c", "3"));
            assertEquals("+PONG\r\n", c.call("PING"), "the connection stays usable");
        }
    }

    @Test
    void endOfBatchIsCalledSoTheLogCanWrite() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.command("SET", "k", "v");
            waitForPendingWaits(1);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (db.endOfBatchCalls() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(db.endOfBatchCalls() > 0);
            db.makeDurable(1);
            assertEquals("+OK\r\n", c.read());
        }
    }

    @Test
    void closeDrainsRepliesStillWaitingForDurability() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.command("SET", "k", "v");
            waitForPendingWaits(1);
            Thread closer = new Thread(server::close);
            closer.start();
            assertTrue(c.silentFor(200), "close waits for durability instead of dropping the reply");
            db.makeDurable(1);
            assertEquals("+OK\r\n", c.read());
            assertTrue(c.closedByServer());
            closer.join(10_000);
            assertTrue(server.termination().isDone());
        }
    }

    private void waitForPendingWaits(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (db.pendingWaits() < n && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(n, db.pendingWaits(), "durability waits registered");
    }

    private void waitForAppended(long lsn) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (db.appendedLsn() < lsn && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(lsn, db.appendedLsn());
    }
}
