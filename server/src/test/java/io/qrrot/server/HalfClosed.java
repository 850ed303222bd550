package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * One exchange the way a piped client has it: connect, send, close the sending side, read until the server
 * closes. A server that neither answers nor closes within 10 s fails the test as a hang.
 */
final class HalfClosed {
    private HalfClosed() {
    }

    /** A loopback connection with a 10 s read timeout. */
    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Everything the server sent back for {@code payload}; {@code what} names the case in a failure. */
    static byte[] exchange(int port, byte[] payload, String what) throws IOException {
        try (Socket s = connect(port)) {
            try {
                s.getOutputStream().write(payload);
                s.getOutputStream().flush();
                s.shutdownOutput();
            } catch (IOException closedEarly) {
                // the server may close first (a protocol error, a limit): read what it said
            }
            return readUntilClosed(s.getInputStream(), what);
        }
    }

    static byte[] readUntilClosed(InputStream in, String what) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            fail(what + ": the server neither answered nor closed within 10 s (hang)");
        } catch (IOException reset) {
            // connection reset after the server closed: what was read is what counts
        }
        return got.toByteArray();
    }
}
