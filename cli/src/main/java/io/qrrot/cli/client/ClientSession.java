package io.qrrot.cli.client;

import io.qrrot.cli.help.CommandDocs;
import io.qrrot.cli.help.CommandHelp;
import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespConnection;
import io.qrrot.cli.resp.RespException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The REPL's connection: reconnects on the next command after a failure, and tracks what the prompt shows
 * (selected database, open transaction). In cluster mode ({@code -c}) it follows {@code MOVED} and {@code ASK}
 * redirections as {@code redis-cli -c} does: it connects to the node named (same credentials and settings),
 * sends {@code ASKING} first for an ASK, and sends the command again, at most {@link #MAX_REDIRECTS} times.
 * Not thread-safe.
 */
public final class ClientSession implements CommandSession {
    /** How many redirections one command may follow before the session gives up. */
    public static final int MAX_REDIRECTS = 5;

    private RespConfig config;
    private final boolean followRedirects;
    private Consumer<String> onRedirect = line -> { };
    private RespConnection conn;
    private int db;
    private boolean inTransaction;

    public ClientSession(RespConfig config) {
        this(config, false);
    }

    /** {@code followRedirects}: cluster mode, as {@code redis-cli -c}. */
    public ClientSession(RespConfig config, boolean followRedirects) {
        this.config = config;
        this.followRedirects = followRedirects;
    }

    /**
     * Where the line {@code -> Redirected to slot [N] located at host:port} goes when a redirection is followed
     * (redis-cli prints it at its prompt).
     */
    public void onRedirect(Consumer<String> listener) {
        this.onRedirect = listener;
    }

    /** The server this session talks to now (after a redirection, the node it was sent to). */
    public RespConfig config() {
        return config;
    }

    /** Connects now if not connected. */
    @Override
    public void connect() throws RespException {
        if (conn != null && conn.isOpen()) {
            return;
        }
        conn = null;
        inTransaction = false;
        RespConnection c = RespConnection.open(config);
        if (db != 0) {
            Reply r = c.call("SELECT", Integer.toString(db));
            if (r.isError()) {
                db = 0;
            }
        }
        conn = c;
    }

    @Override
    public boolean isConnected() {
        return conn != null && conn.isOpen();
    }

    /**
     * Sends a command (connecting first if needed) and tracks SELECT, MULTI, EXEC and DISCARD; in cluster mode
     * follows MOVED and ASK.
     *
     * @throws RespException also when a command is redirected more than {@link #MAX_REDIRECTS} times
     */
    @Override
    public Reply call(List<byte[]> args) throws RespException {
        Reply r = send(args, false);
        for (int hops = 0; followRedirects && r instanceof Reply.ErrorReply e; hops++) {
            Redirect to = Redirect.parse(e.message());
            if (to == null) {
                break;
            }
            if (hops == MAX_REDIRECTS) {
                throw new RespException("too many cluster redirections: gave up after " + MAX_REDIRECTS
                        + ", the last one was " + e.message());
            }
            String host = to.host().isEmpty() ? config.host() : to.host();
            RespConfig next = config.withAddress(host, to.port());
            if (conn != null) {
                conn.close();
                conn = null;
            }
            config = next;
            onRedirect.accept("-> Redirected to slot [" + to.slot() + "] located at " + next.address());
            r = send(args, to.ask());
        }
        track(args, r);
        return r;
    }

    private Reply send(List<byte[]> args, boolean asking) throws RespException {
        connect();
        try {
            if (asking) {
                conn.call("ASKING");
            }
            return conn.call(args);
        } catch (RespException e) {
            conn = null;
            inTransaction = false;
            throw e;
        }
    }

    /**
     * A {@code MOVED <slot> <host>:<port>} or {@code ASK <slot> <host>:<port>} error (the host may be empty,
     * meaning the same host, and may be an IPv6 address: the port follows the last colon).
     */
    record Redirect(boolean ask, int slot, String host, int port) {
        static Redirect parse(String error) {
            String[] w = error.split(" ");
            if (w.length != 3 || !(w[0].equals("MOVED") || w[0].equals("ASK"))) {
                return null;
            }
            int colon = w[2].lastIndexOf(':');
            if (colon < 0) {
                return null;
            }
            try {
                String host = w[2].substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                return new Redirect(w[0].equals("ASK"), Integer.parseInt(w[1]), host,
                        Integer.parseInt(w[2].substring(colon + 1)));
            } catch (NumberFormatException ex) {
                return null;
            }
        }
    }

    private void track(List<byte[]> args, Reply r) {
        String name = new String(args.get(0), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
        switch (name) {
            case "SELECT" -> {
                if (!r.isError() && args.size() == 2) {
                    try {
                        db = Integer.parseInt(new String(args.get(1), StandardCharsets.UTF_8).trim());
                    } catch (NumberFormatException e) {
                        // the server accepted a form we do not parse; the prompt keeps the last known number
                    }
                }
            }
            case "MULTI" -> inTransaction |= !r.isError();
            case "EXEC", "DISCARD" -> inTransaction = false;
            default -> {
            }
        }
    }

    /** {@code 127.0.0.1:6379> }, {@code 127.0.0.1:6379[2]> }, {@code 127.0.0.1:6379(TX)> }, or {@code not connected> }. */
    @Override
    public String prompt() {
        if (!isConnected()) {
            return "not connected> ";
        }
        return config.address() + (db != 0 ? "[" + db + "]" : "") + (inTransaction ? "(TX)" : "") + "> ";
    }

    /** The server's {@code COMMAND DOCS}; empty when it does not answer them. */
    @Override
    public List<CommandHelp> commandDocs() throws RespException {
        return CommandDocs.parse(call(List.of("COMMAND".getBytes(StandardCharsets.US_ASCII),
                "DOCS".getBytes(StandardCharsets.US_ASCII))));
    }

    @Override
    public void close() {
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }
}
