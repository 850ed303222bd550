package io.qrrot.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.testing.CliRun;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qrrot serve} binds its port before it opens (recovers or creates) the data directory: a failed bind
 * costs nothing and leaves nothing behind, and its message fits the reason; no client reaches the database
 * before it is open.
 */
@Tag("integration")
class ServeStartTest {
    @TempDir
    Path tmp;

    @Test
    void aPortInUseLeavesNoDataDirectoryBehind() throws Exception {
        Path data = tmp.resolve("data");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun.Result r = new CliRun().run("serve", "--wal", data.toString(), "--port", Integer.toString(port));
            assertEquals(1, r.exit(), r.toString());
            assertEquals("", r.out());
            assertTrue(r.err().startsWith("qrrot serve: cannot listen on 127.0.0.1:" + port + " ("), r.err());
            assertTrue(r.err().endsWith("Address already in use); is another server using the port? Pick another with "
                    + "--port\n"), r.err());
        }
        assertFalse(Files.exists(data), "no data directory made");
    }

    @Test
    void anAddressNotOfThisMachineGetsItsOwnHint() {
        Path data = tmp.resolve("data");
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
        CliRun.Result r = new CliRun().run("serve", "--wal", data.toString(), "--port", "0", "--bind", "192.0.2.1");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().startsWith("qrrot serve: cannot listen on 192.0.2.1:0 ("), r.err());
        assertTrue(r.err().endsWith("Cannot assign requested address); 192.0.2.1 is not an address of this machine: "
                + "pick one of its addresses with --bind\n"), r.err());
        assertFalse(r.err().contains("another server"), r.err());
        assertFalse(Files.exists(data), "no data directory made");
    }

    @Test
    void aDataDirectoryThatCannotBeMadeSaysWhyAndFreesThePort() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        CliRun.Result r = new CliRun().run("serve", "--wal", file.resolve("data").toString(), "--port",
                Integer.toString(port));
        assertEquals(new CliRun.Result(1, "", "qrrot serve: cannot open " + file.resolve("data") + ": " + file
                + " is not a directory\n"), r);
        try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort(), "the port was released");
        }
    }

    /** A client that connects while the database opens is answered once it is open, never before. */
    @Test
    void clientsWaitUntilTheDatabaseIsServed() throws Exception {
        QrrotServer server = QrrotServer.listen(ServerOptions.defaults().withPort(0));
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = client.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = client.getInputStream();
            client.setSoTimeout(300);
            assertThrows(java.net.SocketTimeoutException.class, in::read, "no reply before the database is served");
            client.setSoTimeout(0);
            try (DurableQrrot db = DurableQrrot.open(tmp.resolve("data"), QrrotOptions.defaults())) {
                server.serve(db);
                assertEquals("+PONG\r\n", new String(in.readNBytes(7), StandardCharsets.US_ASCII));
                server.close();
            }
        } finally {
            server.close();
        }
    }

    @Test
    void aServerBoundButNeverServedCloses() throws Exception {
        QrrotServer server = QrrotServer.listen(ServerOptions.defaults().withPort(0));
        int port = server.port();
        server.close();
        assertTrue(server.termination().isDone());
        try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort());
        }
    }
}
