package io.qrrot.cli.embedded;

import io.qrrot.cli.client.CommandSession;
import io.qrrot.cli.help.CommandHelp;
import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.ReplyTreeSink;
import io.qrrot.engine.CommandSpec;
import io.qrrot.recovery.Qrrot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code qrrot cli --embedded DIR}: the REPL's and the one-shot path's session over a database opened in this
 * process. Data commands go to the database; the few server commands that make sense without a server are
 * answered here as the server answers them: {@code PING}, {@code ECHO}, {@code SELECT 0}, {@code INFO},
 * {@code SAVE}. The caller opens and closes the database. Not thread-safe.
 */
public final class EmbeddedSession implements CommandSession {
    private final Qrrot db;
    private final EmbeddedClient client;
    private final String label;

    /**
     * @param db       the opened database
     * @param label    what the prompt shows, e.g. {@code embedded:data}
     * @param protocol 2 or 3: the reply shapes, as {@code HELLO} would choose them on a connection
     */
    public EmbeddedSession(Qrrot db, String label, int protocol) {
        this.db = db;
        this.label = label;
        this.client = new EmbeddedClient(db, protocol);
    }

    @Override
    public void connect() {
        // the database is open for as long as this session
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public Reply call(List<byte[]> args) {
        String name = new String(args.get(0), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
        if (!client.inTransaction()) {
            Reply local = local(name, args);
            if (local != null) {
                return local;
            }
        }
        return client.call(args);
    }

    /** The server commands answered without a server; null for everything else. */
    private Reply local(String name, List<byte[]> args) {
        int n = args.size();
        switch (name) {
            case "PING" -> {
                return n == 1 ? new Reply.SimpleString("PONG") : n == 2 ? new Reply.BulkString(args.get(1)) : arity("ping");
            }
            case "ECHO" -> {
                return n == 2 ? new Reply.BulkString(args.get(1)) : arity("echo");
            }
            case "SELECT" -> {
                if (n != 2) {
                    return arity("select");
                }
                String index = new String(args.get(1), StandardCharsets.UTF_8);
                if (!index.matches("-?[0-9]+")) {
                    return new Reply.ErrorReply("ERR value is not an integer or out of range");
                }
                return index.matches("-?0+") ? new Reply.SimpleString("OK")
                        : new Reply.ErrorReply("ERR DB index is out of range");
            }
            case "INFO" -> {
                List<String> sections = new ArrayList<>();
                for (byte[] a : args.subList(1, n)) {
                    sections.add(new String(a, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
                }
                ReplyTreeSink sink = new ReplyTreeSink(client.protocol());
                sink.verbatim(info(db.info(), sections));
                return sink.take().get(0);
            }
            case "SAVE" -> {
                if (n != 1) {
                    return arity("save");
                }
                try {
                    db.saveSnapshot();
                    return new Reply.SimpleString("OK");
                } catch (IOException | RuntimeException e) {
                    return new Reply.ErrorReply("ERR the snapshot failed: " + e.getMessage());
                }
            }
            default -> {
                return null;
            }
        }
    }

    private static Reply arity(String name) {
        return new Reply.ErrorReply("ERR wrong number of arguments for '" + name + "' command");
    }

    /** INFO's text from the database's sections, in the server's format. */
    static String info(Map<String, Map<String, String>> sections, List<String> requested) {
        boolean all = requested.isEmpty() || requested.contains("all") || requested.contains("default")
                || requested.contains("everything");
        StringBuilder sb = new StringBuilder(1024);
        for (Map.Entry<String, Map<String, String>> s : sections.entrySet()) {
            String section = s.getKey();
            if (!all && !requested.contains(section)) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append("\r\n");
            }
            sb.append("# ").append(Character.toUpperCase(section.charAt(0))).append(section.substring(1)).append("\r\n");
            for (Map.Entry<String, String> f : s.getValue().entrySet()) {
                sb.append(f.getKey()).append(':').append(f.getValue()).append("\r\n");
            }
        }
        return sb.toString();
    }

    /** {@code DIR> }, or {@code DIR(TX)> } inside MULTI. */
    @Override
    public String prompt() {
        return label + (client.inTransaction() ? "(TX)" : "") + "> ";
    }

    /** The database's own command table. */
    @Override
    public List<CommandHelp> commandDocs() {
        List<CommandHelp> out = new ArrayList<>();
        for (CommandSpec s : db.commands()) {
            out.add(CommandHelp.of(s));
        }
        return out;
    }

    /** Ends the session (its transaction and WATCHes); the database stays open. */
    @Override
    public void close() {
        client.close();
    }
}
