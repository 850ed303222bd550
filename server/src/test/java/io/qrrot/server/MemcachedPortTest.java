package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memcached text protocol on its own port and on the main port (told apart by the first line): whatever the
 * first command and however the first packet is split, Redis clients (RESP and inline) keep working, replies
 * wait for durability as Redis replies do, and a password is asked for as memcached 1.6 asks for one.
 */
class MemcachedPortTest extends SharedDatabaseTest {
    private HeldDurability held;

    @AfterEach
    void release() {
        if (held != null) {
            held.releaseAll();
        }
    }

    private int mainPort() throws Exception {
        return startServer(real, TestBackends.options().withMemcachedPort(0));
    }

    @Test
    void theMemcachedPortServesMemcachedOnly() throws Exception {
        mainPort();
        try (Mc c = new Mc(server.memcachedPort())) {
            assertEquals("STORED\r\n", c.call("set mp:a 7 0 3\r\nabc\r\n"));
            assertEquals("VALUE mp:a 7 3\r\nabc\r\nEND\r\n", c.call("get mp:a\r\n"));
            // A Redis command on the memcached port is an unknown memcached command.
            assertEquals("ERROR\r\n", c.call("PING\r\n"));
            assertEquals("ERROR\r\n", c.call("*1\r\n$4\r\nPING\r\n"));
        }
    }

    @Test
    void theMainPortTakesMemcachedClientsWhateverTheirFirstCommand() throws Exception {
        int port = mainPort();
        try (Mc c = new Mc(port)) {
            assertTrue(c.call("stats\r\n").startsWith("STAT pid "));
        }
        try (Mc c = new Mc(port)) {
            assertEquals("VERSION " + MemcachedConnection.PROTOCOL_VERSION + "\r\n", c.call("version\r\n"));
        }
        try (Mc c = new Mc(port)) {
            assertEquals("END\r\n", c.call("gets mp:none\r\n"));
        }
        try (Mc c = new Mc(port)) {
            assertEquals("STORED\r\n", c.call("set mp:b 0 0 2\r\nhi\r\n"));
            assertEquals("VALUE mp:b 0 2\r\nhi\r\nEND\r\n", c.call("get mp:b\r\n"));
        }
        try (Mc c = new Mc(port)) {
            assertEquals("VALUE mp:b 0 2\r\nhi\r\nEND\r\n", c.call("get mp:b\r\n"));
        }
    }

    @Test
    void aSplitFirstPacketIsWaitedFor() throws Exception {
        int port = mainPort();
        try (Mc c = new Mc(port)) {
            c.send("st");
            assertTrue(c.silentFor(100));
            c.send("ats\r");
            assertTrue(c.silentFor(100));
            assertTrue(c.call("\n").startsWith("STAT pid "));
        }
        try (Mc c = new Mc(port)) {
            c.send("set mp:split 3 0 5");
            assertTrue(c.silentFor(100));
            c.send("\r\nhel");
            assertTrue(c.silentFor(100));
            assertEquals("STORED\r\n", c.call("lo\r\n"));
            assertEquals("VALUE mp:split 3 5\r\nhello\r\nEND\r\n", c.call("get mp:split\r\n"));
        }
        try (Mc c = new Mc(port)) {
            c.send("*1\r");
            assertTrue(c.silentFor(100));
            assertEquals("+PONG\r\n", c.call("\n$4\r\nPING\r\n"));
        }
    }

    @Test
    void redisClientsKeepWorkingOnTheMainPort() throws Exception {
        int port = mainPort();
        try (Mc c = new Mc(port)) {
            assertEquals("+OK\r\n", c.call("set mp:inline v\r\n")); // inline, lower case: Redis's SET
            assertEquals("$1\r\n", c.call("GET mp:inline\r\n"));
            assertEquals("v\r\n", c.readLine());
            assertEquals(":1\r\n", c.call("INCR mp:counter\r\n"));
            assertEquals("+PONG\r\n", c.call("PING\r\n"));
        }
        try (Mc c = new Mc(port)) {
            assertEquals("-ERR wrong number of arguments for 'incr' command\r\n", c.call("INCR mp:counter 5\r\n"));
        }
        try (RawClient c = new RawClient(port)) {
            assertEquals("$1\r\nv\r\n", c.call("GET", "mp:inline"));
            assertEquals("+string\r\n", c.call("TYPE", "mp:inline"));
        }
        try (Mc c = new Mc(port)) {
            assertEquals("2\r\n", c.call("incr mp:counter 1\r\n")); // memcached's incr, on a Redis counter
        }
        try (RawClient c = new RawClient(port)) {
            assertEquals(":3\r\n", c.call("INCR", "mp:counter"), "still a Redis integer");
        }
    }

