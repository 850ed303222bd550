package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.Qrrot;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP blocking on a running server, with raw RESP clients: a blocked client is woken
 * by another client's ZADD, by a ZADD inside MULTI/EXEC and by ZUNIONSTORE; clients blocked on one key are served
 * first blocked, first served; a timeout answers a null array; CLIENT UNBLOCK answers it as a timeout or with
 * Redis's UNBLOCKED error; a blocked client's pipelined commands wait for its answer; a client that disconnects
 * while blocked takes no member; and the other connections of the event loop go on being served meanwhile.
 * (What Redis answers at once, and the errors, are compared with redis-server by {@code ZSetDifferentialTest}.)
 */
@Tag("integration")
class BlockingPopsTest {
    private static final String NIL_ARRAY = "*-1\r\n";

    @TempDir
    static Path dir;
    private static Qrrot db;
    private static QrrotServer server;

    @BeforeAll
    static void start() throws Exception {
        db = TestBackends.open(dir);
        server = TestBackends.start(db, TestBackends.options());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        TestBackends.close(db);
    }

    private static RawClient client() throws Exception {
        return new RawClient(server.port());
    }

    /** Waits until CLIENT LIST shows {@code n} clients whose last command is {@code cmd}. */
    private static void awaitBlocked(RawClient admin, String cmd, int n) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            // Blocked (flag b), not only running the command: CLIENT UNBLOCK finds it only then.
            int count = 0;
            for (String line : admin.call("CLIENT", "LIST").split("\n")) {
                if (line.contains(" flags=b ") && line.contains(" cmd=" + cmd + " ")) {
                    count++;
                }
            }
            if (count >= n) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("fewer than " + n + " clients blocked in " + cmd);
    }

    private static long idOf(RawClient c) throws Exception {
        String r = c.call("CLIENT", "ID");
        return Long.parseLong(r.substring(1, r.length() - 2));
    }

    @Test
    void aPushFromAnotherClientWakesTheFirstBlockedAndTheNextGetsTheNext() throws Exception {
        try (RawClient a = client(); RawClient b = client(); RawClient admin = client()) {
            admin.call("DEL", "q1");
            a.command("BZPOPMIN", "q1", "0");
            awaitBlocked(admin, "bzpopmin", 1);
            b.command("BZPOPMIN", "q1", "0");
            awaitBlocked(admin, "bzpopmin", 2);
            assertTrue(a.silentFor(100));
            assertTrue(admin.call("INFO", "clients").contains("blocked_clients:2\r\n"));
            assertEquals(":2\r\n", admin.call("ZADD", "q1", "2", "second", "1", "first"));
            assertEquals("*3\r\n$2\r\nq1\r\n$5\r\nfirst\r\n$1\r\n1\r\n", a.read());
            assertEquals("*3\r\n$2\r\nq1\r\n$6\r\nsecond\r\n$1\r\n2\r\n", b.read());
            assertEquals(":0\r\n", admin.call("EXISTS", "q1"));
        }
    }

    @Test
    void aTransactionAndAStoreCommandWakeBlockedClients() throws Exception {
        try (RawClient a = client(); RawClient b = client(); RawClient admin = client()) {
            admin.call("DEL", "q2", "q3", "src");
            a.command("BZPOPMAX", "q2", "q3", "0");
            awaitBlocked(admin, "bzpopmax", 1); // a blocks first
            b.command("BZMPOP", "0", "1", "q3", "MIN", "COUNT", "5");
            awaitBlocked(admin, "bzmpop", 1);
            admin.call("MULTI");
            admin.call("ZADD", "q3", "5", "x");
            admin.call("ZADD", "q3", "7", "y");
            assertEquals("*2\r\n:1\r\n:1\r\n", admin.call("EXEC"));
            // The first blocked (a) pops the highest; b, blocked later on the same key, gets what is left.
            assertEquals("*3\r\n$2\r\nq3\r\n$1\r\ny\r\n$1\r\n7\r\n", a.read());
            assertEquals("*2\r\n$2\r\nq3\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n5\r\n", b.read());

            a.command("BZPOPMIN", "q2", "0");
            awaitBlocked(admin, "bzpopmin", 1);
            admin.call("ZADD", "src", "3", "m", "4", "n");
            assertEquals(":2\r\n", admin.call("ZUNIONSTORE", "q2", "1", "src"));
            assertEquals("*3\r\n$2\r\nq2\r\n$1\r\nm\r\n$1\r\n3\r\n", a.read());
            assertEquals("*2\r\n$1\r\nn\r\n$1\r\n4\r\n", admin.call("ZRANGE", "q2", "0", "-1", "WITHSCORES"));
        }
    }

    @Test
    void timeoutsAndClientUnblock() throws Exception {
        try (RawClient a = client(); RawClient admin = client()) {
            long started = System.nanoTime();
            assertEquals(NIL_ARRAY, a.call("BZPOPMIN", "nothing", "0.2"));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMillis >= 190, "answered after " + tookMillis + " ms");
            assertEquals(NIL_ARRAY, a.call("BZMPOP", "0.05", "2", "nothing", "nor-this", "MAX"));

            long id = idOf(a);
            a.command("BZPOPMIN", "nothing", "0");
            awaitBlocked(admin, "bzpopmin", 1);
            assertEquals(":1\r\n", admin.call("CLIENT", "UNBLOCK", Long.toString(id)));
            assertEquals(NIL_ARRAY, a.read());
            a.command("BZPOPMAX", "nothing", "0");
            awaitBlocked(admin, "bzpopmax", 1);
            assertEquals(":1\r\n", admin.call("CLIENT", "UNBLOCK", Long.toString(id), "ERROR"));
            assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", a.read());
            assertEquals(":0\r\n", admin.call("CLIENT", "UNBLOCK", Long.toString(id)));
            assertEquals("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
                    admin.call("CLIENT", "UNBLOCK", Long.toString(id), "MAYBE"));
        }
    }

    @Test
    void pipelinedCommandsWaitAndOtherClientsAreServed() throws Exception {
        try (RawClient a = client(); RawClient other = client(); RawClient admin = client()) {
            admin.call("DEL", "q4");
            a.send(RawClient.multibulk("BZPOPMIN", "q4", "0") + RawClient.multibulk("PING", "after"));
            awaitBlocked(admin, "bzpopmin", 1);
            for (int i = 0; i < 50; i++) {
                assertEquals("+PONG\r\n", other.call("PING")); // the loop serves everyone else
            }
            assertTrue(a.silentFor(100));
            admin.call("ZADD", "q4", "1", "m");
            assertEquals("*3\r\n$2\r\nq4\r\n$1\r\nm\r\n$1\r\n1\r\n", a.read());
            assertEquals("$5\r\nafter\r\n", a.read());
        }
    }

    @Test
    void aClientThatLeavesWhileBlockedTakesNothing() throws Exception {
        try (RawClient stays = client(); RawClient admin = client()) {
            admin.call("DEL", "q5");
            RawClient leaves = client();
            leaves.command("BZPOPMIN", "q5", "0");
            awaitBlocked(admin, "bzpopmin", 1);
            stays.command("BZPOPMIN", "q5", "0");
            awaitBlocked(admin, "bzpopmin", 2);
            leaves.close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (admin.call("CLIENT", "LIST").split("cmd=bzpopmin ", -1).length - 1 > 1) {
                assertTrue(System.nanoTime() < deadline, "the closed client is still listed");
                Thread.sleep(10);
            }
            admin.call("ZADD", "q5", "1", "only");
            assertEquals("*3\r\n$2\r\nq5\r\n$4\r\nonly\r\n$1\r\n1\r\n", stays.read());
        }
    }

    @Test
    void respThreeRepliesAndTheTransactionAnswer() throws Exception {
        try (RawClient a = client(); RawClient admin = client()) {
            a.call("HELLO", "3");
            admin.call("DEL", "q6");
            a.command("BZPOPMIN", "q6", "0");
            awaitBlocked(admin, "bzpopmin", 1);
            admin.call("ZADD", "q6", "1.5", "m");
            assertEquals("*3\r\n$2\r\nq6\r\n$1\r\nm\r\n,1.5\r\n", a.read());
            assertEquals("_\r\n", a.call("BZPOPMIN", "q6", "0.01"));
            a.call("MULTI");
            a.call("BZPOPMIN", "q6", "0");
            assertEquals("*1\r\n_\r\n", a.call("EXEC")); // inside a transaction it never blocks
        }
    }
}
