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

/**
 * The REPL's connection: reconnects on the next command after a failure, and tracks what the prompt shows
 * (selected database, open transaction). Not thread-safe.
 */
public final class ClientSession implements CommandSession {
    private final RespConfig config;
    private RespConnection conn;
    private int db;
    private boolean inTransaction;

    public ClientSession(RespConfig config) {
        this.config = config;
    }

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

    /** Sends a command (connecting first if needed) and tracks SELECT, MULTI, EXEC and DISCARD. */
    @Override
    public Reply call(List<byte[]> args) throws RespException {
        connect();
        Reply r;
        try {
            r = conn.call(args);
        } catch (RespException e) {
            conn = null;
            inTransaction = false;
            throw e;
        }
        track(args, r);
        return r;
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
