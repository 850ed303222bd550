package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that closes its side after sending (as {@code printf … | nc -N} does) is answered everything it sent
 * before the connection closes, as Redis answers what it read before the end of input: replies that wait for
 * durability included. An incomplete request at the end is dropped; a blocking pop stops waiting, unanswered.
 */
class HalfCloseTest extends SharedDatabaseTest {
    private HeldDurability held;

    @AfterEach
    void release() {
        if (held != null) {
            held.releaseAll();
        }
    }

    /** Sends {@code request}, closes the sending side, and reads until the server closes. */
    private static String sendAndHalfClose(int port, String request) throws IOException {
        return new String(HalfClosed.exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), request),
                StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyRequestSentBeforeTheEndIsAnswered() throws Exception {
        int port = startServer(real, TestBackends.options().withMemcachedPort(0));
        assertEquals("+OK\r\n$1\r\nv\r\n+PONG\r\n", sendAndHalfClose(port,
                RawClient.multibulk("SET", "hc:k", "v") + RawClient.multibulk("GET", "hc:k") + "PING\r\n"));
        assertEquals("+OK\r\n+OK\r\n", sendAndHalfClose(port, "SET hc:q 1\r\nQUIT\r\nGET hc:q\r\n"));
        assertEquals("+PONG\r\n", sendAndHalfClose(port, "PING\r\n*2\r\n$3\r\nGET"), "an incomplete request is dropped");
        assertEquals("+OK\r\n+PONG\r\n", sendAndHalfClose(port, "SAVE\r\nPING\r\n"), "after SAVE's own reply");
        assertEquals("STORED\r\nVALUE hc:m 2 2\r\nhi\r\nEND\r\n",
                sendAndHalfClose(server.memcachedPort(), "set hc:m 2 0 2\r\nhi\r\nget hc:m\r\n"));
        assertEquals("STORED\r\nVALUE hc:m 2 2\r\nho\r\nEND\r\n",
                sendAndHalfClose(port, "set hc:m 2 0 2\r\nho\r\nget hc:m\r\n"), "memcached on the main port");
    }

    @Test
    void aReplyWaitingForDurabilityIsSentBeforeTheClose() throws Exception {
        held = new HeldDurability(real);
        long base = held.appendedLsn();
        int port = startServer(held, TestBackends.options().withIoThreads(1));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((RawClient.multibulk("SET", "hc:d", "1") + RawClient.multibulk("GET", "hc:d"))
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (held.pendingWaits() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(1, held.pendingWaits(), "the reply waits for its LSN");
            held.release(base + 1);
            assertEquals("+OK\r\n$1\r\n1\r\n", new String(HalfClosed.readUntilClosed(s.getInputStream(), "SET"),
                    StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void aBlockingPopStopsWaitingWhenItsClientLeaves() throws Exception {
        int port = startServer(real, TestBackends.options());
        assertEquals("", sendAndHalfClose(port, RawClient.multibulk("BLPOP", "hc:nothing", "0")));
        try (RawClient c = new RawClient(port)) {
            assertTrue(c.call("INFO", "clients").contains("blocked_clients:0\r\n"));
        }
    }
}
