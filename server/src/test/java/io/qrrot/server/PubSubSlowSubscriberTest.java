package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.Qrrot;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscriber that never reads is closed once its unsent messages pass the pubsub output-buffer limit; the
 * publisher is never held up and every other client goes on working.
 */
class PubSubSlowSubscriberTest {
    @TempDir
    Path dir;
    private Qrrot db;
    private QrrotServer server;

    @BeforeEach
    void start() throws Exception {
        db = TestBackends.open(dir);
        server = TestBackends.start(db, TestBackends.options());
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        TestBackends.close(db);
    }

    private static String info(RawClient c, String field) throws Exception {
        String info = c.call("INFO", "stats");
        for (String line : info.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError(field + " not in INFO stats");
    }

    @Test
    void aSubscriberThatDoesNotReadIsClosedAtTheHardLimit() throws Exception {
        try (RawClient admin = new RawClient(server.port()); RawClient publisher = new RawClient(server.port());
                RawClient reader = new RawClient(server.port());
                Socket slow = new Socket()) {
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0"));
            String got = admin.call("CONFIG", "GET", "client-output-buffer-limit");
            assertTrue(got.contains("pubsub 262144 0 0"), got);

            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            slow.getOutputStream().write(RawClient.multibulk("SUBSCRIBE", "flood").getBytes());
            slow.getOutputStream().flush();
            // A subscriber that reads: gets every message until the slow one is gone.
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n", reader.call("SUBSCRIBE", "flood"));

            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!publisher.call("PUBSUB", "NUMSUB", "flood").equals("*2\r\n$5\r\nflood\r\n:2\r\n")) {
                assertTrue(System.nanoTime() < deadline, "the slow subscriber never subscribed");
                Thread.sleep(10);
            }
            String clients = admin.call("CLIENT", "LIST");
            assertTrue(clients.contains(" flags=P db=0 sub=1 psub=0 "), clients);

            String message = "m".repeat(10_000);
            String payload = "$" + message.length() + "\r\n" + message + "\r\n";
            String expectedMessage = "*3\r\n$7\r\nmessage\r\n$5\r\nflood\r\n" + payload;
            int published = 0;
            // Publish until only the reading subscriber receives: the slow one was closed.
            while (true) {
                assertTrue(System.nanoTime() < deadline, "the slow subscriber was not closed");
                String n = publisher.call("PUBLISH", "flood", message);
                published++;
                assertEquals(expectedMessage, reader.read(), "message " + published + " to the reading subscriber");
                if (n.equals(":1\r\n")) {
                    break;
                }
                assertEquals(":2\r\n", n);
            }
            assertTrue(published > 25, "closed after only " + published + " messages of 10 KB");

            // The slow subscriber reads what the kernel buffered, then the end of the stream.
            slow.setSoTimeout(10_000);
            InputStream in = slow.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long read = 0;
            try {
                int r;
                while ((r = in.read(buf)) >= 0) {
                    read += r;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the slow subscriber's connection was not closed (" + read + " bytes read)");
            } catch (java.io.IOException reset) {
                // closed with unread data: a reset is a close too
            }

            assertEquals("1", info(admin, "client_output_buffer_limit_disconnections"));
            assertEquals("*2\r\n$5\r\nflood\r\n:1\r\n", publisher.call("PUBSUB", "NUMSUB", "flood"));
            assertEquals(":1\r\n", publisher.call("PUBLISH", "flood", "after"));
            assertEquals("*3\r\n$7\r\nmessage\r\n$5\r\nflood\r\n$5\r\nafter\r\n", reader.read());
            assertEquals("+OK\r\n", admin.call("SET", "k", "v"));
            assertEquals("$1\r\nv\r\n", admin.call("GET", "k"));
            assertEquals("+PONG\r\n", publisher.call("PING"));
        }
    }
}
