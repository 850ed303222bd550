package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What clients can make the server hold is bounded, with an error reply to the client over a limit: requests
 * of unauthenticated clients, a request being received (it holds what arrived, up to the query buffer
 * limit), MULTI queues (per client and server-wide), and replies a client does not read. Each test uses small
 * configured limits, so nothing needs gigabytes.
 */
class MemoryLimitsTest extends SharedDatabaseTest {
    private static final String EXECABORT = "-EXECABORT Transaction discarded because of previous errors.\r\n";
    private static final String QUEUE_OOM = "-OOM command not allowed when client memory > 'client-memory-budget'.\r\n";
    private static final String REQUEST_OOM =
            "-OOM request not accepted when client memory > 'client-memory-budget'; closing the connection\r\n";

    private int start(UnaryOperator<ServerOptions> configure) throws Exception {
        return startServer(real, configure.apply(TestBackends.options().withIoThreads(1)));
    }

    @Test
    void unauthenticatedClientsDeclaringLargeRequestsAreRefusedBeforeAnythingIsHeld() throws Exception {
        int port = start(o -> o.withRequirePass("pw"));
        // The reported case: 1,040 clients that declare a 100 MB bulk and then stall.
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1040; i++) {
                RawClient c = new RawClient(port);
                clients.add(c);
                c.send(i % 2 == 0 ? "*1\r\n$100000000\r\n" : "*11\r\n");
            }
            for (int i = 0; i < clients.size(); i++) {
                RawClient c = clients.get(i);
                assertEquals(i % 2 == 0 ? "-ERR Protocol error: unauthenticated bulk length\r\n"
                        : "-ERR Protocol error: unauthenticated multibulk length\r\n", c.read());
                assertTrue(c.closedByServer(), "client " + i + " is disconnected");
            }
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
        try (RawClient c = new RawClient(port)) {
            c.send("*10\r\n$16384\r\n");
            assertTrue(c.silentFor(200), "10 arguments of 16384 bytes are still accepted, as in Redis");
        }
        try (RawClient c = new RawClient(port)) {
            assertEquals("+OK\r\n", c.call("AUTH", "pw"));
            c.send("*1\r\n$100000\r\n");
            assertTrue(c.silentFor(200), "after AUTH the same request is accepted");
        }
    }

    @Test
    void aRequestHoldsWhatArrivedNotWhatItDeclared() throws Exception {
        int port = start(o -> o);
        try (RawClient c = new RawClient(port); RawClient observer = new RawClient(port)) {
            String id = c.call("CLIENT", "ID").substring(1).trim();
            int declared = 20_000_000;
            c.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + declared + "\r\n");
            byte[] mib = new byte[1 << 20];
            java.util.Arrays.fill(mib, (byte) 'x');
            c.send(mib);
            long argv = 0;
            for (int i = 0; i < 200 && argv < mib.length; i++) {
                argv = field(observer.call("CLIENT", "LIST", "ID", id), "argv-mem");
                Thread.sleep(10);
            }
            assertTrue(argv >= mib.length && argv < 2L * mib.length,
                    "the partial request holds what arrived (1 MiB), not the 20 MB it declared: " + argv);
            for (int sent = mib.length; sent < declared; sent += mib.length) {
                c.send(sent + mib.length <= declared ? mib : java.util.Arrays.copyOf(mib, declared - sent));
            }
            c.send("\r\n");
            assertEquals("+OK\r\n", c.read());
            assertEquals(":" + declared + "\r\n", c.call("STRLEN", "big"));
            assertEquals(":1\r\n", c.call("DEL", "big"));
            assertEquals(0, field(observer.call("CLIENT", "LIST", "ID", id), "argv-mem"), "released once it ran");
        }
    }

    @Test
    void aRequestPastTheQueryBufferLimitIsAnsweredThenClosed() throws Exception {
        int port = start(o -> o.withQueryBufferLimit(1 << 20));
        try (RawClient c = new RawClient(port); RawClient other = new RawClient(port)) {
            c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n");
            try {
                c.send(new byte[1_500_000]);
            } catch (IOException closedWhileSending) {
                // the server may have closed its side already; its reply is still there to read
            }
            assertEquals("-ERR max query buffer length reached: the request passed client-query-buffer-limit"
                    + " (1048576 bytes); closing the connection\r\n", c.read());
            assertTrue(c.closedByServer());
            assertEquals("+PONG\r\n", other.call("PING"), "other clients are unaffected");
            assertTrue(other.call("INFO", "stats").contains("client_query_buffer_limit_disconnections:1\r\n"));
        }
    }

    @Test
    void aTransactionPastTheClientQueueLimitIsRefusedAndFailsAtExec() throws Exception {
        int limit = 100_000;
        int port = start(o -> o.withMultiQueueLimit(limit));
        long cost = Session.queuedBytes(CommandArgs.of("SET", "k:0000", "v"));
        long fits = limit / cost;
        String refusal = "-ERR MULTI queue limit reached: the queued commands would hold more than"
                + " client-multi-queue-limit (100000 bytes); EXEC will discard the transaction\r\n";
        try (RawClient c = new RawClient(port)) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            for (int i = 0; i < fits; i++) {
                assertEquals("+QUEUED\r\n", c.call("SET", String.format("k:%04d", i), "v"), "command " + i);
            }
            assertEquals(refusal, c.call("SET", "k:9999", "v"));
            assertEquals(refusal, c.call("SET", "k:9998", "v"), "still full");
            assertEquals(EXECABORT, c.call("EXEC"));
            assertEquals("$-1\r\n", c.call("GET", "k:0000"), "nothing of the transaction ran");
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "k:0000", "v"), "the next transaction starts empty");
            assertEquals("*1\r\n+OK\r\n", c.call("EXEC"));
            assertTrue(c.call("INFO", "stats").contains("client_multi_queue_limit_refusals:2\r\n"));
        }
    }

    @Test
    void fourClientsQueueingWithoutEndShareTheBudgetAndEachGetsAnError() throws Exception {
        // The reported case in small: clients queueing SETs inside MULTI without end. With a budget of 1 MiB
        // every client is refused before the server holds more than that (plus 64 KiB each), each refusal
        // fails its transaction, and the memory comes back when the transactions end.
        int port = start(o -> o.withClientMemoryBudget(1 << 20));
        int perClient = 5000;
        List<RawClient> clients = new ArrayList<>();
        try (RawClient observer = new RawClient(port)) {
            for (int n = 0; n < 4; n++) {
                RawClient c = new RawClient(port);
                clients.add(c);
                StringBuilder pipeline = new StringBuilder(RawClient.multibulk("MULTI"));
                for (int i = 0; i < perClient; i++) {
                    pipeline.append(RawClient.multibulk("SET", "c" + n + ":" + i, "value-" + i));
                }
                c.send(pipeline.toString());
            }
            int queued = 0;
            for (RawClient c : clients) {
                assertEquals("+OK\r\n", c.read());
                int refused = 0;
                for (int i = 0; i < perClient; i++) {
                    String r = c.read();
                    if (r.equals("+QUEUED\r\n")) {
                        assertEquals(0, refused, "nothing is queued after a refusal while the budget is full");
                        queued++;
                    } else {
                        assertEquals(QUEUE_OOM, r);
                        refused++;
                    }
                }
                assertTrue(refused > 0, "every client reached the budget");
            }
            long cost = Session.queuedBytes(CommandArgs.of("SET", "c0:1000", "value-1000"));
            assertTrue(queued * cost <= (1 << 20) + 4 * ClientMemory.FREE_PER_CLIENT,
                    queued + " commands of " + cost + " bytes queued");
            assertTrue(observer.call("INFO", "memory").contains("client_memory_used:"));
            assertEquals("+PONG\r\n", observer.call("PING"), "a client with an ordinary command is served meanwhile");
            assertEquals("+OK\r\n", observer.call("SET", "meanwhile", "1"));
            for (RawClient c : clients) {
                assertEquals(EXECABORT, c.call("EXEC"));
            }
            assertEquals(0, field(observer.call("INFO", "memory"), "client_memory_used"),
                    "the ended transactions gave the budget back");
            assertEquals("$-1\r\n", observer.call("GET", "c0:0"));
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aRequestThatWouldPassTheBudgetIsAnsweredThenClosedWhileOthersAreServed() throws Exception {
        int port = start(o -> o.withClientMemoryBudget(256 * 1024));
        try (RawClient big = new RawClient(port); RawClient small = new RawClient(port)) {
            big.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1000000\r\n");
            try {
                big.send(new byte[1_000_000]);
                big.send("\r\n");
            } catch (IOException closedWhileSending) {
                // the reply was written before the close: read it below
            }
            assertEquals(REQUEST_OOM, big.read());
            assertTrue(big.closedByServer());
            assertEquals("+OK\r\n", small.call("SET", "small", "v".repeat(60_000)), "within its free 64 KiB");
            assertTrue(small.call("INFO", "stats").contains("client_memory_budget_refusals:1\r\n"));
            assertEquals(0, field(small.call("INFO", "memory"), "client_memory_used"));
        }
        try (RawClient again = new RawClient(port)) {
            assertEquals("+OK\r\n", again.call("SET", "fits", "v".repeat(200_000)), "the budget was given back");
        }
    }

    @Test
    void theLimitsAreSettingsCONFIGSeesAndChanges() throws Exception {
        int port = start(o -> o.withClientMemoryBudget(8 << 20));
        try (RawClient c = new RawClient(port)) {
            assertEquals("*2\r\n$20\r\nclient-memory-budget\r\n$7\r\n8388608\r\n",
                    c.call("CONFIG", "GET", "client-memory-budget"));
            assertEquals("*2\r\n$24\r\nclient-multi-queue-limit\r\n$10\r\n1073741824\r\n",
                    c.call("CONFIG", "GET", "client-multi-queue-limit"));
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "client-multi-queue-limit", "2kb"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            for (int i = 0; i < 4; i++) {
                assertEquals("+QUEUED\r\n", c.call("SET", "x", "y"));
            }
            assertTrue(c.call("SET", "x", "y").startsWith("-ERR MULTI queue limit reached:"));
            assertEquals("+OK\r\n", c.call("DISCARD"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'client-memory-budget') - argument must"
                    + " be 0 (a quarter of the heap) or at least 64kb\r\n", c.call("CONFIG", "SET", "client-memory-budget", "1000"));
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "client-memory-budget", "0"));
            assertEquals(Runtime.getRuntime().maxMemory() / 4, field(c.call("INFO", "memory"), "client_memory_budget"));
        }
    }

    @Test
    void aClientThatDoesNotReadItsRepliesStopsBeingReadAndResumes() throws Exception {
        int port = start(o -> o);
        try (RawClient c = new RawClient(port); RawClient observer = new RawClient(port)) {
            String id = c.call("CLIENT", "ID").substring(1).trim();
            String value = "v".repeat(100_000);
            assertEquals("+OK\r\n", c.call("SET", "wide", value));
            int gets = 500; // 50 MB of replies if the server buffered them all
            byte[] get = RawClient.multibulk("GET", "wide").getBytes(StandardCharsets.ISO_8859_1);
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < gets; i++) {
                        c.send(get);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "pipelining-writer");
            writer.setDaemon(true);
            writer.start();
            long maxOmem = 0;
            for (int i = 0; i < 50; i++) {
                String line = observer.call("CLIENT", "LIST", "ID", id);
                maxOmem = Math.max(maxOmem, field(line, "omem"));
                Thread.sleep(10);
            }
            assertTrue(maxOmem <= 5L << 20, "unsent replies stayed under the 4 MiB pause mark (+ one reply): " + maxOmem);
            String expected = "$100000\r\n" + value + "\r\n";
            for (int i = 0; i < gets; i++) {
                assertEquals(expected, c.read(), "reply " + i);
            }
            writer.join(10_000);
            assertEquals("+PONG\r\n", c.call("PING"), "reading resumed once the client caught up");
        }
    }

    @Test
    void aClientReadingWhileItPipelinesIsNeverLeftPaused() throws Exception {
        // Reading pauses when 4 MiB of replies pile up in one batch; if the socket then takes them all at once
        // (the client reads as fast as they come), no writability change follows to resume it.
        int port = start(o -> o);
        try (RawClient c = new RawClient(port)) {
            String value = "w".repeat(200_000);
            assertEquals("+OK\r\n", c.call("SET", "wide2", value));
            int gets = 400;
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < gets; i++) {
                all.append(RawClient.multibulk("GET", "wide2"));
            }
            c.send(all.toString()); // 9 KB of requests: one read, 80 MB of replies
            String expected = "$200000\r\n" + value + "\r\n";
            for (int i = 0; i < gets; i++) {
                assertEquals(expected, c.read(), "reply " + i);
            }
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    private static long field(String text, String name) {
        Matcher m = Pattern.compile("(?:^|[ \\r\\n])" + Pattern.quote(name) + "[=:](\\d+)").matcher(text);
        assertTrue(m.find(), name + " in " + text);
        return Long.parseLong(m.group(1));
    }
}
