package io.qrrot.cli.resp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking client connection speaking RESP2 or RESP3: one request at a time, or a pipelined batch.
 * Not thread-safe: one thread uses a connection at a time.
 *
 * <p>After a {@link RespException} (timeout, closed connection, protocol error) the connection is closed:
 * the reply stream can no longer be trusted to line up with the requests.
 */
public final class RespConnection implements Closeable {
    private final RespConfig config;
    private final Socket socket;
    private final RespReader reader;
    private final RespWriter writer;
    private int protocol = 2;
    private boolean closed;

    private RespConnection(RespConfig config, Socket socket) throws IOException {
        this.config = config;
        this.socket = socket;
        this.reader = new RespReader(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.writer = new RespWriter(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    }

    /**
     * Connects, then negotiates: {@code HELLO 3 [AUTH user password]} when RESP3 is asked for (falling back to
     * RESP2 when the server refuses it), else {@code AUTH} when a password is given.
     *
     * @throws RespException "could not connect to 127.0.0.1:6379: Connection refused", or "AUTH failed: …"
     */
    public static RespConnection open(RespConfig config) throws RespException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(config.host(), config.port()), config.connectTimeoutMillis());
            socket.setSoTimeout(config.readTimeoutMillis());
        } catch (IOException e) {
            closeQuietly(socket);
            throw new RespException("could not connect to " + config.address() + ": " + describe(e, config), e);
        }
        RespConnection c;
        try {
            c = new RespConnection(config, socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new RespException("could not connect to " + config.address() + ": " + describe(e, config), e);
        }
        try {
            c.handshake();
        } catch (RespException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void handshake() throws RespException {
        if (config.resp3()) {
            List<String> hello = new ArrayList<>(List.of("HELLO", "3"));
            if (config.password() != null) {
                hello.addAll(List.of("AUTH", config.user() == null ? "default" : config.user(), config.password()));
            }
            Reply r = call(hello.toArray(String[]::new));
            if (!r.isError()) {
                protocol = 3;
                return;
            }
            // An old server (or one without RESP3) refuses HELLO: stay on RESP2 and authenticate classically.
        }
        if (config.password() != null) {
            Reply r = config.user() == null
                    ? call("AUTH", config.password())
                    : call("AUTH", config.user(), config.password());
            if (r instanceof Reply.ErrorReply e) {
                throw new RespException("AUTH failed: " + e.message());
            }
        }
    }

    /** Sends one command and waits for its reply. Error replies are returned, not thrown. */
    public Reply call(String... args) throws RespException {
        List<byte[]> bytes = new ArrayList<>(args.length);
        for (String a : args) {
            bytes.add(a.getBytes(StandardCharsets.UTF_8));
        }
        return call(bytes);
    }

    /** Sends one command and waits for its reply. */
    public Reply call(List<byte[]> args) throws RespException {
        return pipeline(List.of(args)).get(0);
    }

    /**
     * Sends all commands in one write, then reads one reply per command, in order.
     *
     * @return the replies, index-aligned with {@code commands}
     */
    public List<Reply> pipeline(List<List<byte[]>> commands) throws RespException {
        ensureOpen();
        try {
            for (List<byte[]> cmd : commands) {
                if (cmd.isEmpty()) {
                    throw new IllegalArgumentException("a command needs at least its name");
                }
                writer.write(cmd);
            }
            writer.flush();
            List<Reply> replies = new ArrayList<>(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                Reply r = reader.read();
                while (r instanceof Reply.PushReply && !isPushCommand(commands.get(i))) {
                    r = reader.read(); // out-of-band push (e.g. invalidation) between replies: not ours
                }
                replies.add(r);
            }
            return replies;
        } catch (SocketTimeoutException e) {
            close();
            throw new RespException("timed out after " + config.readTimeoutMillis() + " ms waiting for a reply from "
                    + config.address(), e);
        } catch (RespException e) {
            close();
            throw new RespException(e.getMessage() + " (from " + config.address() + ")", e);
        } catch (EOFException e) {
            close();
            throw new RespException.Closed("connection to " + config.address() + " lost: " + e.getMessage(), e);
        } catch (IOException e) {
            close();
            String why = describe(e, config);
            String message = "connection to " + config.address() + " lost: " + why;
            throw why.equals(CLOSED_BY_SERVER) ? new RespException.Closed(message, e) : new RespException(message, e);
        }
    }

    private static final String CLOSED_BY_SERVER = "connection closed by the server";

    private static boolean isPushCommand(List<byte[]> cmd) {
        String name = new String(cmd.get(0), StandardCharsets.UTF_8);
        return name.equalsIgnoreCase("SUBSCRIBE") || name.equalsIgnoreCase("PSUBSCRIBE")
                || name.equalsIgnoreCase("UNSUBSCRIBE") || name.equalsIgnoreCase("PUNSUBSCRIBE");
    }

    /** 3 after a successful {@code HELLO 3}, else 2. */
    public int protocol() {
        return protocol;
    }

    public RespConfig config() {
        return config;
    }

    public boolean isOpen() {
        return !closed;
    }

    private void ensureOpen() throws RespException {
        if (closed) {
            throw new RespException("not connected to " + config.address());
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing useful to do: the socket is being abandoned
        }
    }

    /** The short cause a user understands: "Connection refused", "unknown host", "timed out after 5000 ms". */
    private static String describe(IOException e, RespConfig config) {
        if (e instanceof UnknownHostException) {
            return "unknown host";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out after " + config.connectTimeoutMillis() + " ms";
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            String m = e.getMessage();
            // The JDK says "Connection refused" on Linux, sometimes with " (Connection refused)" appended.
            if (m != null && m.contains("Connection refused")) {
                return "Connection refused";
            }
            return m == null ? e.getClass().getSimpleName() : m;
        }
        String m = e.getMessage();
        if (m != null && (m.startsWith("Connection reset") || m.startsWith("Broken pipe"))) {
            // The server closed the connection and this side wrote to it before it read the end: the kernel
            // answers with a reset instead. The same event as a clean end (CLIENT KILL, a server stopping).
            return CLOSED_BY_SERVER;
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