    @Test
    void aValueIsAStringToRedisAndBack() throws Exception {
        int port = mainPort();
        try (Mc c = new Mc(port)) {
            assertEquals("STORED\r\n", c.call("set mp:shared 42 0 5\r\nhello\r\n"));
        }
        try (RawClient r = new RawClient(port)) {
            assertEquals("$5\r\nhello\r\n", r.call("GET", "mp:shared"));
            assertEquals(":5\r\n", r.call("STRLEN", "mp:shared"));
            assertEquals("+string\r\n", r.call("TYPE", "mp:shared"));
            assertEquals(":1\r\n", r.call("EXPIRE", "mp:shared", "100"));
        }
        try (Mc c = new Mc(port)) {
            assertEquals("VALUE mp:shared 42 5\r\nhello\r\nEND\r\n", c.call("get mp:shared\r\n"), "EXPIRE keeps flags");
        }
        try (RawClient r = new RawClient(port)) {
            assertEquals(":10\r\n", r.call("APPEND", "mp:shared", "world"));
        }
        try (Mc c = new Mc(port)) {
            assertEquals("VALUE mp:shared 0 10\r\nhelloworld\r\nEND\r\n", c.call("get mp:shared\r\n"),
                    "a Redis write makes a plain string: flags 0");
        }
    }

    @Test
    void aStoredReplyWaitsForItsRecordToBeDurable() throws Exception {
        held = new HeldDurability(real);
        long base = held.appendedLsn();
        startServer(held, TestBackends.options().withIoThreads(1).withMemcachedPort(0));
        try (Mc c = new Mc(server.memcachedPort())) {
            c.send("set mp:durable 0 0 1\r\nx\r\nget mp:durable\r\n");
            assertTrue(c.silentFor(200), "no reply before the write is durable");
            held.release(base + 1);
            assertEquals("STORED\r\n", c.readLine());
            assertEquals("VALUE mp:durable 0 1\r\nx\r\nEND\r\n", c.readUntilEnd());
            // noreply sends nothing, but what follows it still waits for it.
            c.send("set mp:durable 0 0 1 noreply\r\ny\r\nget mp:durable\r\n");
            assertTrue(c.silentFor(200));
            held.release(base + 2);
            assertEquals("VALUE mp:durable 0 1\r\ny\r\nEND\r\n", c.readUntilEnd());
        }
    }

    @Test
    void withAPasswordAClientAuthenticatesAsMemcachedAsks() throws Exception {
        startServer(real, TestBackends.options().withMemcachedPort(0).withRequirePass("s3cret"));
        try (Mc c = new Mc(server.memcachedPort())) {
            assertEquals("CLIENT_ERROR unauthenticated\r\n", c.call("get mp:a\r\n"));
            assertEquals("CLIENT_ERROR authentication failure\r\n", c.call("set auth 0 0 10\r\nuser wrong\r\n"));
            assertEquals("CLIENT_ERROR bad authentication token format\r\n", c.call("set auth 0 0 4\r\nuser\r\n"));
            assertEquals("STORED\r\n", c.call("set auth 0 0 11\r\nuser s3cret\r\n"));
            assertEquals("STORED\r\n", c.call("set mp:authed 0 0 1\r\nz\r\n"));
            assertEquals("VALUE mp:authed 0 1\r\nz\r\nEND\r\n", c.call("get mp:authed\r\n"));
        }
        try (RawClient r = new RawClient(server.port())) {
            assertTrue(r.call("GET", "auth").startsWith("-NOAUTH"), "the password is asked of Redis clients too");
        }
    }

    @Test
    void quitClosesWithoutAReply() throws Exception {
        mainPort();
        try (Mc c = new Mc(server.memcachedPort())) {
            assertEquals("STORED\r\n", c.call("set mp:q 0 0 1\r\nq\r\n"));
            c.send("quit\r\n");
            assertTrue(c.closedByServer());
        }
    }

    /** A memcached text client on a socket: sends bytes, reads lines. */
    static final class Mc implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Mc(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Sends a request and reads its reply: up to END for get and stats, else one line. */
        String call(String request) throws IOException {
            send(request);
            String first = readLine();
            if (first.startsWith("VALUE ") || first.startsWith("STAT ")) {
                return first + readUntilEnd();
            }
            return first;
        }

        String readLine() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int prev = -1;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("closed after '" + b + "'");
                }
                b.write(c);
                if (prev == '\r' && c == '\n') {
                    return b.toString(StandardCharsets.ISO_8859_1);
                }
                prev = c;
            }
        }

        String readUntilEnd() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                String line = readLine();
                sb.append(line);
                if (line.equals("END\r\n")) {
                    return sb.toString();
                }
            }
        }

        boolean silentFor(int millis) throws IOException {
            socket.setSoTimeout(millis);
            try {
                int c = in.read();
                if (c >= 0) {
                    throw new AssertionError("expected no reply, got byte '" + (char) c + "'");
                }
                return false;
            } catch (SocketTimeoutException e) {
                return true;
            } finally {
                socket.setSoTimeout(5000);
            }
        }

        boolean closedByServer() throws IOException {
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
