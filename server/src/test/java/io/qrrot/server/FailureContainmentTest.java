package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.ReplySink;
import io.qrrot.recovery.ForwardingQrrot;
import io.qrrot.recovery.Qrrot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whatever is thrown while serving one connection, an {@link OutOfMemoryError} included, closes that
 * connection with an error reply and releases what it held; the event loop (one here, shared by every client)
 * goes on serving the others. The database is the real one; its sessions throw when a command names the key
 * {@code throw:oom}, {@code throw:error} or {@code throw:runtime}.
 */
class FailureContainmentTest extends SharedDatabaseTest {
    private static final String OOM_REPLY =
            "-ERR the server ran out of memory serving this connection; closing it (see the server log)\r\n";
    private static final String INTERNAL_REPLY =
            "-ERR internal error serving this connection; closing it (see the server log)\r\n";

    @BeforeEach
    void start() throws Exception {
        startServer(new Throwing(real), TestBackends.options().withIoThreads(1));
    }

    @Test
    void anOutOfMemoryErrorClosesOnlyItsConnection() throws Exception {
        try (RawClient victim = new RawClient(server.port()); RawClient other = new RawClient(server.port())) {
            assertEquals("+OK\r\n", other.call("SET", "other", "1"));
            assertEquals("+OK\r\n", victim.call("MULTI"));
            assertEquals("+QUEUED\r\n", victim.call("SET", "queued", "1"));
            assertEquals(OOM_REPLY, victim.call("GET", "throw:oom"));
            assertTrue(victim.closedByServer());
            assertEquals("+PONG\r\n", other.call("PING"), "the same event loop serves the other client");
            assertEquals("$1\r\n1\r\n", other.call("GET", "other"));
            assertEquals("$-1\r\n", other.call("GET", "queued"), "the failed client's transaction is gone");
            assertTrue(other.call("INFO", "stats").contains("client_connections_failed:1\r\n"));
        }
        try (RawClient next = new RawClient(server.port())) {
            assertEquals("+PONG\r\n", next.call("PING"), "new connections are served");
        }
    }

    @Test
    void anotherErrorClosesOnlyItsConnectionToo() throws Exception {
        try (RawClient victim = new RawClient(server.port()); RawClient other = new RawClient(server.port())) {
            victim.send(RawClient.multibulk("SET", "before", "1") + RawClient.multibulk("GET", "throw:error")
                    + RawClient.multibulk("PING"));
            assertEquals(INTERNAL_REPLY, victim.read(), "the error in place of the replies not yet written");
            assertTrue(victim.closedByServer());
            assertEquals("$1\r\n1\r\n", other.call("GET", "before"), "what ran before the failure stays done");
        }
    }

    @Test
    void aRuntimeExceptionFromTheDatabaseIsAnsweredAndTheConnectionStays() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR internal error executing 'get'; see the server log\r\n", c.call("GET", "throw:runtime"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    /** The real database, whose sessions throw when a command's first argument names a failure. */
    private static final class Throwing extends ForwardingQrrot {
        Throwing(Qrrot delegate) {
            super(delegate);
        }

        @Override
        public Session newSession() {
            Session s = delegate.newSession();
            return new Session() {
                @Override
                public long execute(CommandArgs args, ReplySink out) {
                    if (args.count() > 1) {
                        switch (args.string(1)) {
                            case "throw:oom" -> throw new OutOfMemoryError("Java heap space (injected)");
                            case "throw:error" -> throw new StackOverflowError("injected");
                            case "throw:runtime" -> throw new IllegalStateException("injected");
                            default -> { }
                        }
                    }
                    return s.execute(args, out);
                }

                @Override
                public long executeMemcached(io.qrrot.engine.Memcached.Request request,
                                             io.qrrot.engine.Memcached.Sink out) {
                    return s.executeMemcached(request, out);
                }

                @Override
                public boolean inTransaction() {
                    return s.inTransaction();
                }

                @Override
                public long takeBlock() {
                    return s.takeBlock();
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        }

        @Override
        public void close() {
            // the test closes the real database
        }
    }
}
