package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qrrot.testkit.Addresses;
import java.net.InetAddress;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Connection limits, buffer limits, timeouts, protected mode, authentication and protocol errors. One database
 * for the class; each test starts its own server on it.
 */
class LimitsAndSafetyTest extends SharedDatabaseTest {
    private int start(UnaryOperator<ServerOptions> configure) throws Exception {
        return startServer(real, configure.apply(TestBackends.options()));
    }

    @Test
    void maxClientsRefusesTheNextConnectionWithRedisText() throws Exception {
        int port = start(o -> o.withMaxClients(2));
        try (RawClient a = new RawClient(port); RawClient b = new RawClient(port)) {
            assertEquals("+PONG\r\n", a.call("PING"));
            assertEquals("+PONG\r\n", b.call("PING"));
            try (RawClient c = new RawClient(port)) {
                assertEquals("-ERR max number of clients reached\r\n", c.read());
                assertTrue(c.closedByServer());
            }
        }
        waitFor(() -> server.connectedClients() == 0);
        try (RawClient d = new RawClient(port)) {
            assertEquals("+PONG\r\n", d.call("PING"), "slots are freed when clients leave");
        }
    }

    @Test
    void anIncompleteCommandPastTheQueryBufferLimitClosesTheClient() throws Exception {
        int port = start(o -> o.withQueryBufferLimit(100_000));
        try (RawClient c = new RawClient(port); RawClient other = new RawClient(port)) {
            c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000\r\n");
            byte[] chunk = new byte[50_000];
            try {
                for (int i = 0; i < 4; i++) {
                    c.send(chunk);
                }
            } catch (java.io.IOException closedWhileSending) {
                // the server may close while we are still sending
            }
            assertEquals("-ERR max query buffer length reached: the request passed client-query-buffer-limit"
                    + " (100000 bytes); closing the connection\r\n", c.read(), "answered before the close");
            assertTrue(c.closedByServer());
            assertEquals("+PONG\r\n", other.call("PING"), "other clients are unaffected");
        }
    }

    @Test
    void aClientNotReadingItsRepliesIsDisconnectedAtTheOutputLimit() throws Exception {
        int port = start(o -> o.withOutputBufferLimit(1 << 20));
        try (RawClient c = new RawClient(port); RawClient other = new RawClient(port)) {
            String value = "v".repeat(600_000);
            assertEquals("+OK\r\n", c.call("SET", "big", value));
            StringBuilder gets = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                gets.append(RawClient.multibulk("GET", "big"));
            }
            c.send(gets.toString());
            waitFor(() -> server.connectedClients() == 1);
            assertEquals("+PONG\r\n", other.call("PING"));
        }
    }

    @Test
    void idleClientsAreClosedAfterTheTimeout() throws Exception {
        int port = start(o -> o.withIdleTimeoutSeconds(1));
        try (RawClient c = new RawClient(port)) {
            assertEquals("+PONG\r\n", c.call("PING"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void idleTimeoutCanBeTurnedOnAtRunTime() throws Exception {
        int port = start(o -> o);
        try (RawClient admin = new RawClient(port); RawClient idle = new RawClient(port)) {
            assertEquals("+PONG\r\n", idle.call("PING"));
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "timeout", "1"));
            assertTrue(idle.closedByServer());
        }
    }

    @Test
    void requirepassGatesEverythingButAuthHelloQuit() throws Exception {
        int port = start(o -> o.withRequirePass("s3cret"));
        try (RawClient c = new RawClient(port)) {
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("PING"));
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("GET", "k"));
            assertEquals("-ERR unknown command 'FOO', with args beginning with: \r\n", c.call("FOO"),
                    "unknown commands are reported before authentication, as Redis does");
            assertEquals("-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
                    + "RESP protocol version at the same time\r\n", c.call("HELLO", "3"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.call("AUTH", "x"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                    c.call("AUTH", "someone", "s3cret"));
            assertEquals("+OK\r\n", c.call("AUTH", "s3cret"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
        try (RawClient c = new RawClient(port)) {
            assertTrue(c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "n").startsWith("%7\r\n"));
            assertEquals("$1\r\nn\r\n", c.call("CLIENT", "GETNAME"));
        }
        try (RawClient c = new RawClient(port)) {
            c.send("*11\r\n");
            assertEquals("-ERR Protocol error: unauthenticated multibulk length\r\n", c.read());
            assertTrue(c.closedByServer());
        }
        try (RawClient c = new RawClient(port)) {
            assertEquals("+OK\r\n", c.call("QUIT"));
        }
    }

    @Test
    void authWithoutAPasswordConfiguredHasRedisText() throws Exception {
        int port = start(o -> o);
        try (RawClient c = new RawClient(port)) {
            assertEquals("-ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?\r\n", c.call("AUTH", "x"));
            assertEquals("+OK\r\n", c.call("AUTH", "default", "anything"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.call("AUTH", "a", "b"));
        }
    }

    @Test
    void protocolErrorsAreAnsweredThenTheConnectionCloses() throws Exception {
        int port = start(o -> o);
        String[][] cases = {
                {"*1\r\nx3\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n"},
                {"*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
                {"*1\r\n$2147483000\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
                {"SET \"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
        };
        for (String[] c : cases) {
            try (RawClient client = new RawClient(port)) {
                client.send("PING\r\n" + c[0] + "PING\r\n");
                assertEquals("+PONG\r\n", client.read(), "commands before the error are answered");
                assertEquals(c[1], client.read());
                assertTrue(client.closedByServer(), "closed after " + c[1]);
            }
        }
        try (RawClient other = new RawClient(port)) {
            assertEquals("+PONG\r\n", other.call("PING"));
        }
    }

    @Test
    void protectedModeRefusesNonLoopbackClientsWithoutAPassword() throws Exception {
        InetAddress external = Addresses.nonLoopbackIpv4();
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to test from");
        int port = start(o -> o.withBind("0.0.0.0"));
        try (RawClient c = new RawClient(external.getHostAddress(), port)) {
            assertEquals("-" + ProtectedMode.DENIED + "\r\n", c.read());
            assertTrue(c.closedByServer());
        }
        try (RawClient local = new RawClient(port)) {
            assertEquals("+PONG\r\n", local.call("PING"));
            assertEquals("+OK\r\n", local.call("CONFIG", "SET", "requirepass", "pw"));
        }
        try (RawClient c = new RawClient(external.getHostAddress(), port)) {
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("PING"), "with a password, remote clients may connect");
        }
    }


    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(condition.getAsBoolean(), "condition not reached in 10 s");
    }
}
