package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.testkit.FaultyStorage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replies to writes are released only when their LSN is durable, in request order, reads included. The real
 * database, with its durability completions held back by the test ({@link HeldDurability}); LSNs are counted
 * from {@code base}, the log's last LSN when the test starts.
 */
class DurableRepliesTest extends SharedDatabaseTest {
    private HeldDurability db;
    private long base;

    @BeforeEach
    void start() throws Exception {
        db = new HeldDurability(real);
        base = db.appendedLsn();
        startServer(db, TestBackends.options().withIoThreads(1));
    }

    /** Lets every held reply go; runs before {@link SharedDatabaseTest} closes the server. */
    @AfterEach
    void release() {
        db.releaseAll();
    }

    @Test
    void readsWithNothingPendingAreAnsweredAtOnce() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("$-1\r\n", c.call("GET", "nothing-pending"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void aWriteReplyWaitsForItsLsn() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.command("SET", "k", "v");
            assertTrue(c.silentFor(200), "no reply before the write is durable");
            waitForPendingWaits(1);
            db.release(base + 1);
            assertEquals("+OK\r\n", c.read());
        }
    }

    @Test
    void pipelinedRepliesStayInOrderAndReadsBehindWritesWait() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            // GET before any write goes at once; everything after the first SET waits for it.
            c.send(RawClient.multibulk("GET", "ordered") + RawClient.multibulk("SET", "ordered", "1")
                    + RawClient.multibulk("GET", "ordered") + RawClient.multibulk("PING"));
            assertEquals("$-1\r\n", c.read());
            assertTrue(c.silentFor(200));
            waitForPendingWaits(1);
            db.release(base + 1);
            assertEquals("+OK\r\n", c.read());
            assertEquals("$1\r\n1\r\n", c.read());
            assertEquals("+PONG\r\n", c.read());
        }
    }

    @Test
    void laterBatchesWaitForTheirOwnLsnOnly() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.command("SET", "later-a", "1");
            waitForPendingWaits(1);
            c.command("GET", "later-a"); // a read queued behind the first write
            c.command("INCR", "later-n"); // a second write, LSN 2
            waitForAppended(base + 2);
            waitForPendingWaits(2);
            assertTrue(c.silentFor(100));
            db.release(base + 1);
            assertEquals("+OK\r\n", c.read());
            assertEquals("$1\r\n1\r\n", c.read());
            assertTrue(c.silentFor(200), "INCR waits for LSN 2");
            db.release(base + 2);
            assertEquals(":1\r\n", c.read());
        }
    }

    @Test
    void otherClientsAreNotHeldBackByAPendingWrite() throws Exception {
        try (RawClient writer = new RawClient(server.port()); RawClient reader = new RawClient(server.port())) {
            writer.command("SET", "k", "v");
            waitForPendingWaits(1);
            assertEquals("+PONG\r\n", reader.call("PING"));
            db.release(base + 1);
            assertEquals("+OK\r\n", writer.read());
        }
    }

    @Test
    void aTransactionIsOneRecordAndItsExecReplyWaits() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "tx-a", "1"));
            assertEquals("+QUEUED\r\n", c.call("INCR", "tx-n"));
            c.command("EXEC");
            waitForPendingWaits(1);
            assertEquals(base + 1, db.appendedLsn(), "one LSN for the whole EXEC");
            db.release(base + 1);
            assertEquals("*2\r\n+OK\r\n:1\r\n", c.read());
        }
    }

    @Test
    void aFailedLogTurnsEveryWaitingReplyIntoTheError() throws Exception {
        // A real log failure: the storage fails every fsync from now on, so the batch below never becomes durable.
        FaultyStorage storage = new FaultyStorage();
        DurableQrrot failing = TestBackends.open(Path.of("/failing-disk/data"),
                QrrotOptions.defaults().withStorage(storage));
        QrrotServer s = TestBackends.start(failing, TestBackends.options().withIoThreads(1));
        try (RawClient c = new RawClient(s.port())) {
            assertEquals("+OK\r\n", c.call("SET", "before", "1"));
            storage.failOn(FaultyStorage.Op.FORCE, 1, true, "Input/output error");
            c.send(RawClient.multibulk("SET", "a", "1") + RawClient.multibulk("GET", "a")
                    + RawClient.multibulk("SET", "b", "2"));
            String err = "-IOERR write-ahead log failed: fsync of /failing-disk/data/wal/00000000000000000001.wal:"
                    + " Input/output error; writes are refused until restart\r\n";
            assertEquals(err, c.read());
            assertEquals(err, c.read(), "the read behind the failed write is not answered as if all were well");
            assertEquals(err, c.read());
            assertEquals(err, c.call("SET", "c", "3"), "later writes are refused with the log's failure");
            assertEquals("$1\r\n1\r\n", c.call("GET", "before"), "reads keep working");
            assertEquals("+PONG\r\n", c.call("PING"), "the connection stays usable");
        } finally {
            s.close();
            try {
                failing.close();
            } catch (java.io.IOException expected) {
                // closing a failed log reports the failure again
            }
        }
    }

    @Test
    void aWaitFailedByTheFacadeAnswersItsHeldRepliesWithTheError() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.send(RawClient.multibulk("SET", "fa", "1") + RawClient.multibulk("GET", "fa"));
            waitForPendingWaits(1);
            db.fail("IOERR the write could not be confirmed durable");
            assertEquals("-IOERR the write could not be confirmed durable\r\n", c.read());
            assertEquals("-IOERR the write could not be confirmed durable\r\n", c.read());
            assertEquals("+PONG\r\n", c.call("PING"));
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
            db.release(base + 1);
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
            db.release(base + 1);
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
